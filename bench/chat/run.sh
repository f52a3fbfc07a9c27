#!/usr/bin/env bash
# bench/chat/run.sh — chat throughput, latency and idle WebSocket memory of `wlk serve`.
#
# Builds the load generator (bench/chat/chat.c) into build/bench/chat/chat,
# starts wlk on a free loopback port with a fresh data directory, signs in
# 2*P users (SMS code from the local sink), opens one conversation per pair,
# then runs:
#   a) throughput: P pairs, window mode (W outstanding sends per connection)
#      -> delivered messages/s                         goal >= 20000
#   b) latency: fixed rate R msg/s over the same pairs -> p50 / p99  goal p99 <= 20 ms
#   c) idle memory: wlk is restarted on the same data directory, primed, its
#      VmRSS read, N idle WebSockets opened, VmRSS read again
#      -> (after - before) / N in KB per connection    goal <= 10 KB
# and prints the figures next to the goals.
#
# Usage: bench/chat/run.sh
# Env:   CHAT_BENCH_DURATION  measured seconds of a) and b) (default 10)
#        CHAT_BENCH_WARMUP    seconds of traffic before measuring (default 2)
#        CHAT_BENCH_PAIRS     P (default 32)
#        CHAT_BENCH_WINDOW    W (default 16)
#        CHAT_BENCH_RATE      R (default 5000)
#        CHAT_BENCH_IDLE      N (default 10000)
#        CHAT_BENCH_THREADS   generator threads (default 1)
#        CHAT_BENCH_KEEP=1    keep the temporary directory (data dir, logs, outputs)
#        BENCH_ENGINE         sqlite (default) or postgres: a throwaway PostgreSQL 15
#                             cluster (default durability); goals >= 5000 msg/s and
#                             p99 <= 50 ms at 2500 msg/s (R's default there)
#        CHAT_BENCH_NODES     1 (default) or 2: two nodes on one PostgreSQL database
#                             and one nats-server (--bus); each pair's second member
#                             and every other idle connection on node 2, so every
#                             message crosses the bus. Implies BENCH_ENGINE=postgres;
#                             c) reports each node's memory per connection
#        WLK_BIN              wlk binary (default <repo>/build/wlk)
#
# All traffic goes to 127.0.0.1 only. This prints figures; it is not a
# pass/fail test (exit 0 unless the setup itself fails).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
wlk_bin="${WLK_BIN:-$repo/build/wlk}"
gen="$repo/build/bench/chat/chat"
duration="${CHAT_BENCH_DURATION:-10}"
warmup="${CHAT_BENCH_WARMUP:-2}"
pairs="${CHAT_BENCH_PAIRS:-32}"
window="${CHAT_BENCH_WINDOW:-16}"
engine="${BENCH_ENGINE:-sqlite}"
if [ "$engine" = postgres ]; then
    rate="${CHAT_BENCH_RATE:-2500}"
else
    rate="${CHAT_BENCH_RATE:-5000}"
fi
idle_n="${CHAT_BENCH_IDLE:-10000}"
nodes="${CHAT_BENCH_NODES:-1}"
case "$nodes" in
1) ;;
2) engine=postgres; export BENCH_ENGINE=postgres; rate="${CHAT_BENCH_RATE:-2500}" ;;
*) echo "CHAT_BENCH_NODES must be 1 or 2, got '$nodes'" >&2; exit 2 ;;
esac
gen_threads="${CHAT_BENCH_THREADS:-1}"
py=/usr/bin/python3
goal_tput=20000
goal_p99_ms=20
if [ "$engine" = postgres ]; then
    goal_tput=5000
    goal_p99_ms=50
fi
goal_kb=10

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'chat bench: %s\n' "$*" >&2; exit 1; }

for v in duration pairs window rate idle_n gen_threads; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
[[ "$warmup" =~ ^[0-9]+$ ]] || die "CHAT_BENCH_WARMUP must be an integer, got '$warmup'"
[ -x "$py" ] || die "$py not found"
command -v curl >/dev/null 2>&1 || die "curl not found"

# ---------------------------------------------------------------- build
if [ ! -x "$wlk_bin" ]; then
    log "building $wlk_bin"
    make -C "$repo" build/wlk >&2 || make -C "$repo" >&2
fi
[ -x "$wlk_bin" ] || die "$wlk_bin not found (build failed?)"

log "building $gen"
mkdir -p "$(dirname "$gen")"
${CC:-cc} -std=gnu17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -pthread \
    -o "$gen" "$repo/bench/chat/chat.c" "$repo/bench/chat/wsutil.c" ||
    die "could not build the load generator"

# ---------------------------------------------------------------- descriptors
# Both wlk and the generator hold N sockets in scenario c); both inherit this.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile="$(ulimit -n)"
if [ "$nofile" != unlimited ] && [ "$nofile" -lt $((idle_n + 512)) ]; then
    log "warning: ulimit -n is $nofile (hard limit $(ulimit -Hn)); $idle_n idle connections may not fit"
fi

# ---------------------------------------------------------------- cleanup
tmp="$(mktemp -d "${TMPDIR:-/tmp}/wlk-chat-bench.XXXXXX")"
data="$tmp/data" # node 1's; node n's is $tmp/data<n>
mkdir -p "$data"
wlk_pid=""      # node 1; all nodes: pids[], ports[]
pids=()
ports=()
nats_pid=""
gen_pid=""

. "$repo/bench/lib.sh"

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$gen_pid" TERM
    local p
    for p in "${pids[@]}"; do stop_pid "$p" TERM; done
    stop_pid "$nats_pid" TERM
    pg_stop
    if [ "${CHAT_BENCH_KEEP:-0}" = 1 ]; then
        log "kept $tmp"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_start || die "could not start PostgreSQL"
db_args=()
[ -z "$pg_url" ] || db_args=(--database "$pg_url")
bus_args=()
if [ "$nodes" = 2 ]; then
    nats_bin="$(command -v nats-server 2>/dev/null || echo /usr/sbin/nats-server)"
    [ -x "$nats_bin" ] || apt_install nats-server || die "could not install nats-server"
    nats_port="$(free_port)"
    "$nats_bin" -a 127.0.0.1 -p "$nats_port" >"$tmp/nats.log" 2>&1 &
    nats_pid=$!
    wait_port "$nats_port" 10 "$nats_pid" || die "nats-server did not start"
    bus_args=(--bus "nats://127.0.0.1:$nats_port")
fi

# ---------------------------------------------------------------- helpers

http_code() { # path -> HTTP status of a GET without credentials
    curl --noproxy '*' -sS -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$wlk_port$1" 2>/dev/null || echo 000
}

start_wlk() { # log file: starts the node(s); node 1 is wlk_port / wlk_pid
    pids=()
    ports=()
    local n dir key
    for n in $(seq 1 "$nodes"); do
        dir="$data"
        key=()
        if [ "$n" -gt 1 ]; then dir="$data$n"; key=(--master-key-file "$data/master.key"); fi
        ports+=("$(free_port)")
        log "starting wlk node $n on 127.0.0.1:${ports[-1]} (data $dir, $engine)"
        "$wlk_bin" serve --listen "127.0.0.1:${ports[-1]}" --data-dir "$dir" --threads 2 \
            --node-id "$n" --sms-interval 0 --sms-ip-limit 100000 "${db_args[@]}" \
            "${bus_args[@]}" "${key[@]}" 2>>"$1.$n" &
        pids+=($!)
        wait_port_http "http://127.0.0.1:${ports[-1]}/healthz" 15 "${pids[-1]}" ||
            { tail -n 20 "$1.$n" >&2 || true; die "wlk node $n did not become ready"; }
    done
    wlk_port="${ports[0]}"
    wlk_pid="${pids[0]}"
}

# Dies with the end of wlk's log when wlk is gone (e.g. crashed during a step).
wlk_alive() { # step
    local i
    for i in "${!pids[@]}"; do
        if ! kill -0 "${pids[$i]}" 2>/dev/null; then
            local rc=0
            wait "${pids[$i]}" 2>/dev/null || rc=$?
            pids[$i]=""
            tail -n 5 "$tmp/wlk.log.$((i + 1))" >&2 || true
            die "wlk node $((i + 1)) exited (status $rc) during: $1"
        fi
    done
}

rss_kb() { # node index (0-based)
    awk '/^VmRSS:/ {print $2}' "/proc/${pids[$1]}/status" 2>/dev/null || true
}

# the generator's --url (and --url2 on two nodes)
gen_urls() {
    printf -- '--url\n127.0.0.1:%s\n' "${ports[0]}"
    [ "$nodes" = 1 ] || printf -- '--url2\n127.0.0.1:%s\n' "${ports[1]}"
}

# Runs the generator in the background (so that a signal to this script is
# handled at once) and waits. out file, then generator arguments.
run_gen() {
    local out="$1"
    shift
    mapfile -t urls < <(gen_urls)
    "$gen" "${urls[@]}" "$@" >"$out" 2>"$out.err" &
    gen_pid=$!
    local rc=0
    wait "$gen_pid" || rc=$?
    gen_pid=""
    cat "$out"
    if [ "$rc" -ne 0 ]; then
        log "generator exited with $rc:"
        cat "$out.err" >&2
    fi
    return 0
}

field() { # file key -> first word after "key:"
    awk -v k="$2:" '$1 == k {print $2; exit}' "$1"
}
lat() { # file key pNN -> value after pNN on the "key:" line
    awk -v k="$2:" -v p="$3" '$1 == k { for (i = 2; i < NF; i++) if ($i == p) { print $(i + 1); exit } }' "$1"
}

# ---------------------------------------------------------------- start wlk
start_wlk "$tmp/wlk.log"

# ---------------------------------------------------------------- sign in
users=$((2 * pairs))
log "signing in $users users"
sinks="$data/sink/sms.jsonl"
[ "$nodes" = 1 ] || sinks+=",${data}2/sink/sms.jsonl" # either node's worker may hand a code over
"$py" - "$wlk_port" "$sinks" "$users" "$tmp" <<'PY' || die "sign-in failed (see above)"
import json, sys, time, urllib.error, urllib.request

port, sink, users, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
base = "http://127.0.0.1:%d" % port
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only

def call(method, path, body=None, token=None, ok=(200,)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with opener.open(req, timeout=10) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if status not in ok:
        sys.exit("%s %s -> %d: %s" % (method, path, status, raw[:300].decode("utf-8", "replace")))
    return status, (json.loads(raw) if raw else None)

phones = ["139%08d" % (10000000 + i) for i in range(users)]
for p in phones:
    call("POST", "/v1/auth/sms-code", {"phone": p}, ok=(202,))

codes = {}
deadline = time.time() + 15
while len(codes) < users and time.time() < deadline:
    for path in sink.split(","):
        try:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    try:
                        m = json.loads(line)
                    except ValueError:
                        continue  # a line still being written
                    if m.get("template") == "login_code":
                        codes[m.get("to", "")[-11:]] = m.get("params", {}).get("code", "")
        except FileNotFoundError:
            pass
    if len([p for p in phones if p in codes]) < users:
        time.sleep(0.1)
    else:
        break
missing = [p for p in phones if not codes.get(p)]
if missing:
    sys.exit("no login code in %s for %d of %d phones after 15 s" % (sink, len(missing), users))

_, policy = call("GET", "/v1/privacy/policy")
tokens, ids = [], []
for p in phones:
    _, r = call("POST", "/v1/auth/login", {"phone": p, "code": codes[p], "device": {"id": "bench"},
                                           "accept_policy_version": policy["version"]})
    tokens.append(r["token"])
    ids.append(r["user"]["id"])
for t, i in zip(tokens, ids):
    _, me = call("GET", "/v1/me", token=t)
    assert me["id"] == i, (me, i)
with open(out + "/tokens", "w") as f:
    f.write("".join(t + "\n" for t in tokens))
print("signed in %d users, ids %s..%s" % (users, ids[0], ids[-1]), file=sys.stderr)
with open(out + "/user_ids", "w") as f:
    f.write("".join(i + "\n" for i in ids))
PY

# ---------------------------------------------------------------- chat present?
ws_status="$(http_code /v1/ws)"
wlk_alive "GET /v1/ws without a token (expected 401)"
if [ "$ws_status" = 404 ]; then
    log "sign-in works ($users tokens in $tmp/tokens), but GET /v1/ws -> 404: chat is not implemented yet"
    exit 3
fi

# ---------------------------------------------------------------- conversations
log "opening $pairs conversations"
"$py" - "$wlk_port" "$tmp" <<'PY' || die "creating conversations failed (see above)"
import json, sys, urllib.error, urllib.request

port, out = int(sys.argv[1]), sys.argv[2]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
tokens = [l.strip() for l in open(out + "/tokens") if l.strip()]
ids = [l.strip() for l in open(out + "/user_ids") if l.strip()]
convs = []
for k in range(len(tokens) // 2):
    req = urllib.request.Request("http://127.0.0.1:%d/v1/conversations" % port, method="POST",
                                 data=json.dumps({"peer_id": ids[2 * k + 1]}).encode())
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", "Bearer " + tokens[2 * k])
    try:
        with opener.open(req, timeout=10) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if status not in (200, 201):
        sys.exit("POST /v1/conversations -> %d: %s" % (status, raw[:300].decode("utf-8", "replace")))
    convs.append(json.loads(raw)["id"])
with open(out + "/conversations", "w") as f:
    f.write("".join(c + "\n" for c in convs))
PY

common=(--tokens "$tmp/tokens" --conversations "$tmp/conversations" --connections "$users"
    --duration "$duration" --warmup "$warmup" --threads "$gen_threads")

# ---------------------------------------------------------------- a) throughput
log "a) throughput: $pairs pairs, window $window, ${duration}s (+${warmup}s warmup)"
run_gen "$tmp/a.out" "${common[@]}" --window "$window"
wlk_alive "scenario a"
tput="$(field "$tmp/a.out" delivered_per_s)"

# ---------------------------------------------------------------- b) latency
log "b) latency: $rate msg/s over $pairs pairs, ${duration}s (+${warmup}s warmup)"
run_gen "$tmp/b.out" "${common[@]}" --rate "$rate"
wlk_alive "scenario b"
b_rate="$(field "$tmp/b.out" delivered_per_s)"
p50="$(lat "$tmp/b.out" latency_ms p50)"
p99="$(lat "$tmp/b.out" latency_ms p99)"

# ---------------------------------------------------------------- c) idle memory
log "c) idle memory: restarting wlk on the same data directory"
for p in "${pids[@]}"; do stop_pid "$p" TERM; done
start_wlk "$tmp/wlk.log"
mapfile -t urls < <(gen_urls)
# Prime: a few connections open and close, so that first-use costs (SQLite
# page cache, thread arenas) are in the baseline, not in the per-connection figure.
"$gen" "${urls[@]}" --tokens "$tmp/tokens" --idle 64 --duration 1 \
    >"$tmp/c0.out" 2>"$tmp/c0.out.err" || log "warning: priming run failed: $(cat "$tmp/c0.out.err")"
sleep 2
wlk_alive "priming scenario c"
rss_before=()
for i in "${!pids[@]}"; do
    rss_before+=("$(rss_kb "$i")")
    [ -n "${rss_before[$i]}" ] || die "cannot read VmRSS of wlk node $((i + 1))"
done

slab_kb() { awk '$1 == "Slab:" {print $2}' /proc/meminfo; }
slab_before="$(slab_kb)"

log "c) opening $idle_n idle WebSocket connections"
"$gen" "${urls[@]}" --tokens "$tmp/tokens" --idle "$idle_n" --duration 0 \
    --source-addrs 8 >"$tmp/c.out" 2>"$tmp/c.out.err" &
gen_pid=$!
upgraded=""
for _ in $(seq 1 1800); do
    if grep -q '^idle connections upgraded:' "$tmp/c.out" 2>/dev/null; then
        upgraded="$(awk '/^idle connections upgraded:/ {print $4; exit}' "$tmp/c.out")"
        break
    fi
    kill -0 "$gen_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$upgraded" ] || { cat "$tmp/c.out.err" >&2; die "idle connections did not come up within 180 s"; }
sleep 2 # let wlk settle (hello frames flushed, buffers shrunk)
wlk_alive "scenario c"
rss_after=()
for i in "${!pids[@]}"; do
    rss_after+=("$(rss_kb "$i")")
    [ -n "${rss_after[$i]}" ] || die "cannot read VmRSS of wlk node $((i + 1)) after opening the idle connections"
done
slab_after="$(slab_kb)"
stop_pid "$gen_pid" TERM
gen_pid=""
cat "$tmp/c.out"
# the kernel's side (sockets, epoll items, files): both ends of each loopback
# connection are on this machine, so the slab growth is halved per end
kernel_kb="$(awk -v a="$slab_after" -v b="$slab_before" -v n="$upgraded" \
    'BEGIN { if (n > 0) printf "%.2f", (a - b) / n / 2; else print "n/a" }')"
# each node holds its share of the connections (the generator alternates them)
kb_of() { # node index
    awk -v a="${rss_after[$1]}" -v b="${rss_before[$1]}" -v n="$upgraded" -v k="$nodes" \
        'BEGIN { if (n > 0) printf "%.2f", (a - b) / (n / k); else print "n/a" }'
}
kb_per_conn="$(kb_of 0)"
kb_nodes=""
for i in "${!pids[@]}"; do kb_nodes+="${kb_nodes:+, }node $((i + 1)) $(kb_of "$i")"; done

lost() { # generator output: acknowledged sends that no peer connection heard
    awk '$1 == "acked:" {a = $2} $1 == "delivered:" {d = $2} END { print a - d }' "$1"
}

# ---------------------------------------------------------------- report
num() { [[ "${1:-}" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
verdict() { # ok-condition-as-awk value goal op
    if ! num "$1"; then echo "n/a"; return; fi
    awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN {
        ok = (op == ">=") ? (v + 0 >= g + 0) : (v + 0 <= g + 0); print ok ? "ok" : "MISSED" }'
}

where="$engine"
[ "$nodes" = 1 ] || where="$engine, 2 nodes on one NATS bus, every pair split over the nodes"
printf '\nwlk chat on %s, --threads 2, %d pairs (%d WebSocket connections), generator %d thread(s), %ss measured after %ss warmup\n\n' \
    "$where" "$pairs" "$users" "$gen_threads" "$duration" "$warmup"
printf '%-44s %-24s %-16s %s\n' "scenario" "figure" "goal" ""
printf '%-44s %-24s %-16s %s\n' "a) throughput, window $window/connection" \
    "${tput:-n/a} msg/s" ">= $goal_tput" "$(verdict "${tput:-}" "$goal_tput" ">=")"
printf '%-44s %-24s %-16s %s\n' "b) latency at $rate msg/s (got ${b_rate:-n/a}/s)" \
    "p50 ${p50:-n/a} p99 ${p99:-n/a} ms" "p99 <= $goal_p99_ms ms" "$(verdict "${p99:-}" "$goal_p99_ms" "<=")"
printf '%-44s %-24s %-16s %s\n' "c) idle memory, $upgraded of $idle_n connections" \
    "$kb_per_conn KB/conn" "<= $goal_kb KB" "$(verdict "$kb_per_conn" "$goal_kb" "<=")"
printf '   (%s KB/conn; wlk VmRSS %s KB before, %s KB after)\n' "$kb_nodes" "${rss_before[*]}" "${rss_after[*]}"
printf '   kernel memory per connection end (slab growth / 2): %s KB\n' "$kernel_kb"
printf '   acknowledged but never delivered: a) %s, b) %s\n' "$(lost "$tmp/a.out")" "$(lost "$tmp/b.out")"
