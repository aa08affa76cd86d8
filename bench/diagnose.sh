#!/usr/bin/env bash
# Compares `silentfail diagnose` with panicparse on synthetic debug=2
# dumps of 100,000, 1,000,000 and 10,000,000 goroutines
# (goroutines/internal/gendump), in one run on one machine: wall time,
# CPU time (user + system) and peak memory (/usr/bin/time %e %U %S %M),
# and the ratios silentfail / panicparse at each size.
#
# Reproduce (from the repository root; needs only Go and the module proxy):
#
#   bash bench/diagnose.sh                  # NS="100000 1000000 10000000"
#   NS=1000000 bash bench/diagnose.sh       # one size
#   SHUFFLE=1 bash bench/diagnose.sh        # ids in a random order (gendump -shuffle)
#
# Environment: NS (sizes, ascending), SHUFFLE (non-empty: the leaked
# goroutines' ids listed in a random order, as a runtime that reuses
# goroutine structures lists them), PANICPARSE_VERSION (default
# v2.5.0), LOCK=FILE (flock around each measured run), FILE_MAX (default
# 1000000: larger dumps are not written to disk).
#
# A dump of up to FILE_MAX goroutines is written to a file first (1M is
# about 300 MB) and both tools read the file. A larger one (10M is about
# 3 GB, more than a small disk may hold) is streamed: gendump writes
# into a fifo that silentfail diagnose reads, and only diagnose is
# measured. Its wall time is then at least gendump's (which the script
# measures alone, writing to /dev/null, and prints) and includes the
# pipe; its CPU time is its own work. panicparse holds every goroutine
# in memory: when the memory it took at the largest size run so far,
# scaled to N, exceeds what the machine has available, it is skipped at
# N and the script says so (at 10M it would need about 30 GB).
#
# panicparse runs with -parse=false (no source parsing, which diagnose
# does not do either) and its output goes to a file; both run from a
# scratch directory outside any module, so that diagnose parses and
# judges only, without running the static checks (-source).
set -euo pipefail
cd "$(dirname "$0")/.."
NS=${NS:-${N:-100000 1000000 10000000}}
FILE_MAX=${FILE_MAX:-1000000}
PANICPARSE_VERSION=${PANICPARSE_VERSION:-v2.5.0}
work=$(mktemp -d "${TMPDIR:-/tmp}/sf-bench-diagnose.XXXXXX")
trap 'rm -rf "$work"' EXIT
lock() { if [ -n "${LOCK:-}" ]; then flock "$LOCK" "$@"; else "$@"; fi; }

go build -o "$work/silentfail" ./cmd/silentfail
go build -o "$work/gendump" ./goroutines/internal/gendump/cmd/gendump
GOBIN="$work" go install "github.com/maruel/panicparse/v2@$PANICPARSE_VERSION"
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)

# measure N NAME CMD...: one run of CMD; appends "N NAME wall cpu MB"
# to the results.
measure() {
	local n=$1 name=$2; shift 2
	lock /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >"$work/$name.out" 2>/dev/null || true
	[ -s "$work/$name.out" ] || { echo "bench/diagnose.sh: $name printed nothing at N=$n" >&2; exit 1; }
	local t u s m
	read -r t u s m < <(tail -n 1 "$work/t") # time prefixes a line when the exit status is not 0
	echo "$n $name $t $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }') $((m / 1024))" | tee -a "$work/results"
	rm -f "$work/$name.out"
}

cd "$work"
pp_n=0 pp_kb=0 # the largest size panicparse ran at, and its peak memory
for n in $NS; do
	if [ "$n" -le "$FILE_MAX" ]; then
		./gendump ${SHUFFLE:+-shuffle} -n "$n" >dump.txt
		echo "# N=$n: dump file of $(($(stat -c %s dump.txt) / 1000000)) MB"
		measure "$n" silentfail ./silentfail diagnose dump.txt
	else
		read -r gt gm < <(lock /usr/bin/time -f '%e %M' ./gendump ${SHUFFLE:+-shuffle} -n "$n" 2>&1 >/dev/null | tail -n 1)
		echo "# N=$n: streamed through a fifo, not written to disk; gendump alone (to /dev/null): $gt s, $((gm / 1024)) MB, not charged to diagnose"
		rm -f dump.fifo && mkfifo dump.fifo
		./gendump ${SHUFFLE:+-shuffle} -n "$n" >dump.fifo &
		gen=$!
		measure "$n" silentfail ./silentfail diagnose dump.fifo
		wait "$gen"
	fi
	need=""
	if [ "$pp_n" -gt 0 ]; then
		need_kb=$((pp_kb * n / pp_n))
		need=$(awk -v need="$need_kb" -v had="$pp_kb" -v at="$pp_n" -v avail="$avail_kb" 'BEGIN {
			printf "it would need about %.1f GB (its %d MB at N=%d, scaled) and %.1f GB are available", need / 1048576, had / 1024, at, avail / 1048576 }')
	fi
	if [ "$pp_n" -gt 0 ] && [ "$need_kb" -gt "$avail_kb" ]; then
		echo "# N=$n: panicparse skipped: $need"
	elif [ ! -f dump.txt ]; then
		echo "# N=$n: panicparse skipped: it reads a file, and a dump of $n goroutines is not written to disk (FILE_MAX=$FILE_MAX)${need:+; $need}"
	else
		measure "$n" panicparse ./panicparse -parse=false dump.txt
		pp_n=$n pp_kb=$(($(awk -v n="$n" '$1 == n && $2 == "panicparse" { print $5 }' results) * 1024))
	fi
	rm -f dump.txt dump.fifo
done

awk '{ key = $1 " " $2; t[key] = $3; c[key] = $4; m[key] = $5; if (!($1 in seen)) { seen[$1] = 1; ns[++k] = $1 } }
	END {
		printf "\n%11s %-11s %8s %8s %8s\n", "goroutines", "tool", "wall s", "cpu s", "max MB"
		for (i = 1; i <= k; i++) {
			n = ns[i]
			split("silentfail panicparse", names, " ")
			for (j = 1; j <= 2; j++) if ((n " " names[j]) in t) printf "%11d %-11s %8.2f %8.2f %8d\n", n, names[j], t[n " " names[j]], c[n " " names[j]], m[n " " names[j]]
		}
		printf "\nsilentfail / panicparse:\n"
		for (i = 1; i <= k; i++) {
			n = ns[i]; s = n " silentfail"; p = n " panicparse"
			if (p in t) printf "%11d  wall %.3f, cpu %.3f, peak memory %.3f\n", n, t[s] / t[p], c[s] / c[p], m[s] / m[p]
			else printf "%11d  (panicparse not run)\n", n
		}
	}' "$work/results"
