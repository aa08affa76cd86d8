#!/usr/bin/env bash
# leaktest.sh GOBENCH_DIR — run every blocking kernel of GoBench's GoKer
# suite (fetch timmyyuan/gobench) as a test, once with leaktest.Main and
# once with goleak.VerifyTestMain (go.uber.org/goleak v1.3.0) as its
# TestMain, and print per kernel whether each names the goroutine of the
# described bug: a reported goroutine whose top frame in the kernel is
# on one of kernels.tsv's bug_lines.
#
#   bench/goker/leaktest.sh /tmp/gobench
#
# Each test runs ${GOKER_COUNT:-20} times in one binary with -timeout
# ${GOKER_TIMEOUT:-10s}, under ${GOKER_GO:-go1.27.4} (where the runtime
# proves leaks) — GOKER_GO=local with GOEXPERIMENT=goroutineleakprofile
# for Go 1.26. A test that hangs is killed by its timeout before either
# tool runs: both count it as not named. The kernels are copied into a
# temporary module; nothing of GoBench is kept.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
src=$1/gobench/goker/blocking
[ -d "$src" ] || { echo "bench/goker/leaktest.sh: $src: no such directory (want a work tree of timmyyuan/gobench)" >&2; exit 2; }
src=$(cd "$src" && pwd)
cd "$(dirname "$0")/../.."
repo=$PWD
gover=${GOKER_GO:-go1.27.4}
work=$(mktemp -d "${TMPDIR:-/tmp}/sf-gokerleak.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
for tool in leaktest goleak; do
	mkdir -p "$work/$tool"
	cp -r "$src"/. "$work/$tool/"
	if [ $tool = leaktest ]; then
		printf 'module goker\n\ngo 1.26\n\nrequire github.com/silentfail/silentfail v0.0.0\n\nreplace github.com/silentfail/silentfail => %s\n' "$repo" >"$work/$tool/go.mod"
	else
		printf 'module goker\n\ngo 1.26\n\nrequire go.uber.org/goleak v1.3.0\n' >"$work/$tool/go.mod"
	fi
done
(cd "$work/leaktest" && GOTOOLCHAIN=$gover GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1) || true
(cd "$work/goleak" && GOTOOLCHAIN=$gover GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1) || true
printf 'kernel\tshape\tleaktest\tgoleak\n'
# tops OUTPUT DIR: the top frame (file:line) of each goroutine a tool
# reported: leaktest prints one per group ("blocked in F (file:line)",
# the file relative to the test's package directory DIR when inside it);
# goleak prints whole stacks, whose first file line after each
# "[Goroutine N in state ..." header is the top frame.
tops() {
	awk -v dir="$2" '/blocked in / && match($0, /\([^()]*\.go:[0-9]+\)/) { f = substr($0, RSTART + 1, RLENGTH - 2); if (f !~ /^\//) f = dir "/" f; print f }
		/^\[Goroutine / { want = 1; next }
		want && /\.go:[0-9]+/ { sub(/^[ \t]*/, ""); sub(/ .*/, ""); print; want = 0 }' "$1"
}
named() { # OUTPUT KERNEL_DIR LINES: "named" when a reported top frame in the kernel is on a bug line
	local out=$1 dir=$2 lines=$3 l
	for l in ${lines//,/ }; do
		if tops "$out" "$dir" | grep -Eq "^$dir/[^ :]*_test\.go:$l\$"; then echo named; return; fi
	done
	if grep -q "leaked\|found unexpected goroutines" "$out"; then echo elsewhere; else echo -; fi
}
tail -n +2 bench/goker/kernels.tsv | while IFS=$'\t' read -r k shape lines _; do
	pkg=$(sed -n 's/^package \([A-Za-z0-9_]*\).*/\1/p' "$src/$k"/*_test.go | head -1)
	printf 'package %s\n\nimport (\n\t"testing"\n\n\t"github.com/silentfail/silentfail/leaktest"\n)\n\nfunc TestMain(m *testing.M) { leaktest.Main(m) }\n' "$pkg" >"$work/leaktest/$k/zz_main_test.go"
	printf 'package %s\n\nimport (\n\t"testing"\n\n\t"go.uber.org/goleak"\n)\n\nfunc TestMain(m *testing.M) { goleak.VerifyTestMain(m) }\n' "$pkg" >"$work/goleak/$k/zz_main_test.go"
	res=()
	for tool in leaktest goleak; do
		out=$work/$tool/${k/\//-}.out
		(cd "$work/$tool" && GOTOOLCHAIN=$gover GOFLAGS=-mod=mod go test -count="${GOKER_COUNT:-20}" -timeout "${GOKER_TIMEOUT:-10s}" "./$k" >"$out" 2>&1) || true
		if grep -q "panic: test timed out" "$out"; then res+=("hung"); continue; fi
		res+=("$(named "$out" "$work/$tool/$k" "$lines")")
	done
	printf '%s\t%s\t%s\t%s\n' "$k" "$shape" "${res[0]}" "${res[1]}"
done | tee "$work/table.tsv"
echo
awk -F'\t' '{n++; if($3=="named")a++; if($4=="named")b++; if($3=="hung")h++} END{printf "named on a bug line: leaktest %d, goleak %d, of %d kernels (%d hung before either could run)\n", a, b, n, h}' "$work/table.tsv"
