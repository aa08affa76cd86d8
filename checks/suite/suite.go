// Package suite lists the silentfail analyzers in the order the
// catalogue presents them.
package suite

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/checks/chanleak"
	"github.com/silentfail/silentfail/checks/ctxcancel"
	"github.com/silentfail/silentfail/checks/ctxreplace"
	"github.com/silentfail/silentfail/checks/deferargs"
	"github.com/silentfail/silentfail/checks/deferblock"
	"github.com/silentfail/silentfail/checks/deferclose"
	"github.com/silentfail/silentfail/checks/defererr"
	"github.com/silentfail/silentfail/checks/defergo"
	"github.com/silentfail/silentfail/checks/deferlock"
	"github.com/silentfail/silentfail/checks/deferloop"
	"github.com/silentfail/silentfail/checks/deferrecover"
	"github.com/silentfail/silentfail/checks/loopcapture"
	"github.com/silentfail/silentfail/checks/poolput"
	"github.com/silentfail/silentfail/checks/poolreset"
)

// All returns every silentfail analyzer, in catalogue order. The slice
// is new on each call; the analyzers are shared.
func All() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		deferloop.Analyzer,
		deferargs.Analyzer,
		deferclose.Analyzer,
		defererr.Analyzer,
		deferblock.Analyzer,
		defergo.Analyzer,
		deferrecover.Analyzer,
		deferlock.Analyzer,
		loopcapture.Analyzer,
		ctxcancel.Analyzer,
		ctxreplace.Analyzer,
		chanleak.Analyzer,
		poolreset.Analyzer,
		poolput.Analyzer,
	}
}

// Lookup returns the analyzer with the given name, or nil.
func Lookup(name string) *analysis.Analyzer {
	for _, a := range All() {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Names returns the names of every analyzer, in catalogue order.
func Names() []string {
	all := All()
	names := make([]string, len(all))
	for i, a := range all {
		names[i] = a.Name
	}
	return names
}

// Select returns the analyzers a user's selection leaves, in catalogue
// order: those named in enable (every analyzer when enable is empty)
// minus those named in disable. A name that is not a check is an error
// naming it and listing the known checks, and so is a selection that
// leaves no check: both are mistakes in a configuration, and running
// nothing would look like a clean result. The command line (-enable,
// -disable) and the golangci-lint plugin (enable:, disable:) share it so
// that the same lists select the same checks everywhere.
func Select(enable, disable []string) ([]*analysis.Analyzer, error) {
	on, err := nameSet("enable", enable)
	if err != nil {
		return nil, err
	}
	off, err := nameSet("disable", disable)
	if err != nil {
		return nil, err
	}
	var out []*analysis.Analyzer
	for _, a := range All() {
		if (len(on) == 0 || on[a.Name]) && !off[a.Name] {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		if len(on) == 0 {
			return nil, fmt.Errorf("disable lists every check: no check left to run")
		}
		return nil, fmt.Errorf("every check in enable is also in disable: no check left to run")
	}
	return out, nil
}

func nameSet(list string, names []string) (map[string]bool, error) {
	set := make(map[string]bool, len(names))
	for _, name := range names {
		if Lookup(name) == nil {
			return nil, fmt.Errorf("%s: unknown check %q (known: %s)", list, name, strings.Join(Names(), ", "))
		}
		set[name] = true
	}
	return set, nil
}
