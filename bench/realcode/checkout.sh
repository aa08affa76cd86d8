#!/usr/bin/env bash
# checkout.sh GITDIR OUT OWNER/NAME — make a work tree of a bare snapshot
# (as the search tool's fetch leaves them) and record where it came from.
#
# Blobs absent from the snapshot (its largest files may be listed but
# missing) are skipped and named on stderr: git archive would stop at the
# first one. OUT/.silentfail-origin holds "OWNER/NAME COMMIT", which
# run.sh reads to key findings in the ledger.
set -euo pipefail
if [[ $# -ne 3 ]]; then
	echo "usage: checkout.sh GITDIR OUT OWNER/NAME" >&2
	exit 2
fi
gitdir=$1 out=$2 repo=$3
commit=$(git --git-dir="$gitdir" rev-parse HEAD) || {
	echo "checkout.sh: $gitdir: not a git directory" >&2
	exit 2
}
if [[ -e "$out" ]]; then
	echo "checkout.sh: $out: already exists" >&2
	exit 2
fi
tmp=$(mktemp -d "${out%/}.part.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
missing=0
# The fast way first: git archive, which stops at the first absent blob;
# then, if it did, one blob at a time.
if git --git-dir="$gitdir" archive HEAD 2>/dev/null | tar -x -C "$tmp" 2>/dev/null; then
	echo "$repo $commit" >"$tmp/.silentfail-origin"
	mv "$tmp" "$out"
	trap - EXIT
	echo "$out: $repo at $commit (0 absent blobs)"
	exit 0
fi
rm -rf "$tmp" && mkdir "$tmp"
# A scratch index without the absent blobs (and symlinks, not needed to
# type-check), checked out in one pass.
index=$(mktemp)
trap 'rm -rf "$tmp" "$index"' EXIT
export GIT_DIR="$gitdir" GIT_INDEX_FILE="$index"
git read-tree HEAD
absent=$(git ls-files -s | awk '$1 == "160000" { next } { print $2 }' |
	git cat-file --batch-check='%(objectname) %(objecttype)' | awk '$2 == "missing" { print $1 }' | sort -u)
drop=$(mktemp)
git ls-files -s | awk -v absent="$absent" '
	BEGIN { n = split(absent, a, "\n"); for (i = 1; i <= n; i++) gone[a[i]] = 1 }
	{ split($0, f, "\t"); split(f[1], m, " ") }
	m[1] == "120000" || m[1] == "160000" || (m[2] in gone) { print f[2] }' >"$drop"
while IFS= read -r path; do
	if git cat-file -e "HEAD:$path" 2>/dev/null; then continue; fi
	echo "checkout.sh: $repo: $path: blob absent from the snapshot, skipped" >&2
	missing=$((missing + 1))
done <"$drop"
git update-index --force-remove --stdin <"$drop"
rm -f "$drop"
git checkout-index -a -f --prefix="$tmp/"
unset GIT_DIR GIT_INDEX_FILE
rm -f "$index"
echo "$repo $commit" >"$tmp/.silentfail-origin"
mv "$tmp" "$out"
trap - EXIT
echo "$out: $repo at $commit ($missing absent blobs)"
