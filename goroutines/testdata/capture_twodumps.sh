#!/usr/bin/env bash
# Regenerates captures/goV.twodumps-{a,b}.txt: two debug=2 dumps of a
# service that leaks one goroutine per request (watch/testdata/leaky),
# taken as people compare them, minutes apart: 20 requests, the first
# dump, CAPTURE_WAIT (default 65s) more, 20 more requests, the second.
# The first 20 goroutines are in both, with a longer wait in the second.
# Needs only Go (the local toolchain).
#
#   bash goroutines/testdata/capture_twodumps.sh
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/captures
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
(cd ../../watch/testdata/leaky && go build -o "$work/leaky" .)
(cd progs/fetch && go build -o "$work/fetch" .)
"$work/leaky" >"$work/addr" &
pid=$!
for _ in $(seq 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
base=$(sed 's/^listening on //' "$work/addr" | head -1)
leak() { for _ in $(seq 20); do "$work/fetch" "$base/leak" "$work/ok"; done; }
v=$(go env GOVERSION | sed 's/^go//' | cut -d. -f1,2)
leak
sleep 0.2
# The runtime stamps a blocked goroutine's wait start when a GC scans
# it: without one, no dump shows minutes. heap?gc=1 runs one (twice:
# a single cycle did not stamp them in practice).
"$work/fetch" "$base/debug/pprof/heap?gc=1" "$work/heap"
"$work/fetch" "$base/debug/pprof/heap?gc=1" "$work/heap"
"$work/fetch" "$base/debug/pprof/goroutine?debug=2" "$out/go$v.twodumps-a.txt"
sleep "${CAPTURE_WAIT:-65}"
leak
sleep 0.2
"$work/fetch" "$base/debug/pprof/goroutine?debug=2" "$out/go$v.twodumps-b.txt"
ls -l "$out"/go$v.twodumps-*.txt
