#!/usr/bin/env bash
# Compares `silentfail diagnose` with panicparse on one synthetic
# debug=2 dump of N goroutines (default 1,000,000; about 300 MB), in one
# run on one machine: wall time and peak memory (/usr/bin/time %M).
#
# Reproduce (from the repository root; needs only Go and the module proxy):
#
#   bash bench/diagnose.sh            # N=1000000
#   N=100000 bash bench/diagnose.sh
#
# Environment: N, PANICPARSE_VERSION (default v2.5.0), LOCK=FILE (flock
# around each measured run). panicparse runs with -parse=false (no source
# parsing, which diagnose does not do either) and its output goes to a file.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
PANICPARSE_VERSION=${PANICPARSE_VERSION:-v2.5.0}
work=$(mktemp -d "${TMPDIR:-/tmp}/sf-bench-diagnose.XXXXXX")
trap 'rm -rf "$work"' EXIT
lock() { if [ -n "${LOCK:-}" ]; then flock "$LOCK" "$@"; else "$@"; fi; }

go build -o "$work/silentfail" ./cmd/silentfail
GOBIN="$work" go install "github.com/maruel/panicparse/v2@$PANICPARSE_VERSION"
go run ./goroutines/internal/gendump/cmd/gendump -n "$N" >"$work/dump.txt"
echo "dump: $N goroutines, $(($(stat -c %s "$work/dump.txt") / 1000000)) MB"

# measure NAME CMD...: wall seconds and max RSS in MB of one run.
measure() {
	local name=$1; shift
	lock /usr/bin/time -f '%e %M' -o "$work/t" "$@" >"$work/$name.out" 2>/dev/null || true
	[ -s "$work/$name.out" ] || { echo "bench/diagnose.sh: $name printed nothing" >&2; exit 1; }
	read -r t m < <(tail -n 1 "$work/t") # time prefixes a line when the exit status is not 0
	echo "$name $t $((m / 1024))"
}
# From the scratch directory, outside any module: diagnose then parses
# and judges only, without running the static checks (-source).
cd "$work"
{
	measure silentfail "$work/silentfail" diagnose "$work/dump.txt"
	measure panicparse "$work/panicparse" -parse=false "$work/dump.txt"
} | tee "$work/results"
awk '{ t[$1] = $2; m[$1] = $3 }
	END {
		printf "\n%-12s %8s %8s\n", "tool", "wall s", "max MB"
		for (k in t) printf "%-12s %8.2f %8d\n", k, t[k], m[k]
		printf "\nsilentfail / panicparse: wall %.2f, peak memory %.2f\n", t["silentfail"] / t["panicparse"], m["silentfail"] / m["panicparse"]
	}' "$work/results"
