#!/usr/bin/env bash
# run.sh GOBENCH_DIR — score silentfail, go vet and staticcheck on the
# blocking kernels of GoBench's GoKer suite (fetch timmyyuan/gobench;
# GOBENCH_DIR is its work tree). For each kernel of kernels.tsv: does a
# tool's finding point at the described bug (one of bug_lines), and
# which of its findings point elsewhere ("off": a finding on a kernel
# that is not about its bug). Every check runs, default and opt-in.
#
#   bench/goker/run.sh /tmp/gobench            the table, by kernel and by shape
#   MARKDOWN=1 bench/goker/run.sh /tmp/gobench the per-kernel table for the README
#
# The kernels are copied into a temporary module outside this
# repository; nothing of GoBench is kept. staticcheck is installed in a
# temporary directory (STATICCHECK_VERSION, default v0.8.2).
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
src=$1/gobench/goker/blocking
[ -d "$src" ] || { echo "bench/goker/run.sh: $src: no such directory (want a work tree of timmyyuan/gobench)" >&2; exit 2; }
src=$(cd "$src" && pwd)
cd "$(dirname "$0")/../.."
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/sf-goker.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/k"
go build -o "$work/bin/silentfail" ./cmd/silentfail
go build -o "$work/bin/goker" ./bench/goker
GOBIN="$work/bin" go install "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION:-v0.8.2}"
cp -r "$src"/. "$work/k/"
printf 'module goker\n\ngo 1.22\n' > "$work/k/go.mod"
(cd "$work/k" && { "$work/bin/silentfail" check -json -enable all ./... > "$work/silentfail.json" || [ $? -le 1 ]; })
(cd "$work/k" && { go vet -json ./... > "$work/vet.json" 2>&1 || true; }) # stdout or stderr, by Go version
(cd "$work/k" && { "$work/bin/staticcheck" -checks all -f json ./... > "$work/staticcheck.json" || true; })
"$work/bin/goker" -kernels "$repo/bench/goker/kernels.tsv" -dir "$work/k" ${MARKDOWN:+-markdown} \
	-findings silentfail="$work/silentfail.json" -findings vet="$work/vet.json" -findings staticcheck="$work/staticcheck.json"
