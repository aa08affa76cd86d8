package watch

import (
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 2, 15, 0, 0, time.UTC)

// goroutineSamples returns one sample per value, 10s apart.
func goroutineSamples(vals ...float64) []Sample {
	out := make([]Sample, len(vals))
	for i, v := range vals {
		out[i] = NewSample(t0.Add(time.Duration(i) * 10 * time.Second))
		out[i].Goroutines = v
	}
	return out
}

func TestRuleCheck(t *testing.T) {
	ceiling := Rule{Name: "c", Metric: Goroutines, Kind: Ceiling, Limit: 100}
	growth := Rule{Name: "g", Metric: Goroutines, Kind: Growth, Window: 5, MinIncrease: 50, MinRatio: 0.2}
	baseline := Rule{Name: "b", Metric: Goroutines, Kind: Baseline, Warmup: 2, Learn: 3, Factor: 2, MinIncrease: 50}
	tests := []struct {
		name  string
		rule  Rule
		vals  []float64
		want  bool
		inWhy string
	}{
		{"ceiling below", ceiling, []float64{99}, false, ""},
		{"ceiling reached", ceiling, []float64{100}, true, "at or above the ceiling 100"},
		{"ceiling judges the latest only", ceiling, []float64{500, 20}, false, ""},
		{"ceiling unknown value", ceiling, []float64{-1}, false, ""},

		{"growth steady leak", growth, []float64{100, 130, 160, 190, 220}, true, "grew from 100 to 220 over the last 5 samples"},
		{"growth noisy leak", growth, []float64{100, 160, 140, 230, 260}, true, ""},
		{"growth too few samples", growth, []float64{100, 200, 300, 400}, false, ""},
		{"growth one spike", growth, []float64{100, 100, 100, 100, 5000}, false, ""},
		{"growth one step then flat", growth, []float64{100, 100, 400, 400, 400}, false, ""},
		{"growth spike then back", growth, []float64{100, 900, 100, 110, 120}, false, ""},
		{"growth below the absolute minimum", growth, []float64{10, 20, 30, 40, 50}, false, ""},
		{"growth below the ratio", growth, []float64{1000, 1020, 1040, 1060, 1080}, false, ""},
		{"growth falling", growth, []float64{400, 300, 200, 100, 50}, false, ""},
		{"growth uses the last window", growth, []float64{9000, 9000, 100, 130, 160, 190, 220}, true, ""},
		{"growth unknown value in window", growth, []float64{100, 130, -1, 190, 220}, false, ""},

		{"baseline not learned yet", baseline, []float64{10, 10, 50, 50, 50}, false, ""},
		{"baseline ignores the warm-up", baseline, []float64{1000, 1000, 50, 60, 50, 120}, true, "2.4x the baseline 50"},
		{"baseline within factor", baseline, []float64{1, 1, 50, 50, 50, 99}, false, ""},
		{"baseline factor but too small a rise", baseline, []float64{1, 1, 10, 10, 10, 40}, false, ""},
		{"baseline uses the median", baseline, []float64{1, 1, 50, 50, 5000, 110}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine([]Rule{tt.rule}, 0) // no cooldown: judge the last sample alone
			var got []Firing
			for _, s := range goroutineSamples(tt.vals...) {
				got = e.Observe(s)
			}
			if fired := len(got) == 1; fired != tt.want {
				t.Fatalf("%v: fired = %v, want %v (%v)", tt.vals, fired, tt.want, got)
			}
			if tt.want && !strings.Contains(got[0].Reason, tt.inWhy) {
				t.Errorf("reason %q does not contain %q", got[0].Reason, tt.inWhy)
			}
			if tt.want && (got[0].Rule != tt.rule.Name || got[0].Value != tt.vals[len(tt.vals)-1]) {
				t.Errorf("firing = %+v", got[0])
			}
		})
	}
}

func TestEngineCooldown(t *testing.T) {
	r := Rule{Name: "c", Metric: Goroutines, Kind: Ceiling, Limit: 100, Cooldown: 25 * time.Second}
	e := NewEngine([]Rule{r}, time.Hour)
	// Samples 10s apart, all above the ceiling: fires at 0s, 30s, 60s.
	var fired []int
	for i, s := range goroutineSamples(200, 200, 200, 200, 200, 200, 200) {
		if len(e.Observe(s)) > 0 {
			fired = append(fired, i)
		}
	}
	if want := []int{0, 3, 6}; !equalInts(fired, want) {
		t.Errorf("fired at samples %v, want %v", fired, want)
	}
}

func TestEngineDefaultCooldownAndOrder(t *testing.T) {
	rules := []Rule{
		{Name: "first", Metric: Goroutines, Kind: Ceiling, Limit: 1},
		{Name: "second", Metric: Goroutines, Kind: Ceiling, Limit: 2},
		{Name: "heap", Metric: HeapBytes, Kind: Ceiling, Limit: 1}, // unknown in these samples
	}
	e := NewEngine(rules, time.Minute)
	for _, r := range e.Rules() {
		if r.Cooldown != time.Minute {
			t.Errorf("rule %s cooldown %v, want the default 1m", r.Name, r.Cooldown)
		}
	}
	got := e.Observe(goroutineSamples(5)[0])
	if len(got) != 2 || got[0].Rule != "first" || got[1].Rule != "second" {
		t.Errorf("firings %+v, want first then second", got)
	}
}

func TestDefaultRulesAreValid(t *testing.T) {
	names := map[string]bool{}
	for _, r := range DefaultRules() {
		if names[r.Name] {
			t.Errorf("duplicate rule name %s", r.Name)
		}
		names[r.Name] = true
		if !captureName.MatchString("20261123T021500.123Z-0001-" + r.Name) {
			t.Errorf("rule name %q cannot be a capture name suffix", r.Name)
		}
		switch r.Kind {
		case Growth:
			if r.Window < 2 && r.Span <= 0 {
				t.Errorf("%s: window %d, span %s", r.Name, r.Window, r.Span)
			}
		case Baseline:
			if r.Learn < 1 || r.Factor <= 1 {
				t.Errorf("%s: learn %d factor %v", r.Name, r.Learn, r.Factor)
			}
		}
	}
	// A quiet service with its usual ups and downs fires no default rule.
	e := NewEngine(DefaultRules(), DefaultCooldown)
	for i := range 200 {
		s := Sample{Time: t0.Add(time.Duration(i) * DefaultInterval), Goroutines: float64(300 + (i*37)%150),
			HeapBytes: float64(200<<20 + (i*7919)%(50<<20)), GCCPUFraction: 0.05, OpenFDs: float64(40 + i%20), InFlight: float64(i % 30)}
		if f := e.Observe(s); len(f) > 0 {
			t.Fatalf("sample %d: %+v fired %+v", i, s, f)
		}
	}
}

func TestWithGoroutineLimit(t *testing.T) {
	c := newConfig(false, []Option{WithGoroutineLimit(42)})
	n := 0
	for _, r := range c.rules {
		if r.Metric == Goroutines && r.Kind == Ceiling {
			n++
			if r.Limit != 42 {
				t.Errorf("limit %v", r.Limit)
			}
		}
	}
	c = newConfig(false, []Option{WithRules(), WithGoroutineLimit(7)})
	if len(c.rules) != 1 || c.rules[0].Limit != 7 {
		t.Errorf("rules %+v, want one ceiling of 7", c.rules)
	}
	if n != 1 {
		t.Errorf("%d goroutine ceilings", n)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Growth over a span does not depend on the poll interval: a leak of
// ten goroutines a second fires within a minute at 1s as at 15s; a
// step up that stays, noise, and a slow drift do not.
func TestGrowthOverSpan(t *testing.T) {
	rule := DefaultRules()[1]
	if rule.Name != "goroutines-growth" {
		t.Fatalf("rule %s", rule.Name)
	}
	series := func(every time.Duration, n int, f func(sec float64) float64) []Sample {
		out := make([]Sample, n)
		for i := range out {
			at := time.Duration(i) * every
			out[i] = NewSample(t0.Add(at))
			out[i].Goroutines = math.Round(f(at.Seconds()))
		}
		return out
	}
	firesAt := func(samples []Sample) time.Duration {
		e := NewEngine([]Rule{rule}, time.Hour)
		for _, s := range samples {
			if len(e.Observe(s)) > 0 {
				return s.Time.Sub(t0)
			}
		}
		return -1
	}
	leak := func(sec float64) float64 { return 40 + 10*sec }
	for _, every := range []time.Duration{time.Second, 5 * time.Second, 15 * time.Second} {
		if at := firesAt(series(every, int(2*time.Minute/every), leak)); at < 0 || at > time.Minute {
			t.Errorf("10 goroutines/s polled every %s: fired at %s, want within a minute", every, at)
		}
	}
	for name, f := range map[string]func(float64) float64{
		"step up, then flat": func(sec float64) float64 {
			if sec < 60 {
				return 40
			}
			return 400
		},
		"noise":                    func(sec float64) float64 { return 300 + float64((int(sec)*37)%150) },
		"slow drift (10 a minute)": func(sec float64) float64 { return 300 + sec/6 },
	} {
		if at := firesAt(series(time.Second, 1200, f)); at >= 0 {
			t.Errorf("%s: fired at %s", name, at)
		}
	}
}

func TestWithGoroutineGrowth(t *testing.T) {
	c := newConfig(true, []Option{WithGoroutineGrowth(2*time.Minute, 20, 5)})
	for _, r := range c.rules {
		if r.Name == "goroutines-growth" && (r.Span != 2*time.Minute || r.MinIncrease != 20 || r.MinRate != 5) {
			t.Errorf("rule %+v", r)
		}
	}
}
