#!/usr/bin/env bash
# Regenerates the captures of progs/hungtest with the local Go and Go
# 1.27 (through the module proxy): the output of a `go test -timeout`
# that hangs (the "test timed out" panic with every goroutine), the
# runtime's "all goroutines are asleep - deadlock!" crash, and the
# debug=2 dump a TestMain writes after tests that returned and left a
# goroutine behind (aftertests). Needs only Go; capture.sh runs it too.
#
#   bash goroutines/testdata/capture_tests.sh
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/captures
cd progs/hungtest
for tc in local go1.27.4; do
	v=${tc#go}; [ "$tc" = local ] && v=$(go env GOVERSION | sed 's/^go//')
	v=$(echo "$v" | cut -d. -f1,2)
	GOTOOLCHAIN=$tc GOFLAGS=-mod=mod go test -count=1 -timeout 2s . >"$out/go$v.testtimeout.txt" 2>&1 || true
	GOTOOLCHAIN=$tc GOFLAGS=-mod=mod go run ./cmd/deadlock 2>"$out/go$v.deadlock.txt" || true
	DUMP_TO=$out/go$v.aftertests.txt GOTOOLCHAIN=$tc GOFLAGS=-mod=mod go test -count=1 ./aftertests >/dev/null
done
ls -l "$out"/*.testtimeout.txt "$out"/*.deadlock.txt "$out"/*.aftertests.txt
