#!/usr/bin/env bash
# Times `silentfail check` against `go vet` and `staticcheck -checks all`
# on the same packages, in one run on this machine, and prints wall time,
# peak memory (max RSS) and the ratios. Each tool runs once warm-up, then
# RUNS times; the median is reported.
#
#   bash bench/check.sh [packages...]     (default: a fixed std set)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PKGS=("$@")
[ ${#PKGS[@]} -gt 0 ] || PKGS=(net/http/... encoding/... database/... context sync/...)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/silentfail" ./cmd/silentfail
GOBIN="$work" go install honnef.co/go/tools/cmd/staticcheck@latest

# measure NAME CMD...: median wall seconds and max RSS in MB over RUNS.
measure() {
	local name=$1; shift
	"$@" >/dev/null 2>&1 || true # warm the build cache
	local times=() rss=()
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>&1 || true
		read -r t m <"$work/t"
		times+=("$t"); rss+=("$m")
	done
	local mt mr
	mt=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
	mr=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
	echo "$name $mt $((mr / 1024))"
}

{
	measure silentfail "$work/silentfail" check "${PKGS[@]}"
	measure go-vet go vet "${PKGS[@]}"
	measure staticcheck "$work/staticcheck" -checks all "${PKGS[@]}"
} | tee "$work/results"

awk '
	{ t[$1] = $2; m[$1] = $3 }
	END {
		printf "\n%-12s %8s %8s\n", "tool", "wall s", "max MB"
		for (k in t) printf "%-12s %8.2f %8d\n", k, t[k], m[k]
		printf "\nsilentfail / staticcheck wall time: %.2f (target <= 0.5)\n", t["silentfail"] / t["staticcheck"]
		printf "silentfail / go vet wall time:      %.2f\n", t["silentfail"] / t["go-vet"]
		printf "silentfail / go vet peak memory:    %.2f (target <= 1)\n", m["silentfail"] / m["go-vet"]
	}' "$work/results"
