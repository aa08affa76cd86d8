#!/usr/bin/env bash
# cost.sh — what a leak check costs one test: leaktest.Check (its label,
# then the Cleanup's check) against goleak v1.3's VerifyNone, measured in
# one run, with the same goroutines around (${BUSY:-100} unrelated ones
# parked, as in a test binary running parallel tests), and the ratio.
#
#   bench/leaktest/cost.sh
#
# The benchmarks live in a temporary module that requires goleak from
# the module proxy and this tree by a replace directive; nothing is
# left behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/sf-leakcost.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'module leakcost\n\ngo 1.26\n\nrequire (\n\tgithub.com/silentfail/silentfail v0.0.0\n\tgo.uber.org/goleak v1.3.0\n)\n\nreplace github.com/silentfail/silentfail => %s\n' "$repo" >"$work/go.mod"
cat >"$work/cost_test.go" <<'GO'
package leakcost

import (
	"os"
	"strconv"
	"testing"

	"github.com/silentfail/silentfail/leaktest"
	"go.uber.org/goleak"
)

// parked holds BUSY goroutines blocked for the whole run, as other
// tests' goroutines are in a real test binary.
var parked = make(chan struct{})

func TestMain(m *testing.M) {
	n, _ := strconv.Atoi(os.Getenv("BUSY"))
	for range n {
		go func() { <-parked }()
	}
	os.Exit(m.Run())
}

// fakeT runs the Cleanups a check registers at once, as the end of a
// test does, and records failures.
type fakeT struct {
	testing.TB
	name   string
	failed bool
}

func (t *fakeT) Helper()                   {}
func (t *fakeT) Name() string              { return t.name }
func (t *fakeT) Cleanup(f func())          { f() }
func (t *fakeT) Errorf(string, ...any)     { t.failed = true }
func (t *fakeT) Error(...any)              { t.failed = true }

func BenchmarkLeaktestCheck(b *testing.B) {
	t := &fakeT{name: "TestX"}
	for b.Loop() {
		leaktest.Check(t)
	}
	if t.failed {
		b.Fatal("a clean test failed")
	}
}

func BenchmarkGoleakVerifyNone(b *testing.B) {
	t := &fakeT{name: "TestX"}
	ignore := goleak.IgnoreCurrent()
	for b.Loop() {
		goleak.VerifyNone(t, ignore)
	}
	if t.failed {
		b.Fatal("a clean test failed")
	}
}
GO
(cd "$work" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1)
out=$(cd "$work" && BUSY=${BUSY:-100} GOFLAGS=-mod=mod go test -run '^$' -bench . -benchmem -count "${COUNT:-5}" .)
echo "$out" | grep '^Benchmark'
echo "$out" | awk '/^BenchmarkLeaktestCheck/ {l += $3; nl++} /^BenchmarkGoleakVerifyNone/ {g += $3; ng++}
	END { if (nl && ng) printf "leaktest.Check costs %.2fx goleak.VerifyNone per test (%.0f ns vs %.0f ns, mean of %d runs, %s parked goroutines)\n", (l/nl)/(g/ng), l/nl, g/ng, nl, ENVIRON["BUSY"] ? ENVIRON["BUSY"] : 100 }'
