#!/usr/bin/env bash
# Per-check cost: runs `silentfail check -enable NAME` for each check
# alone, warm, on the fixed standard-library set, next to a run that
# loads the same packages and runs no check (bench/internal/loadonly)
# and a run of all checks; prints the median wall time and peak memory
# of each and what each check adds to loading.
#
# Reproduce (from the repository root; needs only Go):
#
#   bash bench/checks.sh [packages...]     (default: the fixed std set)
#
# Environment: RUNS=3 (median of RUNS), LOCK=FILE (flock around each run).
# Memory is the largest resident set of the process (/usr/bin/time %M;
# silentfail's go list child is far smaller), see bench/internal/peakmem.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PKGS=("$@")
[ ${#PKGS[@]} -gt 0 ] || PKGS=(net/http/... encoding/... database/... context sync/...)

work=$(mktemp -d "${TMPDIR:-/tmp}/sf-bench-checks.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/silentfail" ./cmd/silentfail
go build -o "$work/loadonly" ./bench/internal/loadonly
go build -o "$work/peakmem" ./bench/internal/peakmem
lock() { if [ -n "${LOCK:-}" ]; then flock "$LOCK" "$@"; else "$@"; fi; }

# The check names, from the usage text: "Checks: a, b, c".
checks=$("$work/silentfail" check -h 2>&1 | sed -n 's/^Checks: //p' | tr -d ',')
[ -n "$checks" ] || { echo "bench/checks.sh: no check names in silentfail check -h" >&2; exit 2; }

run() { # name command...: appends "name wall procKB load1" to $work/raw
	local name=$1 load
	shift
	load=$(cut -d' ' -f1 /proc/loadavg)
	rm -f "$work/m"
	lock "$work/peakmem" -o "$work/m" "$@" >/dev/null 2>&1 || true
	read -r wall proc _ status <"$work/m"
	[ "$status" -lt 2 ] || echo "bench/checks.sh: $name exited $status" >&2
	echo "$name $wall $proc $load" | tee -a "$work/raw"
}

"$work/loadonly" "${PKGS[@]}" >/dev/null # warm the go list cache
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(go version | cut -d' ' -f3-); packages: ${PKGS[*]}"
echo "# name wall_s proc_KB load1"
for _ in $(seq "$RUNS"); do
	run load-only "$work/loadonly" "${PKGS[@]}"
	for c in $checks; do
		run "$c" "$work/silentfail" check -enable "$c" "${PKGS[@]}"
	done
	run all "$work/silentfail" check "${PKGS[@]}"
done

awk '
function median(s,   n, i, j, t, a) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return a[int((n + 1) / 2)]
}
{ if (!($1 in w)) order[++n] = $1; w[$1] = w[$1] " " $2; m[$1] = m[$1] " " $3 }
END {
	base = median(w["load-only"]); all = median(w["all"]) - base
	printf "\n%-14s %8s %8s %14s %12s\n", "run", "wall s", "max MB", "above load s", "% of checks"
	for (i = 1; i <= n; i++) {
		k = order[i]; t = median(w[k]); extra = t - base
		pct = (k == "load-only" || all <= 0) ? "" : sprintf("%11.0f%%", 100 * extra / all)
		printf "%-14s %8.2f %8d %14.2f %12s\n", k, t, median(m[k]) / 1024, extra, pct
	}
}' "$work/raw"
