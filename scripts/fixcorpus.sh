#!/usr/bin/env bash
# Applies every suggested fix of `silentfail check -fix` to a scratch copy
# of a code base and proves the fixes safe there: no check panics, every
# package that type-checked before the fixes still type-checks after
# them (test files included), and the original tree is left untouched.
#
# Usage (from anywhere; builds silentfail from this repository):
#
#   scripts/fixcorpus.sh std                 # the standard library
#   scripts/fixcorpus.sh cmd                 # the Go command and tools
#   scripts/fixcorpus.sh DIR [PATTERN...]    # a Go module (default ./...)
#   LOCK=/tmp/sf-heavy.lock OUT=/tmp/fix-caddy scripts/fixcorpus.sh ../caddy
#
# std and cmd copy the whole GOROOT and run with GOROOT set to the copy,
# so that `go list`, `go vet` and silentfail all see the fixed sources.
#
# Environment:
#   SILENTFAIL=PATH  the silentfail binary to run (default: built from
#               this repository)
#   OUT=DIR     keep the logs and the applied fixes there (fixes.diff,
#               fix.stderr, after.stderr, vet-before.txt, vet-after.txt)
#   LOCK=FILE   run each heavy step under `flock FILE` (shared machines)
#   GOFLAGS     passed on; an -overlay=FILE whose paths lie in DIR is
#               rewritten to the same paths in the scratch copy
#
# How a break is detected, twice over:
#   1. silentfail itself type-checks every package from source, tests
#      included, and names the ones that do not type-check; the list
#      after the fixes (second run, no -fix) must not grow.
#   2. `go vet -atomic` (one cheap analyzer: vet type-checks the package,
#      its internal and its external test package) on every directory
#      with a changed file, in the original tree and in the fixed copy: no
#      package may pass before and fail after.
#
# Exit status: 0 all good; 1 a panic, a broken package, or a change to
# the original tree; 2 the script could not run.
set -euo pipefail

usage() { echo "usage: scripts/fixcorpus.sh std|cmd|DIR [PATTERN...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
target=$1
shift
repo=$(cd "$(dirname "$0")/.." && pwd)

# heavy runs a command or a shell function under the lock, if any.
heavy() {
	if [ -n "${LOCK:-}" ]; then (flock 9 && "$@") 9>>"$LOCK"; else "$@"; fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/sf-fixcorpus.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin"
if [ -n "${SILENTFAIL:-}" ]; then
	sf=$(command -v "$SILENTFAIL")
else
	(cd "$repo" && go build -o "$work/bin/silentfail" ./cmd/silentfail)
	sf=$work/bin/silentfail
fi

orig_goroot=$(go env GOROOT)
case $target in
std | cmd)
	src=$orig_goroot           # the tree that must stay untouched
	copy=$work/goroot          # its scratch copy
	rel=src                    # where the go commands run, below both
	patterns=("$target")
	[ $# -eq 0 ] || usage
	;;
*)
	[ -d "$target" ] || { echo "fixcorpus: $target: not a directory" >&2; exit 2; }
	src=$(cd "$target" && pwd)
	[ -f "$src/go.mod" ] || { echo "fixcorpus: $src: no go.mod, not a Go module" >&2; exit 2; }
	copy=$work/src
	rel=.
	patterns=("${@:-./...}")
	;;
esac

# sums DIR prints "sha256  relative/path" for every file below DIR.
sums() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }

sums "$src" >"$work/orig.sums"
cp -a "$src" "$copy"
chmod -R u+w "$copy"

# Environment for the copy (after) and for the original (before).
before_env=(env "GOFLAGS=${GOFLAGS:-}")
after_env=(env "GOFLAGS=${GOFLAGS:-}")
if [ "$copy" = "$work/goroot" ]; then
	after_env=(env "GOFLAGS=${GOFLAGS:-}" "GOROOT=$copy" "PATH=$copy/bin:$PATH" GOTOOLCHAIN=local)
	before_env+=(GOTOOLCHAIN=local)
fi
if [[ " ${GOFLAGS:-} " =~ [[:space:]]-overlay=([^[:space:]]+) ]]; then
	overlay=${BASH_REMATCH[1]}
	jq --arg a "$src/" --arg b "$copy/" \
		'.Replace |= with_entries(.key |= (if startswith($a) then $b + ltrimstr($a) else . end))' \
		"$overlay" >"$work/overlay.json"
	after_env+=("GOFLAGS=${GOFLAGS/-overlay=$overlay/-overlay=$work/overlay.json}")
fi

echo "fixcorpus: $target (${patterns[*]}), scratch copy $copy" >&2

# 1. Fix.
set +e
(cd "$copy/$rel" && heavy "${after_env[@]}" "$sf" check -fix "${patterns[@]}") >"$work/fix.stdout" 2>"$work/fix.stderr"
fix_status=$?
set -e
if [ $fix_status -gt 2 ] || ! grep -q '^silentfail: applied ' "$work/fix.stderr"; then
	# A Go runtime panic of the driver exits 2 too, but never prints the
	# "applied" line; tail shows why.
	echo "fixcorpus: silentfail check -fix failed (exit $fix_status):" >&2
	tail -n 20 "$work/fix.stderr" >&2
fi

sums "$copy" >"$work/copy.sums"
# Files the fixes changed, relative to the tree root.
# Only Go files: the go command may add a go.sum to the copy.
diff "$work/orig.sums" "$work/copy.sums" | sed -n 's/^> [0-9a-f]*  \.\/\(.*\.go\)$/\1/p' >"$work/changed.txt" || true
{
	while read -r f; do
		diff -u --label "a/$f" --label "b/$f" "$src/$f" "$copy/$f" || true
	done <"$work/changed.txt"
} >"$work/fixes.diff"

# 2. Type-check everything again, without fixing.
set +e
(cd "$copy/$rel" && heavy "${after_env[@]}" "$sf" check "${patterns[@]}") >"$work/after.stdout" 2>"$work/after.stderr"
after_status=$?
set -e
if [ $after_status -gt 2 ] || { [ $after_status -eq 2 ] && ! grep -q 'does not type-check' "$work/after.stderr"; }; then
	echo "fixcorpus: silentfail check after the fixes failed (exit $after_status):" >&2
	tail -n 20 "$work/after.stderr" >&2
fi

# "package a [a.test] does not type-check": the test variant is named.
broken_list() { sed -n 's/^silentfail: package \(.*\) does not type-check, .*/\1/p' "$1" | LC_ALL=C sort -u; }
broken_list "$work/fix.stderr" >"$work/broken-before.txt"
broken_list "$work/after.stderr" >"$work/broken-after.txt"
LC_ALL=C comm -13 "$work/broken-before.txt" "$work/broken-after.txt" >"$work/broken-new.txt"

# 3. go vet on every directory with a changed file, before and after,
# each from its own directory so that nested modules work too.
sed -n 's#^\(.*\)/[^/]*\.go$#\1#p; s#^[^/]*\.go$#.#p' "$work/changed.txt" | LC_ALL=C sort -u >"$work/vetdirs.txt"
vet_each() { # vet_each ROOT ENV...: "ok DIR" or "FAIL DIR" for every DIR
	local root=$1 d
	shift
	while read -r d; do
		if (cd "$root/$d" && "$@" go vet -atomic .) >/dev/null 2>>"$work/vet.log"; then
			echo "ok $d"
		else
			echo "FAIL $d"
		fi
	done <"$work/vetdirs.txt"
}
heavy vet_each "$src" "${before_env[@]}" >"$work/vet-before.txt"
heavy vet_each "$copy" "${after_env[@]}" >"$work/vet-after.txt"
LC_ALL=C join <(sed -n 's/^ok //p' "$work/vet-before.txt" | LC_ALL=C sort) \
	<(sed -n 's/^FAIL //p' "$work/vet-after.txt" | LC_ALL=C sort) >"$work/vet-broken.txt" || true

# 4. Panics: an analyzer's panic is turned into an error naming the check
# and the package ("deferloop on net/http: internal error: panic: ...");
# a panic of the driver itself is a Go traceback.
cat "$work/fix.stderr" "$work/after.stderr" |
	grep -E 'internal error: panic|^panic: |^fatal error: |^goroutine [0-9]+ \[running\]' >"$work/panics.txt" || true

# 5. The original tree must be byte for byte what it was.
sums "$src" >"$work/orig-after.sums"
untouched=yes
cmp -s "$work/orig.sums" "$work/orig-after.sums" || untouched=NO

applied=$(sed -n 's/^silentfail: applied \([0-9]*\) fixes in \([0-9]*\) files$/\1/p' "$work/fix.stderr")
skipped=$(grep -c 'fix not applied' "$work/fix.stderr" || true)
unfixed=$(grep -c '([a-z]*)$' "$work/fix.stdout" || true)
remaining=$(grep -c '([a-z]*)$' "$work/after.stdout" || true)
npkgs=$(cd "$copy/$rel" && "${after_env[@]}" go list -e "${patterns[@]}" 2>/dev/null | wc -l)
vet_n=$(wc -l <"$work/vetdirs.txt")
vet_fail_before=$(grep -c '^FAIL' "$work/vet-before.txt" || true)
vet_fail_after=$(grep -c '^FAIL' "$work/vet-after.txt" || true)
panics=$(grep -cE 'internal error: panic|^panic: |^fatal error: ' "$work/panics.txt" || true)
broken=$(($(wc -l <"$work/broken-new.txt") + $(wc -l <"$work/vet-broken.txt")))

cat <<EOF
fixcorpus: $target (${patterns[*]})
  packages matched:             $npkgs
  findings:                     $((${applied:-0} + unfixed)) (fixed ${applied:-0}, without a fix or not applied $unfixed, of which fix skipped $skipped)
  findings after the fixes:     $remaining
  files changed:                $(wc -l <"$work/changed.txt")
  not type-checking before:     $(wc -l <"$work/broken-before.txt") $(paste -sd' ' "$work/broken-before.txt")
  not type-checking after:      $(wc -l <"$work/broken-after.txt") $(paste -sd' ' "$work/broken-after.txt")
  go vet on changed packages:   $vet_n (failing before $vet_fail_before, after $vet_fail_after)
  packages broken by the fixes: $broken (silentfail: $(wc -l <"$work/broken-new.txt") $(paste -sd' ' "$work/broken-new.txt"); go vet: $(wc -l <"$work/vet-broken.txt") $(paste -sd' ' "$work/vet-broken.txt"))
  panics:                       $panics
  original tree untouched:      $untouched
EOF
if [ -s "$work/panics.txt" ]; then
	echo "panics:" && sed 's/^/  /' "$work/panics.txt"
fi
grep 'fix not applied' "$work/fix.stderr" | sed 's/^/  /' || true

if [ -n "${OUT:-}" ]; then
	mkdir -p "$OUT"
	cp "$work"/fixes.diff "$work"/fix.stdout "$work"/fix.stderr "$work"/after.stdout "$work"/after.stderr \
		"$work"/changed.txt "$work"/vet-before.txt "$work"/vet-after.txt "$work"/vet.log "$OUT"/ 2>/dev/null || true
	echo "fixcorpus: logs and fixes.diff in $OUT" >&2
fi

status=0
[ "$panics" -eq 0 ] || status=1
[ "$broken" -eq 0 ] || status=1
[ "$untouched" = yes ] || status=1
[ $fix_status -le 2 ] && grep -q '^silentfail: applied ' "$work/fix.stderr" || status=1
[ $after_status -le 1 ] || grep -q 'does not type-check' "$work/after.stderr" || status=1
exit $status
