#!/usr/bin/env bash
# Compares `silentfail check` with `go vet` and `staticcheck -checks all`
# on the same packages, in one run on one machine: wall time and peak
# memory, cold, warm and re-run, and the ratios against silentfail's
# targets (cold and warm wall <= 0.16 x staticcheck, re-run wall <= 1.5 x
# go vet's re-run, peak memory <= go vet).
#
# Reproduce (from the repository root; needs only Go and the module proxy):
#
#   bash bench/check.sh                    # the fixed standard-library set
#   bash bench/check.sh /path/to/service   # that set, then ./... of a service module
#
# Environment:
#   RUNS=3       warm runs per tool and target (the median is reported)
#   COLD_RUNS=1  cold runs per tool and target (each compiles the whole
#                build graph for go vet and staticcheck: minutes on a service)
#   LOCK=FILE    take `flock FILE` around each measured run (shared machines)
#   STATICCHECK_VERSION=v0.8.2 (staticcheck 2026.2.2)
#   STD_PKGS="..." another standard-library set (e.g. "context" for a quick try)
#
# Regimes:
#   cold    fresh GOCACHE and fresh STATICCHECK_CACHE for every run; the
#           module cache (GOMODCACHE) is shared, so nothing is downloaded.
#   warm    the build cache already holds the compiled build graph (filled
#           once by `go list -export -deps -test`), copied afresh for every
#           run; no analysis results cached (fresh STATICCHECK_CACHE, and
#           go vet's cached results are not in that copy). This is a CI job
#           with a restored build cache after a change.
#   rerun   the same command again on the caches the warm run left: go vet
#           and staticcheck replay cached results, silentfail its result
#           cache (SILENTFAIL_CACHE, fresh for the cold and warm runs).
#
# Memory, two numbers per run (bench/internal/peakmem):
#   proc MB  what /usr/bin/time -f %M reports: the largest resident set
#            reached by any single process of the tree (the tool, or a go
#            list / compile / vet child it waited for). Not a sum.
#   tree MB  the largest sum of resident sets of the tool and all its
#            descendants alive at once, sampled every 50ms: the memory the
#            machine needs when go vet runs a compile and two vets at once.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
RUNS=${RUNS:-3}
COLD_RUNS=${COLD_RUNS:-1}
STATICCHECK_VERSION=${STATICCHECK_VERSION:-v0.8.2}
# shellcheck disable=SC2206
STD=(${STD_PKGS:-net/http/... encoding/... database/... context sync/...})
service=${1:-}
if [ -n "$service" ]; then
	service=$(cd "$service" && pwd)
	[ -f "$service/go.mod" ] || { echo "bench/check.sh: $service: no go.mod, not a Go module" >&2; exit 2; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sf-bench-check.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin"
go build -o "$work/bin/silentfail" ./cmd/silentfail
go build -o "$work/bin/peakmem" ./bench/internal/peakmem
GOBIN="$work/bin" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)}
export GOFLAGS=${GOFLAGS:-}

lock() { if [ -n "${LOCK:-}" ]; then flock "$LOCK" "$@"; else "$@"; fi; }

tool_cmd() { # tool -> command words (packages follow)
	case $1 in
	silentfail) echo "$work/bin/silentfail check" ;;
	go-vet) echo "go vet" ;;
	staticcheck) echo "$work/bin/staticcheck -checks all" ;;
	esac
}

# one TARGET REGIME TOOL RUN DIR PKGS...: one measured run, appended to
# $work/raw as "target regime tool run wall procKB treeKB exit load1".
one() {
	local target=$1 regime=$2 tool=$3 run=$4 dir=$5
	shift 5
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	rm -f "$work/m"
	# shellcheck disable=SC2046
	(cd "$dir" && lock "$work/bin/peakmem" -o "$work/m" $(tool_cmd "$tool") "$@" >/dev/null 2>"$work/stderr") || true
	read -r wall proc tree status <"$work/m"
	if [ "$status" -ge 2 ] && [ "$tool" != go-vet ]; then
		echo "bench/check.sh: $tool failed on $target ($regime):" >&2
		tail -5 "$work/stderr" >&2
	fi
	echo "$target $regime $tool $run $wall $proc $tree $status $load" | tee -a "$work/raw"
}

# bench TARGET DIR PKGS...: every regime for the three tools.
bench() {
	local target=$1 dir=$2
	shift 2
	local tool i
	for i in $(seq "$COLD_RUNS"); do
		for tool in silentfail go-vet staticcheck; do
			rm -rf "$work/gocache" "$work/sccache" "$work/sfcache"
			mkdir -p "$work/gocache" "$work/sccache"
			GOCACHE=$work/gocache STATICCHECK_CACHE=$work/sccache SILENTFAIL_CACHE=$work/sfcache one "$target" cold "$tool" "$i" "$dir" "$@"
		done
	done
	# The compiled build graph, once, for the warm runs.
	rm -rf "$work/warm"
	mkdir -p "$work/warm"
	(cd "$dir" && GOCACHE=$work/warm lock go list -export -deps -test "$@" >/dev/null)
	for i in $(seq "$RUNS"); do
		for tool in silentfail go-vet staticcheck; do
			rm -rf "$work/gocache" "$work/sccache" "$work/sfcache"
			cp -a "$work/warm" "$work/gocache"
			mkdir -p "$work/sccache"
			GOCACHE=$work/gocache STATICCHECK_CACHE=$work/sccache SILENTFAIL_CACHE=$work/sfcache one "$target" warm "$tool" "$i" "$dir" "$@"
			GOCACHE=$work/gocache STATICCHECK_CACHE=$work/sccache SILENTFAIL_CACHE=$work/sfcache one "$target" rerun "$tool" "$i" "$dir" "$@"
		done
	done
	rm -rf "$work/gocache" "$work/sccache" "$work/sfcache" "$work/warm"
}

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-), staticcheck $STATICCHECK_VERSION"
echo "# target regime tool run wall_s proc_KB tree_KB exit load1"
bench std "$repo" "${STD[@]}"
if [ -n "$service" ]; then
	bench "$(basename "$service")" "$service" ./...
fi

awk '
function median(key,   n, i, j, t, a) {
	n = split(vals[key], a, " ")
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return a[int((n + 1) / 2)]
}
{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	vals[k "w"] = vals[k "w"] " " $5; vals[k "p"] = vals[k "p"] " " $6; vals[k "t"] = vals[k "t"] " " $7
}
END {
	printf "\n%-12s %-6s %-12s %8s %8s %8s\n", "target", "regime", "tool", "wall s", "proc MB", "tree MB"
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, f, SUBSEP)
		w[k] = median(k "w"); p[k] = median(k "p") / 1024; t[k] = median(k "t") / 1024
		printf "%-12s %-6s %-12s %8.2f %8d %8d\n", f[1], f[2], f[3], w[k], p[k], t[k]
	}
	printf "\n%-12s %-6s %18s %18s %18s %18s\n", "target", "regime", "wall sf/staticck", "wall sf/vet", "proc MB sf/vet", "tree MB sf/vet"
	printf "%-12s %-6s %18s %18s %18s %18s\n", "", "", "(cold, warm <= 0.16)", "(rerun <= 1.5)", "(target <= 1)", "(target <= 1)"
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, f, SUBSEP)
		if (f[3] != "silentfail") continue
		s = f[1] SUBSEP f[2] SUBSEP "staticcheck"; v = f[1] SUBSEP f[2] SUBSEP "go-vet"
		printf "%-12s %-6s %18.2f %18.2f %18.2f %18.2f\n", f[1], f[2], w[k] / w[s], w[k] / w[v], p[k] / p[v], t[k] / t[v]
	}
}' "$work/raw"
