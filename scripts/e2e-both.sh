#!/bin/sh
# e2e-both.sh — the black-box suite on both engines side by side: SQLite in
# the foreground, PostgreSQL (a throwaway cluster the harness starts) in the
# background with its output kept in build/e2e-postgres.log and shown at the
# end. The suites spend most of their time waiting (browsers, timeouts), so
# together they take little longer than one. Exit status: non-zero if either
# failed.
set -u
cd "$(dirname "$0")/.."
mkdir -p build
log=build/e2e-postgres.log
make --no-print-directory e2e ENGINE=postgres WLK_BIN="$1" >"$log" 2>&1 &
pg=$!
make --no-print-directory e2e ENGINE=sqlite WLK_BIN="$1"
lite=$?
wait $pg
post=$?
echo "== black-box tests on postgres (output of the background run, $log)"
if [ $post -eq 0 ]; then tail -n 3 "$log"; else cat "$log"; fi
echo "== sqlite: $( [ $lite -eq 0 ] && echo passed || echo FAILED ), postgres: $( [ $post -eq 0 ] && echo passed || echo FAILED )"
[ $lite -eq 0 ] && [ $post -eq 0 ]
