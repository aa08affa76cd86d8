package golangci_test

import (
	"github.com/silentfail/silentfail/internal/baseline"
	"github.com/silentfail/silentfail/internal/checkrun"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/checks/suite"
	"github.com/silentfail/silentfail/plugin/golangci"
)

// build runs the plugin as golangci-lint does: the constructor
// registered under the linter's name, then BuildAnalyzers.
func build(t *testing.T, settings any) ([]*analysis.Analyzer, register.LinterPlugin, error) {
	t.Helper()
	newPlugin, err := register.GetPlugin("silentfail")
	if err != nil {
		t.Fatalf("the package does not register its plugin: %v", err)
	}
	p, err := newPlugin(settings)
	if err != nil {
		return nil, nil, err
	}
	as, err := p.BuildAnalyzers()
	if err != nil {
		t.Fatalf("BuildAnalyzers: %v", err)
	}
	return as, p, nil
}

func names(as []*analysis.Analyzer) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

// The settings arrive as golangci-lint's configuration loader decodes
// YAML: maps of string keys, lists as []any. A nil block means the
// linter has no settings at all.
func TestSettingsSelectChecks(t *testing.T) {
	all := suite.DefaultNames()
	for _, tc := range []struct {
		name     string
		settings any
		want     []string
	}{
		{"no settings", nil, all},
		{"empty settings", map[string]any{}, all},
		{"empty lists", map[string]any{"enable": []any{}, "disable": []any{}}, all},
		{"every check", map[string]any{"enable": []any{"all"}}, suite.Names()},
		{"a form", map[string]any{"enable": []any{"default", "deferloop.pileup"}}, all},
		{"enable", map[string]any{"enable": []any{"poolput", "deferloop"}}, []string{"deferloop", "poolput"}},
		{"disable", map[string]any{"disable": []any{"deferrecover"}}, slices.DeleteFunc(slices.Clone(all), func(n string) bool { return n == "deferrecover" })},
		{"enable and disable", map[string]any{"enable": []any{"deferloop", "chanleak", "poolput"}, "disable": []any{"chanleak"}}, []string{"deferloop", "poolput"}},
		{"typed settings", golangci.Settings{Enable: []string{"ctxcancel"}}, []string{"ctxcancel"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, p, err := build(t, tc.settings)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names(got), tc.want) {
				t.Errorf("analyzers %q, want %q", names(got), tc.want)
			}
			// Exactly the suite's analyzers, not look-alikes: golangci-lint
			// runs what it is given, Requires included.
			for _, a := range got {
				if suite.Lookup(a.Name) != a {
					t.Errorf("%s is not the suite's analyzer", a.Name)
				}
			}
			if err := analysis.Validate(got); err != nil {
				t.Errorf("selected analyzers do not validate: %v", err)
			}
			if mode := p.GetLoadMode(); mode != register.LoadModeTypesInfo {
				t.Errorf("GetLoadMode() = %q, want %q: the checks need type information", mode, register.LoadModeTypesInfo)
			}
		})
	}
}

// The plugin hands out a new slice each time: golangci-lint may append
// to it without changing what the plugin selected.
func TestBuildAnalyzersReturnsACopy(t *testing.T) {
	p, err := golangci.New(map[string]any{"enable": []any{"deferloop", "poolput"}})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := p.BuildAnalyzers()
	first[0] = nil
	second, _ := p.BuildAnalyzers()
	if !slices.Equal(names(second), []string{"deferloop", "poolput"}) {
		t.Errorf("second BuildAnalyzers = %q after the first result was changed", names(second))
	}
}

func TestBadSettingsAreErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings any
		want     []string // substrings of the error
	}{
		{"unknown check in enable", map[string]any{"enable": []any{"deferlok"}},
			[]string{"silentfail settings", `enable: unknown check "deferlok"`, "known: " + strings.Join(suite.Names(), ", ")}},
		{"unknown check in disable", map[string]any{"disable": []any{"deferloop", "nosuch"}},
			[]string{`disable: unknown check "nosuch"`, "known: deferloop, "}},
		{"unknown key", map[string]any{"enabled": []any{"deferloop"}},
			[]string{"silentfail settings", `unknown field "enabled"`}},
		{"a string, not a list", map[string]any{"enable": "deferloop"},
			[]string{"silentfail settings", "enable"}},
		{"every check disabled", map[string]any{"disable": toAny(suite.Names())},
			[]string{"no check left to run"}},
		{"enable all disabled", map[string]any{"enable": []any{"deferloop"}, "disable": []any{"deferloop"}},
			[]string{"no check left to run"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := build(t, tc.settings)
			if err == nil {
				t.Fatalf("settings %v accepted, analyzers %q", tc.settings, names(got))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// A baseline written by silentfail check keeps its findings out of the
// plugin's reports, and only those.
func TestBaselineSetting(t *testing.T) {
	mod := filepath.Join("..", "..", "cmd", "silentfail", "testdata", "mod")
	run := func(as []*analysis.Analyzer) []checkrun.Finding {
		t.Helper()
		res, err := checkrun.Run(checkrun.Config{Dir: mod, Patterns: []string{"./cache"}, Analyzers: as, Tests: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Findings
	}
	defaults, err := suite.Select(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := run(defaults)
	if len(all) < 2 {
		t.Fatalf("want at least two findings in the test module, got %v", all)
	}
	path := filepath.Join(t.TempDir(), "base.json")
	if err := baseline.New(path, all[:1]).Write(path); err != nil {
		t.Fatal(err)
	}
	p, err := golangci.New(map[string]any{"baseline": path})
	if err != nil {
		t.Fatal(err)
	}
	as, err := p.BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	got := run(as)
	if len(got) != len(all)-1 || slices.ContainsFunc(got, func(f checkrun.Finding) bool { return f.Pos == all[0].Pos && f.Message == all[0].Message }) {
		t.Errorf("with the first finding in the baseline: %v, want the %d others", got, len(all)-1)
	}
	if _, err := golangci.New(map[string]any{"baseline": filepath.Join(t.TempDir(), "missing.json")}); err == nil || !strings.Contains(err.Error(), "write it with silentfail check -baseline") {
		t.Errorf("a missing baseline: %v", err)
	}
}
