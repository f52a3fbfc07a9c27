# bench/lib.sh — shell helpers shared by the benchmark scripts (sourced).

# stop_pid PID SIGNAL [TENTHS]: signal a process, wait up to TENTHS/10 s
# (default 10 s), then SIGKILL it.
stop_pid() {
    local pid="$1" sig="$2" tenths="${3:-100}" _i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -s "$sig" "$pid" 2>/dev/null || true
    for _i in $(seq 1 "$tenths"); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -s KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
