package checkrun

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/silentfail/silentfail/internal/atomicfile"
)

// DefaultCacheBytes bounds a result cache: beyond it, the entries used
// least recently are removed.
const DefaultCacheBytes = 256 << 20

// A Cache keeps the findings of packages between runs, so that a run on
// an unchanged tree replays them instead of type-checking and analyzing
// again. An entry is keyed by everything that can change a package's
// findings: its files' contents, the keys of the packages it imports
// (so any change below it), its module's Go version, the build
// environment, the checks with their settings, and silentfail's own
// executable. Entries are written through a temporary file and renamed,
// so two runs can share a cache; an entry that does not decode is
// ignored and removed.
type Cache struct {
	dir      string
	maxBytes int64
}

// OpenCache opens (creating it) the cache in dir, bounded to maxBytes
// (DefaultCacheBytes when 0).
func OpenCache(dir string, maxBytes int64) (*Cache, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("result cache: %w", err)
	}
	return &Cache{dir: dir, maxBytes: maxBytes}, nil
}

// DefaultCacheDir is $SILENTFAIL_CACHE when set, else silentfail/check
// in the user's cache directory.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("SILENTFAIL_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("result cache: %w", err)
	}
	return filepath.Join(d, "silentfail", "check"), nil
}

// cachedResult is what an entry stores of a root's result: only clean
// results (analyzed, no failure) are stored.
type cachedResult struct {
	Findings []Finding `json:"findings"`
}

// Dir is the directory the cache lives in.
func (c *Cache) Dir() string { return c.dir }

func (c *Cache) path(key string) string {
	return filepath.Join(c.dir, key[:2], key+".json")
}

// get returns the stored result of key, and marks it used.
func (c *Cache) get(key string) (rootResult, bool) {
	p := c.path(key)
	b, err := os.ReadFile(p)
	if err != nil {
		return rootResult{}, false
	}
	var cr cachedResult
	if err := json.Unmarshal(b, &cr); err != nil {
		os.Remove(p) // corrupt: recomputed and written again
		return rootResult{}, false
	}
	now := time.Now()
	os.Chtimes(p, now, now)
	return rootResult{analyzed: true, findings: cr.Findings}, true
}

// put stores a clean result under key.
func (c *Cache) put(key string, r rootResult) error {
	b, err := json.Marshal(cachedResult{Findings: r.findings})
	if err != nil {
		return err
	}
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(p, b)
}

// trim removes the entries used least recently until the cache is
// within 80% of its bound, when it is over it.
func (c *Cache) trim() {
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var entries []entry
	var total int64
	filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			entries = append(entries, entry{path, info.Size(), info.ModTime()})
			total += info.Size()
		}
		return nil
	})
	if total <= c.maxBytes {
		return
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, e := range entries {
		if total <= c.maxBytes*8/10 {
			break
		}
		if os.Remove(e.path) == nil {
			total -= e.size
		}
	}
}

// keyer computes the cache keys of packages.
type keyer struct {
	base string // the run's settings and silentfail's executable
	mu   sync.Mutex
	keys map[*packages.Package]string
}

// newKeyer hashes what is the same for every package of a run.
func newKeyer(cfg Config, env []string) (*keyer, error) {
	h := sha256.New()
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(exe)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(h, "\x00go %s %s/%s tests=%v\x00", runtime.Version(), runtime.GOOS, runtime.GOARCH, cfg.Tests)
	for _, a := range cfg.Analyzers {
		fmt.Fprintf(h, "check %s\x00", a.Name)
		a.Flags.VisitAll(func(f *flag.Flag) { fmt.Fprintf(h, "-%s=%s\x00", f.Name, f.Value) })
	}
	known := slices.Clone(cfg.KnownChecks)
	sort.Strings(known)
	fmt.Fprintf(h, "known %q\x00", known)
	for _, kv := range env {
		// The build environment that selects files and their meaning.
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GOOS", "GOARCH", "GOFLAGS", "CGO_ENABLED", "GOEXPERIMENT", "GOROOT", "GOPATH", "GOWORK", "GO111MODULE", "GOTOOLCHAIN", "GOAMD64", "GOARM", "GOARM64":
			fmt.Fprintf(h, "%s\x00", kv)
		}
	}
	return &keyer{base: hex.EncodeToString(h.Sum(nil)), keys: make(map[*packages.Package]string)}, nil
}

// key returns p's key: its files, its module and, recursively, the keys
// of what it imports. Files of the main module are hashed whole (that
// is where edits happen); the others, in GOROOT and the module cache,
// by size and modification time.
func (k *keyer) key(p *packages.Package) (string, error) {
	k.mu.Lock()
	if s, ok := k.keys[p]; ok {
		k.mu.Unlock()
		return s, nil
	}
	k.mu.Unlock()
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", k.base, p.ID)
	main := false
	if m := p.Module; m != nil {
		fmt.Fprintf(h, "module %s %s go%s\x00", m.Path, m.Version, m.GoVersion)
		main = m.Main
	}
	for _, name := range p.CompiledGoFiles {
		fmt.Fprintf(h, "file %s\x00", name)
		if main {
			f, err := os.Open(name)
			if err != nil {
				return "", err
			}
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return "", err
			}
		} else {
			info, err := os.Stat(name)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "%d %d\x00", info.Size(), info.ModTime().UnixNano())
		}
	}
	paths := make([]string, 0, len(p.Imports))
	for path := range p.Imports {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		sub, err := k.key(p.Imports[path])
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "import %s %s\x00", path, sub)
	}
	s := hex.EncodeToString(h.Sum(nil))
	k.mu.Lock()
	k.keys[p] = s
	k.mu.Unlock()
	return s, nil
}
