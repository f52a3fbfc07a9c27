#!/usr/bin/env bash
# bench/http.sh — throughput and idle memory of `wlk serve`, next to nginx.
#
# Starts wlk on a free loopback port with a fresh data directory, signs in one
# user, then runs wrk against GET /v1/me and against an nginx that returns a
# static JSON body of the same size from memory. Prints req/s and p99 for
# both, the ratio wlk/nginx and wlk's idle RSS, with the goals.
#
# Usage: bench/http.sh
# Env:   BENCH_DURATION  seconds per wrk run (default 10)
#        BENCH_KEEP=1    keep the temporary directory (data dir, logs)
#        BENCH_ENGINE    sqlite (default) or postgres: a throwaway PostgreSQL 15
#                        cluster with default durability, in the same directory
#        WLK_BIN         wlk binary (default <repo>/build/wlk)
#
# All traffic goes to 127.0.0.1 only (apt-get aside, when wrk or nginx must be
# installed). This prints figures; it is not a pass/fail test.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wlk_bin="${WLK_BIN:-$repo/build/wlk}"
duration="${BENCH_DURATION:-10}"
py=/usr/bin/python3
phone="13800138000"
goal_ratio="0.6"
goal_rss_mb="30"

if ! [[ "$duration" =~ ^[1-9][0-9]*$ ]]; then
    echo "BENCH_DURATION must be a positive integer (seconds), got '$duration'" >&2
    exit 2
fi

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
. "$repo/bench/lib.sh"

need_pkgs=()
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
nginx_bin="$(command -v nginx 2>/dev/null || true)"
if [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ]; then nginx_bin=/usr/sbin/nginx; fi
[ -n "$nginx_bin" ] || need_pkgs+=(nginx-light)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    apt_install "${need_pkgs[@]}" || die "could not install ${need_pkgs[*]}"
    nginx_bin="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
fi
[ -x "$py" ] || die "$py not found"
[ -x "$nginx_bin" ] || die "nginx not found after install"

if [ ! -x "$wlk_bin" ]; then
    log "building $wlk_bin"
    make -C "$repo" build/wlk >&2 || make -C "$repo" >&2
fi
[ -x "$wlk_bin" ] || die "$wlk_bin not found (build failed?)"

# ---------------------------------------------------------------- cleanup
tmp="$(mktemp -d "${TMPDIR:-/tmp}/wlk-bench.XXXXXX")"
data="$tmp/data"
ngx="$tmp/nginx"
mkdir -p "$data" "$ngx/tmp"
wlk_pid=""
nginx_pid=""
wrk_pid=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$wrk_pid" TERM 50
    stop_pid "$nginx_pid" QUIT 50
    stop_pid "$wlk_pid" TERM
    pg_stop
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        log "kept $tmp"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers

# JSON field from stdin: json_get KEY  (dotted path)
json_get() {
    "$py" -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
print(v)' "$1"
}

# curl only to loopback, never through a proxy. Prints body; status to $tmp/status.
http() { # method path [body] [token]
    local method="$1" path="$2" body="${3:-}" token="${4:-}"
    local args=(--noproxy '*' -sS -m 10 -o "$tmp/body" -w '%{http_code}' -X "$method")
    if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
    if [ -n "$token" ]; then args+=(-H "Authorization: Bearer $token"); fi
    curl "${args[@]}" "http://127.0.0.1:$wlk_port$path" >"$tmp/status" || echo 000 >"$tmp/status"
    cat "$tmp/body" 2>/dev/null || true
}
status() { cat "$tmp/status"; }


# ---------------------------------------------------------------- start wlk
pg_start || die "could not start PostgreSQL"
db_args=()
[ -z "$pg_url" ] || db_args=(--database "$pg_url")
engine="${BENCH_ENGINE:-sqlite}"
wlk_port="$(free_port)"
log "starting wlk on 127.0.0.1:$wlk_port (data $data, $engine)"
"$wlk_bin" serve --listen "127.0.0.1:$wlk_port" --data-dir "$data" --threads 2 "${db_args[@]}" \
    2>"$data/log" &
wlk_pid=$!
if ! wait_port_http "http://127.0.0.1:$wlk_port/healthz" 15 "$wlk_pid"; then
    tail -n 20 "$data/log" >&2 || true
    die "wlk did not become ready"
fi

# ---------------------------------------------------------------- sign in
log "signing in one user"
http POST /v1/auth/sms-code "{\"phone\":\"$phone\"}" >/dev/null
[ "$(status)" = 202 ] || die "POST /v1/auth/sms-code -> $(status): $(cat "$tmp/body")"

code=""
for _ in $(seq 1 100); do
    if [ -s "$data/sink/sms.jsonl" ]; then
        code="$("$py" -c '
import json, sys
code = ""
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line:
        continue
    try:
        m = json.loads(line)
    except ValueError:
        continue  # a line still being written
    if m.get("template") == "login_code":
        code = m.get("params", {}).get("code", "")
print(code)' "$data/sink/sms.jsonl")"
        [ -n "$code" ] && break
    fi
    sleep 0.1
done
[ -n "$code" ] || die "no login code in $data/sink/sms.jsonl after 10 s"

http GET /v1/privacy/policy >/dev/null
[ "$(status)" = 200 ] || die "GET /v1/privacy/policy -> $(status)"
policy_version="$(json_get version <"$tmp/body")" || die "no version in the policy"

login_body="$("$py" -c '
import json, sys
print(json.dumps({"phone": sys.argv[1], "code": sys.argv[2],
                  "device": {"id": "bench"}, "accept_policy_version": sys.argv[3]}))' \
    "$phone" "$code" "$policy_version")"
http POST /v1/auth/login "$login_body" >/dev/null
[ "$(status)" = 200 ] || die "POST /v1/auth/login -> $(status): $(cat "$tmp/body")"
token="$(json_get token <"$tmp/body")" || die "no token in the login response"

http GET /v1/me "" "$token" >/dev/null
[ "$(status)" = 200 ] || die "GET /v1/me -> $(status)"
me_bytes="$(wc -c <"$tmp/body" | tr -d ' ')"

# ---------------------------------------------------------------- idle RSS
sleep 1
rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$wlk_pid/status" 2>/dev/null || true)"
[ -n "$rss_kb" ] || die "cannot read VmRSS of wlk (pid $wlk_pid)"
rss_mb="$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"

# ---------------------------------------------------------------- nginx
nginx_port="$(free_port)"
# A JSON body of exactly $me_bytes bytes: {"p":"aaa..."} (8 bytes + padding).
pad=$((me_bytes > 8 ? me_bytes - 8 : 0))
static_body="{\"p\":\"$(head -c "$pad" /dev/zero | tr '\0' 'a')\"}"

temp_paths="$(nginx_temp_paths "$ngx/tmp")"

cat >"$ngx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    $temp_paths
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            default_type application/json;
            return 200 '$static_body';
        }
    }
}
EOF
log "starting nginx on 127.0.0.1:$nginx_port (body $me_bytes bytes)"
"$nginx_bin" -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" &
nginx_pid=$!
if ! wait_port_http "http://127.0.0.1:$nginx_port/" 10 "$nginx_pid"; then
    cat "$ngx/error.log" >&2 || true
    die "nginx did not start"
fi

# ---------------------------------------------------------------- wrk
run_wrk() { # name url [header]
    local name="$1" url="$2" out="$tmp/wrk-$1.txt"
    shift 2
    log "wrk $name: ${duration}s, 2 threads, 64 connections"
    # In the background, so that a signal to this script is handled at once.
    wrk -t2 -c64 -d"${duration}s" --latency "$@" "$url" >"$out" 2>&1 &
    wrk_pid=$!
    if ! wait "$wrk_pid"; then
        wrk_pid=""
        cat "$out" >&2
        die "wrk against $name failed"
    fi
    wrk_pid=""
    if grep -q -E 'Non-2xx or 3xx responses|Socket errors' "$out"; then
        log "warning: $name had errors:"
        grep -E 'Non-2xx or 3xx responses|Socket errors' "$out" >&2
    fi
}

# "Requests/sec: 12345.67" -> 12345.67
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk-$1.txt"; }
# "     99%    1.23ms" -> milliseconds
wrk_p99_ms() {
    awk '$1 == "99%" {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
        if (f < 0) print "?"; else printf "%.2f", v * f
    }' "$tmp/wrk-$1.txt"
}

run_wrk wlk "http://127.0.0.1:$wlk_port/v1/me" -H "Authorization: Bearer $token"
run_wrk nginx "http://127.0.0.1:$nginx_port/v1/me"

wlk_rps="$(wrk_rps wlk)"
nginx_rps="$(wrk_rps nginx)"
wlk_p99="$(wrk_p99_ms wlk)"
nginx_p99="$(wrk_p99_ms nginx)"
if [ -z "$wlk_rps" ] || [ -z "$nginx_rps" ] || [ -z "$wlk_p99" ] || [ -z "$nginx_p99" ]; then
    die "could not parse wrk output (rerun with BENCH_KEEP=1 and see $tmp)"
fi

# Check the token still works (no accidental 401s during the run).
http GET /v1/me "" "$token" >/dev/null
[ "$(status)" = 200 ] || log "warning: GET /v1/me after the run -> $(status)"

# ---------------------------------------------------------------- report
awk -v wr="$wlk_rps" -v nr="$nginx_rps" -v wp="$wlk_p99" -v np="$nginx_p99" \
    -v rss="$rss_mb" -v gr="$goal_ratio" -v gm="$goal_rss_mb" \
    -v d="$duration" -v b="$me_bytes" -v en="$engine" 'BEGIN {
    printf "\nGET /v1/me, wrk -t2 -c64 -d%ss, wlk --threads 2 on %s, nginx 2 workers, body %d bytes\n\n", d, en, b
    printf "%-8s %12s %10s\n", "target", "req/s", "p99 (ms)"
    printf "%-8s %12.0f %10s\n", "wlk", wr, wp
    printf "%-8s %12.0f %10s\n", "nginx", nr, np
    ratio = (nr > 0) ? wr / nr : 0
    printf "\n%-22s %8.2f   goal >= %s  %s\n", "ratio wlk/nginx", ratio, gr, (ratio >= gr) ? "ok" : "MISSED"
    printf "%-22s %8s   goal <  %s  %s\n", "wlk idle RSS (MiB)", rss, gm, (rss + 0 < gm + 0) ? "ok" : "MISSED"
}'
