#!/usr/bin/env bash
# Regenerates the captures of progs/stacks with several Go toolchains
# (fetched through the module proxy by GOTOOLCHAIN): runtime.Stack(buf,
# true) output, and a panic in a goroutine with a log line before it and
# `go run`'s "exit status 2" after it, as a service's log shows them.
# Needs only Go. capture.sh runs it too.
#
#   bash goroutines/testdata/capture_stacks.sh
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/captures
cd progs/stacks
for tc in go1.21.13 go1.22.12 local go1.27.4; do
	v=${tc#go}; [ "$tc" = local ] && v=$(go env GOVERSION | sed 's/^go//')
	v=$(echo "$v" | cut -d. -f1,2)
	GOTOOLCHAIN=$tc GOFLAGS=-mod=mod go run . >"$out/go$v.stack.txt"
	GOTOOLCHAIN=$tc GOFLAGS=-mod=mod go run . panic 2>"$out/go$v.gopanic.txt" || true
done
ls -l "$out"/*.stack.txt "$out"/*.gopanic.txt
