// Package golangci makes silentfail's checks a golangci-lint v2 module
// plugin named "silentfail".
//
// golangci-lint loads module plugins at build time: a custom binary,
// built by "golangci-lint custom" from .custom-gcl.yml, blank-imports
// this package, whose init registers the plugin. The linter is then
// turned on in .golangci.yml:
//
//	linters:
//	  enable:
//	    - silentfail
//	  settings:
//	    custom:
//	      silentfail:
//	        type: module
//	        settings:
//	          disable: [poolput]
//
// The settings take the lists of "silentfail check": enable (the default
// set when empty; "default", "all" and opt-in forms such as
// deferloop.pileup are accepted) and disable, with the same meaning,
// and baseline: a file written by "silentfail check -baseline FILE",
// whose findings are not reported (golangci-lint has new-from-rev of
// its own, but no baseline).
// See .custom-gcl.yml, .golangci.yml and build.sh next to this file.
package golangci

import (
	"fmt"
	"slices"
	"sync"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/checks/suite"
	"github.com/silentfail/silentfail/internal/baseline"
	"github.com/silentfail/silentfail/internal/checkrun"
)

// Name is the linter's name in golangci-lint's configuration and output.
const Name = "silentfail"

func init() {
	register.Plugin(Name, New)
}

// Settings is the settings block of the linter in .golangci.yml.
type Settings struct {
	// Enable lists the checks and forms to run; empty means the
	// default set.
	Enable []string `json:"enable"`
	// Disable lists checks not to run, taken out of Enable.
	Disable []string `json:"disable"`
	// Baseline names a baseline file (silentfail check -baseline FILE);
	// the findings it holds are not reported. Relative to the directory
	// golangci-lint runs in.
	Baseline string `json:"baseline"`
}

// Plugin is the registered plugin: the checks its settings select.
type Plugin struct {
	analyzers []*analysis.Analyzer
}

// New decodes golangci-lint's raw settings for the linter and selects
// the checks. Unknown keys and unknown check names are errors, so that
// a typo does not silently turn a check off (or leave it on).
func New(settings any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, fmt.Errorf("silentfail settings: %w", err)
	}
	analyzers, err := suite.Select(s.Enable, s.Disable)
	if err != nil {
		return nil, fmt.Errorf("silentfail settings: %w", err)
	}
	if s.Baseline != "" {
		f, err := baseline.Read(s.Baseline)
		if err != nil {
			return nil, fmt.Errorf("silentfail settings: baseline: %w (write it with silentfail check -baseline %s)", err, s.Baseline)
		}
		known := &knownFindings{file: f, path: s.Baseline, left: f.Counts()}
		for i, a := range analyzers {
			analyzers[i] = known.filter(a)
		}
	}
	return &Plugin{analyzers: analyzers}, nil
}

// knownFindings drops, across a run, the findings a baseline holds:
// each fingerprint as many times as the baseline lists it.
type knownFindings struct {
	file *baseline.File
	path string
	mu   sync.Mutex
	left map[string]int
}

// filter returns a copy of a whose reports go through the baseline.
func (k *knownFindings) filter(a *analysis.Analyzer) *analysis.Analyzer {
	b := *a
	b.Run = func(pass *analysis.Pass) (any, error) {
		p := *pass
		p.Report = func(d analysis.Diagnostic) {
			if !k.known(pass, a.Name, d) {
				pass.Report(d)
			}
		}
		return a.Run(&p)
	}
	return &b
}

func (k *knownFindings) known(pass *analysis.Pass, check string, d analysis.Diagnostic) bool {
	f := checkrun.Finding{
		Check: check, Message: d.Message, Pos: pass.Fset.Position(d.Pos),
		Func: checkrun.EnclosingFunc(pass.Pkg.Path(), pass.Fset, pass.Files, d.Pos),
	}
	fp := baseline.FingerprintFor(k.path, f)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.left[fp] > 0 {
		k.left[fp]--
		return true
	}
	return false
}

// BuildAnalyzers returns the selected analyzers, in catalogue order.
func (p *Plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return slices.Clone(p.analyzers), nil
}

// GetLoadMode asks golangci-lint for type information: the checks need
// types (which function is called, which value is a context or a
// sync.Pool), not only syntax.
func (p *Plugin) GetLoadMode() string {
	return register.LoadModeTypesInfo
}
