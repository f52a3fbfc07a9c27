#!/usr/bin/env bash
# scripts/cluster.sh — a local cluster in one command (`make cluster`):
# a throwaway PostgreSQL 15 cluster, nats-server, CLUSTER_NODES `wlk serve`
# nodes (default 2) on one database and one bus, and nginx in front of them
# as the load balancer (WebSocket upgrade, X-Forwarded-For). Prints the
# URL, then runs until Ctrl-C (or SIGTERM), which stops everything and
# removes the directory (CLUSTER_KEEP=1 keeps it: data, logs).
#
# Env:  CLUSTER_PORT   the load balancer's port on 127.0.0.1 (default 8080)
#       CLUSTER_NODES  how many wlk nodes (default 2, at most 9)
#       WLK_BIN        wlk binary (default <repo>/build/wlk, built if missing)
#       CLUSTER_KEEP=1 keep the directory at exit
#
# Sign-in codes go to the local SMS sink of the node whose worker hands
# them over: <dir>/node-N/sink/sms.jsonl (the directory is printed).
# Everything listens on 127.0.0.1 only.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wlk_bin="${WLK_BIN:-$repo/build/wlk}"
lb_port="${CLUSTER_PORT:-8080}"
nodes="${CLUSTER_NODES:-2}"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

[[ "$nodes" =~ ^[1-9]$ ]] || die "CLUSTER_NODES must be 1 to 9, got '$nodes'"
[[ "$lb_port" =~ ^[0-9]+$ ]] || die "CLUSTER_PORT must be a port number, got '$lb_port'"

. "$repo/bench/lib.sh"

need_pkgs=()
nats_bin="$(command -v nats-server 2>/dev/null || echo /usr/sbin/nats-server)"
[ -x "$nats_bin" ] || need_pkgs+=(nats-server)
nginx_bin="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
[ -x "$nginx_bin" ] || need_pkgs+=(nginx-light)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    apt_install "${need_pkgs[@]}" || die "could not install ${need_pkgs[*]}"
fi
if [ ! -x "$wlk_bin" ]; then
    log "building $wlk_bin"
    make -C "$repo" build/wlk >&2
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/wlk-cluster.XXXXXX")"
pids=()
nginx_pid=""
nats_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    log "stopping"
    stop_pid "$nginx_pid" QUIT 50
    local p
    for p in "${pids[@]}"; do stop_pid "$p" TERM; done
    stop_pid "$nats_pid" TERM
    pg_stop
    if [ "${CLUSTER_KEEP:-0}" = 1 ]; then log "kept $dir"; else rm -rf "$dir"; fi
    log "stopped"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# ---------------------------------------------------------------- PostgreSQL, NATS
BENCH_ENGINE=postgres pg_start || die "could not start PostgreSQL"
log "PostgreSQL at $pg_url"
nats_port="$(free_port)"
"$nats_bin" -a 127.0.0.1 -p "$nats_port" >"$dir/nats.log" 2>&1 &
nats_pid=$!
wait_port "$nats_port" 10 "$nats_pid" || die "nats-server did not start (see $dir/nats.log)"
log "nats-server at nats://127.0.0.1:$nats_port"

# ---------------------------------------------------------------- nodes
upstreams=""
for n in $(seq 1 "$nodes"); do
    port="$(free_port)"
    key=()
    # one master key and one media directory for all: the first node
    # creates the key, the others read it
    [ "$n" = 1 ] || key=(--master-key-file "$dir/node-1/master.key")
    "$wlk_bin" serve --listen "127.0.0.1:$port" --data-dir "$dir/node-$n" --node-id "$n" \
        --database "$pg_url" --bus "nats://127.0.0.1:$nats_port" --trusted-proxy 127.0.0.1 \
        --media-dir "$dir/media" \
        "${key[@]}" 2>"$dir/node-$n.log" &
    pids+=($!)
    wait_port_http "http://127.0.0.1:$port/healthz" 30 "$!" ||
        die "node $n did not start: $(tail -n 5 "$dir/node-$n.log")"
    log "node $n at 127.0.0.1:$port ($(curl --noproxy '*' -fsS "http://127.0.0.1:$port/healthz"))"
    upstreams+="        server 127.0.0.1:$port;"$'\n'
done

# ---------------------------------------------------------------- nginx
ngx="$dir/nginx"
mkdir -p "$ngx"
cat >"$ngx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    $(nginx_temp_paths "$ngx")
    client_max_body_size 64m;
    map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
    upstream wlk {
$upstreams        keepalive 32;
    }
    server {
        listen 127.0.0.1:$lb_port;
        location / {
            proxy_pass http://wlk;
            proxy_http_version 1.1;
            proxy_set_header Host \$host;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_read_timeout 1h;
            proxy_buffering off;
            proxy_request_buffering off;
        }
    }
}
EOF
# in a session of its own, so a Ctrl-C reaches only this script, which stops
# nginx first in cleanup: otherwise nginx could exit before the trap runs and
# the end of the script would take that for a failure
setsid "$nginx_bin" -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" &
nginx_pid=$!
wait_port_http "http://127.0.0.1:$lb_port/healthz" 10 "$nginx_pid" ||
    die "nginx did not start on port $lb_port: $(tail -n 3 "$ngx/error.log" 2>/dev/null)"

echo "cluster ready: http://127.0.0.1:$lb_port/ ($nodes nodes; data and logs in $dir; Ctrl-C stops)"
wait "$nginx_pid" || true
die "nginx exited (see $ngx/error.log)"
