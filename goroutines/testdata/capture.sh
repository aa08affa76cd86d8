#!/usr/bin/env bash
# Regenerates the real captures that the parser tests read (captures/),
# from the program in progs/leaky built by several Go toolchains. Needs
# only bash and Go: the other toolchains come through the module proxy
# (GOTOOLCHAIN), and progs/fetch stands in for curl.
#
#   bash goroutines/testdata/capture.sh
#
# Per toolchain (go1.21.13, go1.22.12, the local one, go1.27.4), into
# captures/goV.*:
#   debug2.txt  debug1.txt  goroutine.pb.gz   /debug/pprof/goroutine?debug=2, ?debug=1, pprof
#   leak.debug2.txt leak.debug1.txt goroutineleak.pb.gz   the same from
#               /debug/pprof/goroutineleak, where the runtime serves it (1.27)
#   sigquit.txt stderr after kill -QUIT
#   panic.txt   stderr of `go run . panic`: a line before, "exit status 2" after
#   crash.txt   stderr of GOTRACEBACK=crash leaky panic (gp= m= headers, registers)
# capture_stacks.sh (run at the end) adds runtime.Stack output and a
# panic in a goroutine, from progs/stacks.
# The Go 1.27 build uses a go.mod saying go 1.27 (-modfile), as a service
# on Go 1.27 would: only then does the runtime print pprof labels in
# goroutine headers (GODEBUG tracebacklabels, default on from go 1.27).
#
# CAPTURE_WAIT (default 65s) is how long one more Go 1.27 process runs
# before its debug=2 dump (captures/go1.27.minutes.debug2.txt), so that the
# dump shows real "N minutes" wait times, and how far apart the two dumps
# of capture_twodumps.sh are; CAPTURE_WAIT=0 skips both. The
# whole run takes about two minutes with the toolchains already fetched.
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/captures
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$out"

(cd progs/fetch && go build -o "$work/fetch" .)
fetch() { "$work/fetch" "$@"; }

# serve BIN: start it in the background (pid in $pid) and wait for the
# address it prints once its goroutines are parked; the address in $addr.
serve() {
	rm -f "$work/addr"
	"$1" >"$work/addr" 2>/dev/null &
	pid=$!
	for _ in $(seq 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
	addr=$(head -1 "$work/addr")
	[ -n "$addr" ] || { echo "capture.sh: $1 printed no address" >&2; exit 1; }
}

stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

for tc in go1.21.13 go1.22.12 local go1.27.4; do
	if [ "$tc" = local ]; then v=$(go env GOVERSION); else v=$tc; fi
	v=$(echo "${v#go}" | cut -d. -f1,2)
	bin=$work/leaky$v
	modflag=
	if [ "$v" = 1.27 ]; then
		sed 's/^go .*/go 1.27/' progs/leaky/go.mod >"$work/go127.mod"
		modflag=-modfile=$work/go127.mod
	fi
	(cd progs/leaky && GOTOOLCHAIN=$tc go build $modflag -o "$bin" .)

	serve "$bin"
	fetch "http://$addr/debug/pprof/goroutine?debug=2" "$out/go$v.debug2.txt"
	fetch "http://$addr/debug/pprof/goroutine?debug=1" "$out/go$v.debug1.txt"
	fetch "http://$addr/debug/pprof/goroutine" "$out/go$v.goroutine.pb.gz"
	fetch "http://$addr/debug/pprof/" "$work/index.html"
	if grep -q goroutineleak "$work/index.html"; then
		fetch "http://$addr/debug/pprof/goroutineleak?debug=2" "$out/go$v.leak.debug2.txt"
		fetch "http://$addr/debug/pprof/goroutineleak?debug=1" "$out/go$v.leak.debug1.txt"
		fetch "http://$addr/debug/pprof/goroutineleak" "$out/go$v.goroutineleak.pb.gz"
	fi
	stop

	rm -f "$work/addr"
	"$bin" >"$work/addr" 2>"$out/go$v.sigquit.txt" &
	pid=$!
	for _ in $(seq 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
	# Once the address is out the runtime's handler is installed.
	kill -QUIT "$pid"; wait "$pid" 2>/dev/null || true; pid=

	(cd progs/leaky && GOTOOLCHAIN=$tc go run $modflag . panic >/dev/null 2>"$out/go$v.panic.txt") || true
	GOTRACEBACK=crash "$bin" panic >/dev/null 2>"$out/go$v.crash.txt" || true
done

wait=${CAPTURE_WAIT:-65}
if [ "$wait" != 0 ]; then
	serve "$work/leaky1.27"
	sleep "$wait"
	fetch "http://$addr/debug/pprof/goroutine?debug=2" "$out/go1.27.minutes.debug2.txt"
	stop
fi
bash ./capture_stacks.sh >/dev/null

bash ./capture_tests.sh >/dev/null
if [ "$wait" != 0 ]; then
	CAPTURE_WAIT=$wait bash ./capture_twodumps.sh >/dev/null
fi
ls -l "$out"
