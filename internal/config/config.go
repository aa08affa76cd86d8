// Package config reads silentfail.yaml, the settings of silentfail
// check for a code base: which checks and forms run, whether test files
// are checked, which files' findings are left out, and the baseline.
// Every key means what the flag of the same name means; flags given on
// the command line win.
//
//	# silentfail.yaml, at the module root (or .silentfail.yaml)
//	enable: [default, chanleak, deferclose.dropped]
//	disable: [loopcapture]
//	tests: false
//	exclude: ["**/*.pb.go", "internal/gen/", "third_party/**"]
//	baseline: .silentfail-baseline.json
//
// Paths (exclude, baseline) are relative to the file's directory.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Names are the file names looked for, in this order, in each directory.
var Names = []string{"silentfail.yaml", ".silentfail.yaml"}

// A Config is the content of a config file.
type Config struct {
	Path     string   // the file it was read from
	Enable   []string // checks and forms, as -enable takes them
	Disable  []string
	Tests    *bool // nil: not set
	Exclude  []string
	Baseline string // absolute, or ""

	// lines of the list items, for errors about a check name
	enableLines, disableLines []int
	exclude                   []*regexp.Regexp
}

// Find returns the config file in dir or the nearest directory above
// it, or "" when there is none.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		for _, n := range Names {
			p := filepath.Join(d, n)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", err
			}
		}
		if filepath.Dir(d) == d {
			return "", nil
		}
	}
}

var known = []string{"enable", "disable", "tests", "exclude", "baseline"}

// Read reads and checks the config file at path. Errors name the file
// and, when it is about a key or a value, its line.
func Read(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := &Config{Path: path}
	if len(bytes.TrimSpace(b)) == 0 {
		return c, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return c, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want keys (%s), not a %s", path, root.Line, strings.Join(known, ", "), kindName(root))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return nil, fmt.Errorf("%s:%d: %q given twice", path, k.Line, k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "enable":
			c.Enable, c.enableLines, err = stringList(path, k.Value, v)
		case "disable":
			c.Disable, c.disableLines, err = stringList(path, k.Value, v)
		case "exclude":
			c.Exclude, _, err = stringList(path, k.Value, v)
		case "tests":
			var t bool
			if v.Kind != yaml.ScalarNode || v.Decode(&t) != nil {
				err = fmt.Errorf("%s:%d: tests: want true or false, not %q", path, v.Line, v.Value)
			}
			c.Tests = &t
		case "baseline":
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				err = fmt.Errorf("%s:%d: baseline: want a file name", path, v.Line)
			}
			c.Baseline = filepath.Join(filepath.Dir(path), filepath.FromSlash(v.Value))
		default:
			err = fmt.Errorf("%s:%d: unknown key %q (known: %s)", path, k.Line, k.Value, strings.Join(known, ", "))
		}
		if err != nil {
			return nil, err
		}
	}
	for _, pat := range c.Exclude {
		c.exclude = append(c.exclude, globRegexp(pat))
	}
	return c, nil
}

// CheckNames reports the first name of enable or disable that valid
// rejects, with the file and line where it is written.
func (c *Config) CheckNames(valid func(name string) bool) error {
	for _, l := range []struct {
		key   string
		names []string
		lines []int
	}{{"enable", c.Enable, c.enableLines}, {"disable", c.Disable, c.disableLines}} {
		for i, n := range l.names {
			if !valid(n) {
				return fmt.Errorf("%s:%d: %s: unknown check or form %q", c.Path, l.lines[i], l.key, n)
			}
		}
	}
	return nil
}

// Excluded reports whether file (absolute) matches an exclude pattern.
func (c *Config) Excluded(file string) bool {
	if len(c.exclude) == 0 {
		return false
	}
	rel, err := filepath.Rel(filepath.Dir(c.Path), file)
	if err != nil || !filepath.IsLocal(rel) {
		return false
	}
	rel = filepath.ToSlash(rel)
	return slices.ContainsFunc(c.exclude, func(re *regexp.Regexp) bool { return re.MatchString(rel) })
}

// globRegexp turns a path pattern into a regexp on slash-separated
// paths: * matches within one path element, ** any number of them, ?
// one character; a pattern ending in / matches everything under that
// directory; as in .gitignore, a pattern with no other / matches at any
// depth, and a leading / anchors it at the config file's directory.
func globRegexp(pat string) *regexp.Regexp {
	dir := strings.HasSuffix(pat, "/")
	pat = strings.TrimSuffix(pat, "/")
	anyDir := !strings.Contains(pat, "/")
	pat = strings.TrimPrefix(pat, "/")
	var b strings.Builder
	b.WriteString("^")
	if anyDir {
		b.WriteString("(?:.*/)?")
	}
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; {
		case c == '*' && i+1 < len(pat) && pat[i+1] == '*':
			i++
			if i+1 < len(pat) && pat[i+1] == '/' {
				i++
				b.WriteString("(?:.*/)?")
			} else {
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if dir {
		b.WriteString("/.*")
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// stringList reads a list of strings, or one string.
func stringList(path, key string, v *yaml.Node) ([]string, []int, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		return []string{v.Value}, []int{v.Line}, nil
	case yaml.SequenceNode:
		var out []string
		var lines []int
		for _, it := range v.Content {
			if it.Kind != yaml.ScalarNode {
				return nil, nil, fmt.Errorf("%s:%d: %s: want a list of names, not a %s", path, it.Line, key, kindName(it))
			}
			out = append(out, it.Value)
			lines = append(lines, it.Line)
		}
		return out, lines, nil
	}
	return nil, nil, fmt.Errorf("%s:%d: %s: want a list of names, not a %s", path, v.Line, key, kindName(v))
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	}
	return "value"
}
