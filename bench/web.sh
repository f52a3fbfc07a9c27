#!/usr/bin/env bash
# bench/web.sh — the web client in headless Chromium: bytes shipped for the
# first load (compressed JS+CSS, budget 150 KB), time to first render, and
# messages per second one tab renders when 1,000 arrive in a burst.
#
# Usage: bench/web.sh          (builds build/wlk when missing)
# Env:   BENCH_RUNS   cold loads to time (default 5)
#        BENCH_BURST  messages in the burst (default 1000)
#        WLK_BIN      wlk binary (default <repo>/build/wlk)
# Prints figures; it is not a pass/fail test.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
scripts/deps.sh --check --test 2>/dev/null || scripts/deps.sh --test
[ -x "${WLK_BIN:-build/wlk}" ] || make build/wlk >/dev/null
exec /usr/bin/python3 bench/web.py
