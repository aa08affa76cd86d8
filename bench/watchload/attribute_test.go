package main

import (
	"bytes"
	"testing"

	"github.com/google/pprof/profile"
)

// cpuProfile builds a CPU profile whose samples have the given stacks,
// innermost function first, and the given counts.
func cpuProfile(t *testing.T, stacks [][]string, counts []int64) []byte {
	t.Helper()
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
	}
	funcs := map[string]*profile.Function{}
	for i, stack := range stacks {
		s := &profile.Sample{Value: []int64{counts[i]}}
		for _, name := range stack {
			fn := funcs[name]
			if fn == nil {
				fn = &profile.Function{ID: uint64(len(funcs) + 1), Name: name}
				funcs[name] = fn
				p.Function = append(p.Function, fn)
			}
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn}}}
			p.Location = append(p.Location, loc)
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAttribute(t *testing.T) {
	const mw = "main.serve.(*Watcher).Middleware.func6"
	data := cpuProfile(t, [][]string{
		// The middleware's own work: watch code is the innermost owner.
		{"runtime/pprof.SetGoroutineLabels", mw, "net/http.(*ServeMux).ServeHTTP", "net/http.(*conn).serve"},
		{"github.com/silentfail/silentfail/watch.(*flight).start", mw, "net/http.(*ServeMux).ServeHTTP", "net/http.(*conn).serve"},
		// The handler's work, under the middleware: not the middleware's.
		{"encoding/json.(*Encoder).Encode", "main.smallHandler.func1", "net/http.(*ServeMux).ServeHTTP", mw,
			"net/http.(*ServeMux).ServeHTTP", "net/http.(*conn).serve"},
		// net/http's own work.
		{"syscall.write", "net/http.(*response).finishRequest", "net/http.(*conn).serve"},
		// The watcher's sampling goroutine.
		{"runtime/metrics.Read", "github.com/silentfail/silentfail/watch.(*Watcher).tick", "github.com/silentfail/silentfail/watch.(*Watcher).loop"},
	}, []int64{3, 2, 50, 40, 5})
	a, err := attribute(data)
	if err != nil {
		t.Fatal(err)
	}
	want := attribution{total: 100, middleware: 5, watcher: 5}
	if a != want {
		t.Errorf("attribute = %+v, want %+v", a, want)
	}
	if _, err := attribute(cpuProfile(t, nil, nil)); err == nil {
		t.Error("a profile without samples: no error")
	}
}
