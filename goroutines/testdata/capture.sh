#!/usr/bin/env bash
# Regenerates the real captures the parser tests read, from the program
# in progs/leaky built by several Go toolchains (fetched through the
# module proxy by GOTOOLCHAIN). Needs only Go and curl.
#
#   bash goroutines/testdata/capture.sh
#
# CAPTURE_WAIT (default 65s) is how long the last capture waits so that
# the dump shows real "N minutes" wait times; 0 skips that capture.
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/captures
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

# serve BIN: start it in the background (pid in $pid), its address in $addr.
serve() {
	rm -f "$work/addr"
	"$1" >"$work/addr" 2>/dev/null &
	pid=$!
	for _ in $(seq 100); do [ -s "$work/addr" ] && break; sleep 0.05; done
	sleep 0.7 # let the program's two GCs run: goroutineleak needs a GC cycle
	addr=$(head -1 "$work/addr")
}

for tc in go1.21.13 go1.22.12 local go1.27.4; do
	v=${tc#go}; [ "$tc" = local ] && v=$(go env GOVERSION | sed 's/^go//; s/\.[0-9]*$//')
	v=$(echo "$v" | cut -d. -f1,2)
	(cd progs/leaky && GOTOOLCHAIN=$tc GOFLAGS=-mod=mod go build -o "$work/leaky$v" .)
	serve "$work/leaky$v"
	curl -sf "http://$addr/debug/pprof/goroutine?debug=2" >"$out/go$v.debug2.txt"
	curl -sf "http://$addr/debug/pprof/goroutine?debug=1" >"$out/go$v.debug1.txt"
	curl -sf "http://$addr/debug/pprof/goroutine" >"$out/go$v.goroutine.pb.gz"
	if curl -sf "http://$addr/debug/pprof/" | grep -q goroutineleak; then
		curl -sf "http://$addr/debug/pprof/goroutineleak?debug=2" >"$out/go$v.leak.debug2.txt"
		curl -sf "http://$addr/debug/pprof/goroutineleak?debug=1" >"$out/go$v.leak.debug1.txt"
		curl -sf "http://$addr/debug/pprof/goroutineleak" >"$out/go$v.goroutineleak.pb.gz"
	fi
	kill "$pid"; wait "$pid" 2>/dev/null || true
	"$work/leaky$v" >/dev/null 2>"$out/go$v.sigquit.txt" &
	pid=$!
	sleep 0.5; kill -QUIT "$pid"; wait "$pid" 2>/dev/null || true
	"$work/leaky$v" panic >/dev/null 2>"$out/go$v.panic.txt" || true
	GOTRACEBACK=crash "$work/leaky$v" panic >/dev/null 2>"$out/go$v.crash.txt" || true
done

wait=${CAPTURE_WAIT:-65}
if [ "$wait" != 0 ]; then
	serve "$work/leaky$v"
	sleep "$wait"
	curl -sf "http://$addr/debug/pprof/goroutine?debug=2" >"$out/go$v.minutes.debug2.txt"
	kill "$pid"; wait "$pid" 2>/dev/null || true
fi
# Absolute paths of this machine's build are part of the real format; the
# module cache path of the toolchain is kept as it is.
ls -l "$out"
