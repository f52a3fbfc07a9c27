#!/bin/sh
# e2e-both.sh — the black-box suite on both engines side by side: SQLite in
# the foreground, PostgreSQL (a throwaway cluster the harness starts) in the
# background with its output kept in build/e2e-postgres.log and shown at the
# end (without the browser tests, below). The suites spend most of their
# time waiting (browsers, timeouts), so together they take little longer
# than one. Exit status: non-zero if either failed.
set -u
cd "$(dirname "$0")/.."
mkdir -p build
log=build/e2e-postgres.log
# The browser tests (test_web_*) run once, on SQLite: the pages see only the
# HTTP API, whose every route the API tests cover on both engines, and two
# passes of some hundred Chromium sessions side by side on two cores would
# take most of the CI budget twice. `make e2e ENGINE=postgres` runs them too.
make --no-print-directory e2e ENGINE=postgres WLK_BIN="$1" \
    E2E_ARGS="--ignore-glob=*/test_web_*" >"$log" 2>&1 &
pg=$!
make --no-print-directory e2e ENGINE=sqlite WLK_BIN="$1"
lite=$?
wait $pg
post=$?
echo "== black-box tests on postgres (output of the background run, $log)"
if [ $post -eq 0 ]; then tail -n 3 "$log"; else cat "$log"; fi
echo "== sqlite: $( [ $lite -eq 0 ] && echo passed || echo FAILED ), postgres: $( [ $post -eq 0 ] && echo passed || echo FAILED )"
[ $lite -eq 0 ] && [ $post -eq 0 ]
