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
# -z: paths as they are (git quotes unusual names otherwise).
while IFS= read -r -d '' entry; do
	meta=${entry%%$'\t'*} path=${entry#*$'\t'}
	read -r mode type sha <<<"$meta"
	[[ $type == blob ]] || continue
	[[ $mode == 120000 ]] && continue # symlinks: not needed to type-check
	mkdir -p "$tmp/$(dirname "$path")"
	if ! git --git-dir="$gitdir" cat-file blob "$sha" >"$tmp/$path" 2>/dev/null; then
		rm -f "$tmp/$path"
		echo "checkout.sh: $repo: $path: blob absent from the snapshot, skipped" >&2
		missing=$((missing + 1))
	fi
done < <(git --git-dir="$gitdir" ls-tree -r -z --full-tree HEAD)
echo "$repo $commit" >"$tmp/.silentfail-origin"
mv "$tmp" "$out"
trap - EXIT
echo "$out: $repo at $commit ($missing absent blobs)"
