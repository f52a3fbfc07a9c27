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

# pg_start: with BENCH_ENGINE=postgres, starts a throwaway PostgreSQL 15
# cluster in a directory of its own (initdb, a free port, run as the
# `postgres` user when we are root; default durability: fsync and
# synchronous_commit on) with a database `wlk`, and sets pg_url to its URL
# ("" on SQLite). pg_stop stops it and removes the directory. Installs
# postgresql-15 when it is missing.
pg_bin=/usr/lib/postgresql/15/bin
pg_url=""
pg_dir=""
pg_run() { # cmd...: as the cluster's owner
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_start() {
    local port
    case "${BENCH_ENGINE:-sqlite}" in
    sqlite) return 0 ;;
    postgres) ;;
    *) echo "BENCH_ENGINE must be sqlite or postgres" >&2; return 2 ;;
    esac
    if [ ! -x "$pg_bin/initdb" ]; then
        export DEBIAN_FRONTEND=noninteractive
        if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q postgresql-15 >/dev/null
        else sudo apt-get install -y -q postgresql-15 >/dev/null; fi || return 1
    fi
    pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/wlk-bench-pg.XXXXXX")" || return 1
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pg_dir" || return 1; fi
    port="$(free_port)"
    pg_run "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >/dev/null || return 1
    pg_run "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 60 \
        -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB" \
        start >/dev/null || return 1
    pg_run "$pg_bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE wlk LOGIN" -c "CREATE DATABASE wlk OWNER wlk" >/dev/null || return 1
    pg_url="postgres://wlk@127.0.0.1:$port/wlk"
}
pg_stop() {
    [ -n "$pg_dir" ] || return 0
    pg_run "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=""
    pg_url=""
}

# as_root CMD...: runs it as root (sudo unless we are root).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PKG...: installs Debian packages, refreshing the index when
# the first try fails; nginx-light falls back to nginx on releases
# without that flavour. The nginx package may start the system service
# on port 80; we do not use it and leave it as the package set it up.
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y -q "$@" >/dev/null 2>&1 && return 0
    as_root apt-get update -q >/dev/null || return 1
    as_root apt-get install -y -q "$@" >/dev/null 2>&1 && return 0
    as_root apt-get install -y -q "${@/#nginx-light/nginx}" >/dev/null
}

# wait_port PORT SECONDS PID: true once 127.0.0.1:PORT accepts, false if
# PID exits first or the time runs out.
wait_port() {
    local port="$1" secs="$2" pid="$3" _i
    for _i in $(seq 1 $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || return 1
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# wait_port_http URL SECONDS PID: true once URL answers 2xx (curl, never
# through a proxy), false if PID exits first or the time runs out.
wait_port_http() {
    local url="$1" secs="$2" pid="$3" _i
    for _i in $(seq 1 $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || return 1
        if curl --noproxy '*' -fsS -m 1 -o /dev/null "$url" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# nginx_temp_paths DIR: the *_temp_path directives for an nginx config,
# under DIR, for the modules this nginx was built with.
nginx_temp_paths() {
    local d="$1" v
    v="$("$nginx_bin" -V 2>&1 || true)"
    printf 'client_body_temp_path %s/body; proxy_temp_path %s/proxy; fastcgi_temp_path %s/fastcgi;' \
        "$d" "$d" "$d"
    [[ "$v" == *--without-http_uwsgi_module* ]] || printf ' uwsgi_temp_path %s/uwsgi;' "$d"
    [[ "$v" == *--without-http_scgi_module* ]] || printf ' scgi_temp_path %s/scgi;' "$d"
}
