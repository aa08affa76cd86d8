#!/usr/bin/env bash
# diagnose.sh GOBENCH_DIR — run every blocking kernel of GoBench's GoKer
# suite (fetch timmyyuan/gobench; GOBENCH_DIR is its work tree) as a
# test, keep what a user would have when it goes wrong, and score
# silentfail diagnose on it: does a leak or suspect verdict name the
# described bug (a line of kernels.tsv's bug_lines)?
#
#   bench/goker/diagnose.sh /tmp/gobench            the table, by kernel and by shape
#   MARKDOWN=1 bench/goker/diagnose.sh /tmp/gobench the per-kernel table for the README
#
# Each kernel's test runs ${GOKER_COUNT:-20} times in one test binary
# (-count), under Go 1.27 (GOKER_GO, through the module proxy), with
# -timeout ${GOKER_TIMEOUT:-10s}. A test that hangs
# leaves the timeout panic with every goroutine: diagnose reads that.
# A test that returns leaves what a TestMain added to the copy of the
# kernel writes after the tests: a debug=2 goroutine dump and the
# runtime's goroutineleak profile; diagnose reads both. GoKer's kernels
# are flaky by nature: a run that never hits the bug leaves nothing to
# diagnose ("returned", and no verdict).
#
# The kernels are copied into a temporary module outside this
# repository; nothing of GoBench is kept.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
src=$1/gobench/goker/blocking
[ -d "$src" ] || { echo "bench/goker/diagnose.sh: $src: no such directory (want a work tree of timmyyuan/gobench)" >&2; exit 2; }
src=$(cd "$src" && pwd)
cd "$(dirname "$0")/../.."
repo=$PWD
gover=${GOKER_GO:-go1.27.4}
work=$(mktemp -d "${TMPDIR:-/tmp}/sf-gokerdiag.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/k" "$work/out"
go build -o "$work/bin/silentfail" ./cmd/silentfail
go build -o "$work/bin/goker" ./bench/goker
cp -r "$src"/. "$work/k/"
printf 'module goker\n\ngo 1.27\n' > "$work/k/go.mod"
tail -n +2 "$repo/bench/goker/kernels.tsv" | cut -f1 | while read -r k; do
	dir=$work/k/$k out=$work/out/${k/\//-}
	mkdir -p "$out"
	pkg=$(sed -n 's/^package \([A-Za-z0-9_]*\).*/\1/p' "$dir"/*_test.go | head -1)
	cat > "$dir/zz_silentfail_test.go" <<GO
package $pkg

import (
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	code := m.Run()
	time.Sleep(100 * time.Millisecond) // let goroutines that can finish, finish
	for name, file := range map[string]string{"goroutine": "after.txt", "goroutineleak": "after.leak.txt"} {
		if p := pprof.Lookup(name); p != nil {
			if f, err := os.Create("$out/" + file); err == nil {
				p.WriteTo(f, 2)
				f.Close()
			}
		}
	}
	os.Exit(code)
}
GO
	(cd "$work/k" && GOTOOLCHAIN=$gover GOFLAGS=-mod=mod go test -count="${GOKER_COUNT:-20}" -timeout "${GOKER_TIMEOUT:-10s}" "./$k" >"$out/test.txt" 2>&1) || true
	if grep -q "panic: test timed out after" "$out/test.txt"; then
		rm -f "$out/after.txt" "$out/after.leak.txt"
		mv "$out/test.txt" "$out/timeout.txt"
		echo timeout >"$out.ending"
	elif grep -q "all goroutines are asleep - deadlock" "$out/test.txt"; then
		mv "$out/test.txt" "$out/deadlock.txt"
		echo deadlock >"$out.ending"
	else
		rm -f "$out/test.txt"
		echo returned >"$out.ending"
	fi
	(cd "$work/k" && "$work/bin/silentfail" diagnose -json "$out" >"$out.json" 2>"$out.err") || true
done
"$work/bin/goker" -kernels "$repo/bench/goker/kernels.tsv" -dir "$work/k" ${MARKDOWN:+-markdown} -reports "$work/out"
