#!/usr/bin/env bash
# Runs every fuzz target of the module, one after the other, for FUZZTIME
# each, and prints one line per target: time, executions, result.
#
# Usage (from anywhere):
#
#   scripts/fuzz.sh                  # every target, 3 minutes each
#   FUZZTIME=30s scripts/fuzz.sh     # a quicker pass
#   scripts/fuzz.sh FuzzParseDump    # only the targets named
#
# Environment:
#   FUZZTIME=3m   how long each target runs (go test -fuzztime)
#   PARALLEL=1    fuzzing workers per target (go test -parallel)
#   LOCK=FILE     run each target under `flock FILE` (shared machines)
#
# A failing input is written by go test to
# <package>/testdata/fuzz/<Target>/<hash>; commit it with the fix and it
# runs as a regression test in every `go test`.
#
# Exit status: 0 no target failed, 1 some target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-3m}
PARALLEL=${PARALLEL:-1}

# target lines: "./dir FuzzName"
mapfile -t targets < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . |
	sed 's#^\(.*\)/[^/]*_test\.go:func \(.*\)#\1 \2#' | LC_ALL=C sort -u)
if [ $# -gt 0 ]; then
	want=" $* "
	mapfile -t targets < <(for t in "${targets[@]}"; do [[ $want == *" ${t#* } "* ]] && echo "$t"; done)
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no fuzz target matches: $*" >&2; exit 2; }

log=$(mktemp "${TMPDIR:-/tmp}/sf-fuzz.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
for t in "${targets[@]}"; do
	dir=${t% *} name=${t#* }
	cmd=(go test "$dir" -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" -parallel "$PARALLEL")
	set +e
	if [ -n "${LOCK:-}" ]; then flock "$LOCK" "${cmd[@]}"; else "${cmd[@]}"; fi >"$log" 2>&1
	rc=$?
	set -e
	last=$(grep -o 'elapsed: [^,]*, execs: [0-9]*' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "$dir $name: ok ($last)"
	else
		status=1
		echo "$dir $name: FAIL ($last)"
		grep -E 'Failing input written to|^    [a-z_]+_test\.go:[0-9]+:|panic:' "$log" | head -n 10 | sed 's/^/    /'
	fi
done
exit $status
