#!/usr/bin/env bash
# bench/catalog/run.sh — the developments search with a large catalogue.
#
# Generates BENCH_DEVELOPMENTS invented developments (default 100,000;
# scripts/demo_catalog.py), loads them with `wlk developments import`
# (timed), starts wlk on a free loopback port and runs wrk against
# GET /v1/developments?q=… with a different text per request (fragments of
# names, pinyin initials, whole names; wrk's Lua), and against nginx
# returning a static body of the same size. Prints req/s and p99 for both
# with the goals (>= 5,000 req/s, p99 <= 20 ms on 2 cores).
#
# Usage: bench/catalog/run.sh
# Env:   BENCH_DURATION      seconds per wrk run (default 10)
#        BENCH_DEVELOPMENTS  catalogue size (default 100000)
#        BENCH_ENGINE        sqlite (default) or postgres (a throwaway cluster)
#        BENCH_KEEP=1        keep the temporary directory
#        WLK_BIN             wlk binary (default <repo>/build/wlk)
# Prints figures; not a pass/fail test.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
wlk_bin="${WLK_BIN:-$repo/build/wlk}"
duration="${BENCH_DURATION:-10}"
count="${BENCH_DEVELOPMENTS:-100000}"
engine="${BENCH_ENGINE:-sqlite}"
py=/usr/bin/python3
log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
. "$repo/bench/lib.sh"

command -v wrk >/dev/null 2>&1 || apt_install wrk || die "could not install wrk"
nginx_bin="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
[ -x "$nginx_bin" ] || apt_install nginx-light || die "could not install nginx"
[ -x "$wlk_bin" ] || make -C "$repo" build/wlk >&2

tmp="$(mktemp -d "${TMPDIR:-/tmp}/wlk-bench-catalog.XXXXXX")"
data="$tmp/data"
mkdir -p "$data" "$tmp/nginx/tmp"
wlk_pid="" nginx_pid="" wrk_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$wrk_pid" TERM 50
    stop_pid "$nginx_pid" QUIT 50
    stop_pid "$wlk_pid" TERM
    pg_stop
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_start || die "could not start PostgreSQL"
db_args=()
[ -z "$pg_url" ] || db_args=(--database "$pg_url")

log "generating $count developments"
"$py" "$repo/scripts/demo_catalog.py" "$tmp/catalog.jsonl" --count "$count"
log "importing them ($engine)"
t0=$(date +%s.%N)
"$wlk_bin" developments import "$tmp/catalog.jsonl" --data-dir "$data" "${db_args[@]}" \
    >"$tmp/import.out" 2>"$tmp/import.err" || { tail -5 "$tmp/import.err" >&2; die "import failed"; }
t1=$(date +%s.%N)
tail -n 1 "$tmp/import.out" >&2

# the texts searched: 2-character fragments and initials of names, whole names
"$py" - "$tmp/catalog.jsonl" "$tmp/search.lua" <<'PY'
import json, random, sys
from urllib.parse import quote
rng = random.Random(7)
names = [json.loads(l)["name"] for l in open(sys.argv[1], encoding="utf-8")]
qs = []
for n in rng.sample(names, min(400, len(names))):
    i = rng.randrange(0, len(n) - 1)
    qs += [n[i:i + 2], n[:4], n]
qs += ["".join(rng.sample("blcwxyzhjsq", 3)) for _ in range(100)]
with open(sys.argv[2], "w") as f:
    f.write("local paths = {\n")
    for q in qs:
        f.write(f'  "/v1/developments?q={quote(q)}",\n')
    f.write("}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
            "  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
PY

port="$(free_port)"
"$wlk_bin" serve --listen "127.0.0.1:$port" --data-dir "$data" --threads 2 "${db_args[@]}" \
    2>"$data/log" &
wlk_pid=$!
wait_port_http "http://127.0.0.1:$port/healthz" 30 "$wlk_pid" || { tail "$data/log" >&2; die "wlk did not start"; }
sample="$(curl -s --noproxy '*' "http://127.0.0.1:$port/v1/developments?q=%E4%B8%80%E6%9C%9F" | wc -c)"

nginx_port="$(free_port)"
# a body of the same size, from a file (too long for nginx's `return`)
printf '{"p":"%s"}' "$(head -c "$((sample > 8 ? sample - 8 : 0))" /dev/zero | tr '\0' 'a')" \
    >"$tmp/nginx/body.json"
chmod a+rx "$tmp" "$tmp/nginx" && chmod a+r "$tmp/nginx/body.json" # nginx's workers drop root
cat >"$tmp/nginx/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    $(nginx_temp_paths "$tmp/nginx/tmp")
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/nginx;
        location / { default_type application/json; try_files /body.json =404; }
    }
}
NGX
"$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" &
nginx_pid=$!
wait_port_http "http://127.0.0.1:$nginx_port/" 10 "$nginx_pid" || die "nginx did not start"

run_wrk() { # name url [wrk args]
    local name="$1" url="$2"
    shift 2
    log "wrk $name: ${duration}s, 2 threads, 32 connections"
    wrk -t2 -c32 -d"${duration}s" --latency "$@" "$url" >"$tmp/wrk-$name.txt" 2>&1 &
    wrk_pid=$!
    wait "$wrk_pid" || { cat "$tmp/wrk-$name.txt" >&2; die "wrk $name failed"; }
    wrk_pid=""
    grep -E 'Non-2xx|Socket errors' "$tmp/wrk-$name.txt" >&2 || true
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk-$1.txt"; }
p99() {
    awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : -1
        if (f < 0) print "?"; else printf "%.2f", v * f }' "$tmp/wrk-$1.txt"
}
run_wrk wlk "http://127.0.0.1:$port/" -s "$tmp/search.lua"
# the same mix again: the first run is the one after a start and an import
run_wrk wlk-again "http://127.0.0.1:$port/" -s "$tmp/search.lua"
run_wrk nginx "http://127.0.0.1:$nginx_port/"
rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$wlk_pid/status")"
db_mb="$(du -sm "$data" | cut -f1)"

awk -v wr="$(rps wlk)" -v nr="$(rps nginx)" -v wp="$(p99 wlk)" -v np="$(p99 nginx)" \
    -v ar="$(rps wlk-again)" -v ap="$(p99 wlk-again)" \
    -v n="$count" -v t="$(echo "$t1 - $t0" | bc)" -v en="$engine" -v b="$sample" \
    -v rss="$rss_kb" -v db="$db_mb" -v d="$duration" 'BEGIN {
    printf "\nGET /v1/developments?q=… over %d developments, wlk --threads 2 on %s, wrk -t2 -c32 -d%ss (%d texts), a page about %d bytes\n\n", n, en, d, 1300, b
    printf "%-8s %12s %10s\n", "target", "req/s", "p99 (ms)"
    printf "%-8s %12.0f %10s   (the first run after the start)\n", "wlk", wr, wp
    printf "%-8s %12.0f %10s   (the same mix again)\n", "wlk", ar, ap
    printf "%-8s %12.0f %10s\n", "nginx", nr, np
    printf "\n%-26s %8.0f   goal >= 5000  %s\n", "wlk req/s (first run)", wr, (wr >= 5000) ? "ok" : "MISSED"
    printf "%-26s %8s   goal <= 20    %s\n", "wlk p99 (ms) (first run)", wp, (wp + 0 <= 20) ? "ok" : "MISSED"
    printf "%-26s %8s   goal <= 20    %s\n", "wlk p99 (ms) (again)", ap, (ap + 0 <= 20) ? "ok" : "MISSED"
    printf "%-26s %8.2f\n", "ratio wlk/nginx", (nr > 0) ? wr / nr : 0
    printf "%-26s %8.1f s (%.0f developments/s)\n", "import", t, n / t
    printf "%-26s %8.1f MiB, data directory %d MiB\n", "wlk RSS after the run", rss / 1024, db
}'
