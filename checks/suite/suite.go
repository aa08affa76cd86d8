// Package suite lists the silentfail analyzers in the order the
// catalogue presents them.
package suite

import (
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
