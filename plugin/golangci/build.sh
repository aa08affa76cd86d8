#!/usr/bin/env bash
# Builds golangci-lint with silentfail's module plugin and tests it:
#   - on examples/leakyservice, every "// BUG(check)" marker is reported
#     by the silentfail linter (inside the marked statement) and nothing
#     else is reported;
#   - on a small module written here, //silentfail:ignore and
#     //nolint:silentfail silence a finding, disable: turns a check off,
#     an unknown check name stops golangci-lint with our error, and
#     --fix applies a check's suggested fix.
#
#   plugin/golangci/build.sh           build, test, leave nothing behind
#   plugin/golangci/build.sh -o FILE   also keep the built golangci-lint
#
# Needs only Go and the Go module proxy. The golangci-lint version is the
# one in .custom-gcl.yml. The script first tries "golangci-lint custom";
# custom git-clones golangci-lint from github.com, and when only that
# clone fails the script does what custom does, from the module proxy's
# copy of golangci-lint's source: a file blank-importing the plugin, a
# replace of silentfail by this checkout, go mod tidy, go build.
# Exit status 0: all good; 1: a check failed (one line says which);
# 2: bad usage.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
me=plugin/golangci/build.sh

keep=
while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || { echo "$me: -o needs a file name" >&2; exit 2; }
		keep=$(cd "$(dirname "$2")" && pwd -P)/$(basename "$2"); shift 2 ;;
	*) echo "usage: $me [-o FILE]" >&2; exit 2 ;;
	esac
done

version=$(sed -n 's/^version: *//p' "$here/.custom-gcl.yml")
[ -n "$version" ] || { echo "$me: no top-level version: in $here/.custom-gcl.yml" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/silentfail-golangci.XXXXXX")
# The module cache's copy of golangci-lint is read-only: make it
# writable again so that rm can remove it.
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM HUP
mkdir "$scratch/tmp" "$scratch/bin"
# Go's and custom's temporary directories, golangci-lint's cache: all in
# the scratch directory. The build cache and module cache stay shared.
export TMPDIR=$scratch/tmp GOLANGCI_LINT_CACHE=$scratch/golangci-cache
export GOFLAGS=-buildvcs=false

log=$scratch/log
fail() {
	echo "$me: FAIL: $*" >&2
	exit 1
}
# quiet runs a command, showing its output only when it fails.
quiet() {
	local what=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		cat "$log" >&2
		fail "$what"
	fi
}

echo "== golangci-lint $version"
quiet "go install golangci-lint@$version from the module proxy" \
	env GOBIN="$scratch/bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"

# The plugin comes from this checkout: path: instead of version:.
mkdir "$scratch/custom"
sed "s|^    version: .*|    path: $repo|" "$here/.custom-gcl.yml" >"$scratch/custom/.custom-gcl.yml"
grep -q "^    path: $repo\$" "$scratch/custom/.custom-gcl.yml" ||
	fail "$here/.custom-gcl.yml has no plugin version: line to replace by this checkout's path"
gcl=$scratch/custom/bin/golangci-lint-silentfail
echo "== golangci-lint custom (${SECONDS}s)"
if (cd "$scratch/custom" && "$scratch/bin/golangci-lint" custom -v) >"$log" 2>&1; then
	echo "built by golangci-lint custom"
elif grep -q 'clone golangci-lint:' "$log"; then
	echo "golangci-lint custom cannot clone github.com/golangci/golangci-lint; building from the module proxy instead"
	go mod download -json "github.com/golangci/golangci-lint/v2@$version" >"$log" 2>&1 || {
		cat "$log" >&2
		fail "go mod download golangci-lint@$version"
	}
	src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$log")
	[ -d "$src" ] || fail "go mod download golangci-lint@$version gave no source directory"
	cp -R "$src" "$scratch/golangci-lint"
	chmod -R u+w "$scratch/golangci-lint"
	# custom rewrites this file, which exists to declare module plugins.
	cat >"$scratch/golangci-lint/cmd/golangci-lint/plugins.go" <<-'GO'
	package main

	import _ "github.com/silentfail/silentfail/plugin/golangci"
	GO
	cd "$scratch/golangci-lint"
	quiet "replace silentfail by $repo in golangci-lint's go.mod" go mod edit -replace "github.com/silentfail/silentfail=$repo"
	quiet "go mod tidy in golangci-lint $version with the plugin" go mod tidy
	mkdir -p "$(dirname "$gcl")"
	quiet "go build golangci-lint $version with the plugin" \
		go build -ldflags "-s -w -X main.version=$version-silentfail" -o "$gcl" ./cmd/golangci-lint
	cd "$repo"
else
	cat "$log" >&2
	fail "golangci-lint custom failed, and not on cloning golangci-lint"
fi
# Not a pipe into grep -q: with pipefail, golangci-lint killed by
# SIGPIPE after grep's match would fail the check.
"$gcl" linters --enable-only silentfail --config "$here/.golangci.yml" >"$log" 2>&1 || true
grep -q '^silentfail' "$log" || {
	cat "$log" >&2
	fail "the built golangci-lint does not know the silentfail linter"
}
if [ -n "$keep" ]; then
	cp "$gcl" "$keep"
	echo "kept $keep"
fi

# lint runs the built golangci-lint with only silentfail on, every
# finding shown (no per-linter, per-text or per-line limits), as JSON
# with absolute paths. $1 is the configuration, the rest the packages.
lint() {
	local cfg=$1
	shift
	"$gcl" run --config "$cfg" --enable-only silentfail \
		--max-issues-per-linter 0 --max-same-issues 0 --uniq-by-line=false \
		--path-mode abs --show-stats=false --issues-exit-code 0 \
		--output.json.path stdout "$@"
}
(cd "$repo" && go build -o "$scratch/bin/markers" ./plugin/golangci/testdata/markers) >"$log" 2>&1 || {
	cat "$log" >&2
	fail "go build plugin/golangci/testdata/markers"
}
markers() {
	(cd "$repo" && "$scratch/bin/markers" "$@")
}

echo "== examples/leakyservice, every check and form on (${SECONDS}s)"
# The example configuration with enable: [all]: the markers include the
# opt-in checks and forms.
sed -e 's|^\( *\)enable: \[\]|\1enable: [all]|' "$here/.golangci.yml" >"$scratch/all.yml"
grep -q "enable: \[all\]" "$scratch/all.yml" || fail "$here/.golangci.yml has no empty enable: [] list to replace"
(cd "$repo" && lint "$scratch/all.yml" ./examples/...) >"$scratch/examples.json" 2>"$log" || {
	cat "$log" >&2
	fail "golangci-lint could not run on examples/..."
}
markers -dir examples/leakyservice <"$scratch/examples.json" ||
	fail "golangci-lint's silentfail findings on examples/leakyservice differ from its BUG markers"

echo "== directives and settings (${SECONDS}s)"
fixture=$scratch/fixture
mkdir "$fixture"
printf 'module example.com/fixture\n\ngo 1.26\n' >"$fixture/go.mod"
cat >"$fixture/fixture.go" <<'GO'
package fixture

import "sync"

type counts struct {
	mu sync.RWMutex
	n  map[string]int
}

func (c *counts) Len() int {
	c.mu.RLock()
	// BUG(deferlock): RLock released with Unlock
	defer c.mu.Unlock()
	return len(c.n)
}

// Locks in loops: deferloop's default form.
func (c *counts) AddAll(names []string) {
	for _, name := range names {
		c.mu.Lock()
		// BUG(deferloop): no directive: reported
		defer c.mu.Unlock()
		c.n[name]++
	}
}

func (c *counts) AddAllIgnored(names []string) {
	for _, name := range names {
		c.mu.Lock()
		//silentfail:ignore deferloop the callers pass at most one name
		defer c.mu.Unlock()
		c.n[name]++
	}
}

func (c *counts) AddAllNolint(names []string) {
	for _, name := range names {
		c.mu.Lock()
		defer c.mu.Unlock() //nolint:silentfail // golangci-lint's own directive
		c.n[name]++
	}
}
GO
# settings writes a copy of the example configuration with its enable:
# and disable: lists replaced.
settings() {
	sed -e "s|^\( *\)enable: \[\]|\1enable: [$2]|" -e "s|^\( *\)disable: \[\]|\1disable: [$3]|" "$here/.golangci.yml" >"$1"
	grep -q "enable: \[$2\]" "$1" && grep -q "disable: \[$3\]" "$1" ||
		fail "$here/.golangci.yml has no empty enable: [] and disable: [] lists to replace"
}
(cd "$fixture" && lint "$here/.golangci.yml" ./...) >"$scratch/fixture.json" 2>"$log" || {
	cat "$log" >&2
	fail "golangci-lint could not run on the fixture"
}
markers -dir "$fixture" <"$scratch/fixture.json" ||
	fail "//silentfail:ignore or //nolint:silentfail did not work under golangci-lint, or a finding is missing"

settings "$scratch/disable.yml" "" deferlock
(cd "$fixture" && lint "$scratch/disable.yml" ./...) >"$scratch/disable.json" 2>"$log" || {
	cat "$log" >&2
	fail "golangci-lint could not run on the fixture with disable: [deferlock]"
}
markers -dir "$fixture" -skip deferlock <"$scratch/disable.json" ||
	fail "disable: [deferlock] did not turn deferlock off"

settings "$scratch/unknown.yml" deferlok ""
if (cd "$fixture" && lint "$scratch/unknown.yml" ./...) >"$log" 2>&1; then
	fail "golangci-lint accepted enable: [deferlok], an unknown check"
fi
grep -q 'enable: unknown check \\\?"deferlok\\\?" (known: deferloop, ' "$log" || {
	cat "$log" >&2
	fail "enable: [deferlok] did not stop golangci-lint with the plugin's unknown-check error"
}
# Suggested fixes reach golangci-lint's --fix: deferlock's turns the
# deferred Unlock into RUnlock.
(cd "$fixture" && "$gcl" run --config "$here/.golangci.yml" --enable-only silentfail --fix --issues-exit-code 0 ./...) >"$log" 2>&1 || {
	cat "$log" >&2
	fail "golangci-lint --fix could not run on the fixture"
}
grep -q '^	defer c.mu.RUnlock()$' "$fixture/fixture.go" ||
	fail "golangci-lint --fix did not apply deferlock's suggested fix"

echo "PASS: golangci-lint $version with the silentfail plugin (${SECONDS}s)"
