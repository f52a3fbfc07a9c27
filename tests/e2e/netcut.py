"""A TCP proxy in front of a server whose line the test can cut: the
browser talks to the proxy's port, and cut() drops every connection (and
refuses new ones) until restore(), as a phone losing its network would."""
import select
import socket
import threading


class NetCut:
    def __init__(self, port):
        self.target = ("127.0.0.1", port)
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(64)
        self.port = self.lsock.getsockname()[1]
        self.down = False
        self.pairs = set()
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self):
        while self.running:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            if self.down:
                c.close()
                continue
            try:
                s = socket.create_connection(self.target)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.pairs.add((c, s))
            threading.Thread(target=self._pump, args=(c, s), daemon=True).start()

    def _pump(self, c, s):
        try:
            while True:
                r, _, _ = select.select([c, s], [], [], 0.2)
                if self.down:
                    break
                for a in r:
                    data = a.recv(65536)
                    if not data:
                        raise OSError
                    (s if a is c else c).sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                self.pairs.discard((c, s))
            for x in (c, s):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                x.close()

    def cut(self):
        self.down = True
        with self.lock:
            pairs = list(self.pairs)
        for c, s in pairs:
            for x in (c, s):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def restore(self):
        self.down = False

    def close(self):
        self.running = False
        self.cut()
        self.lsock.close()
