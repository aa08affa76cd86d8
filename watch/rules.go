package watch

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// A Kind is the shape of a Rule.
type Kind int

const (
	// Ceiling fires when the latest value reaches Limit.
	Ceiling Kind = iota + 1
	// Growth fires on sustained growth: over the samples of the last
	// Span (or, with no Span, the last Window samples), every value of
	// the recent half is above every value of the older half and at
	// least half of the steps rise; the rise reaches both MinIncrease
	// and MinRatio, and with a Span the rate reaches MinRate per minute.
	// One spike, or one step up that then stays flat, does not fire.
	// Over a Span the rise is the recent half's median minus the older
	// half's, so that the rule does not depend on the poll interval: a
	// shorter interval sees the same growth, in more samples.
	Growth
	// Baseline fires when the latest value reaches Factor times the
	// baseline and exceeds it by MinIncrease. The baseline is the median
	// of Learn samples taken after the first Warmup samples since start.
	Baseline
)

func (k Kind) String() string {
	switch k {
	case Ceiling:
		return "ceiling"
	case Growth:
		return "growth"
	case Baseline:
		return "baseline"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// A Rule says when a metric is anomalous. Rules are values: the
// watcher keeps their state (history, baseline, last firing) in an
// Engine, so a rule can be checked as a pure function of the samples.
type Rule struct {
	Name   string // stable, used in capture names, capture.json and metrics: "goroutines-ceiling"
	Metric Metric
	Kind   Kind

	Limit float64 // Ceiling: fire when value >= Limit

	Window      int     // Growth without a Span: samples considered (>= 2)
	MinIncrease float64 // Growth, Baseline: the rise must be at least this much
	MinRatio    float64 // Growth: the rise relative to the older values (0.2 = +20%)

	// Span is the time Growth looks back over, whatever the interval;
	// MinSpan is the history it needs before it judges (at least 4
	// samples as well); MinRate is the least sustained rise per minute.
	Span, MinSpan time.Duration
	MinRate       float64

	Warmup int     // Baseline: samples ignored after start (start-up noise)
	Learn  int     // Baseline: samples the baseline is the median of
	Factor float64 // Baseline: fire when value >= Factor * baseline

	// Cooldown is the least time between two firings of this rule
	// (0: the watcher's default, WithCooldown).
	Cooldown time.Duration
}

// history is what a rule sees: the recent samples (newest last) and the
// first samples since start (for baselines).
type history struct {
	recent []Sample
	early  []Sample
	total  int // samples observed since start
}

// check decides whether r fires on h. It is a pure function.
func (r Rule) check(h *history) (reason string, value float64, fired bool) {
	if len(h.recent) == 0 {
		return "", 0, false
	}
	cur, ok := h.recent[len(h.recent)-1].Value(r.Metric)
	if !ok {
		return "", 0, false
	}
	switch r.Kind {
	case Ceiling:
		if cur >= r.Limit {
			return fmt.Sprintf("%s = %s, at or above the ceiling %s", r.Metric, num(cur), num(r.Limit)), cur, true
		}
	case Growth:
		if r.Span > 0 {
			return r.growthOverSpan(h, cur)
		}
		if r.Window < 2 || len(h.recent) < r.Window {
			return "", 0, false
		}
		win := make([]float64, 0, r.Window)
		for _, s := range h.recent[len(h.recent)-r.Window:] {
			v, ok := s.Value(r.Metric)
			if !ok {
				return "", 0, false
			}
			win = append(win, v)
		}
		half := len(win) / 2
		older, newer := win[:half], win[len(win)-half:]
		highOld, lowNew := slices.Max(older), slices.Min(newer)
		rises := 0
		for i := 1; i < len(win); i++ {
			if win[i] > win[i-1] {
				rises++
			}
		}
		rise := lowNew - highOld
		if rise <= 0 || 2*rises < len(win)-1 || rise < r.MinIncrease {
			return "", 0, false
		}
		if highOld > 0 && rise/highOld < r.MinRatio {
			return "", 0, false
		}
		return fmt.Sprintf("%s grew from %s to %s over the last %d samples (sustained rise %s, %s)",
			r.Metric, num(win[0]), num(cur), r.Window, num(rise), pct(rise, highOld)), cur, true
	case Baseline:
		if r.Learn < 1 || h.total < r.Warmup+r.Learn || len(h.early) < r.Warmup+r.Learn {
			return "", 0, false
		}
		vals := make([]float64, 0, r.Learn)
		for _, s := range h.early[r.Warmup : r.Warmup+r.Learn] {
			if v, ok := s.Value(r.Metric); ok {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			return "", 0, false
		}
		base := median(vals)
		if cur >= base*r.Factor && cur-base >= r.MinIncrease {
			return fmt.Sprintf("%s = %s, %s the baseline %s learned after start-up",
				r.Metric, num(cur), times(cur, base), num(base)), cur, true
		}
	}
	return "", 0, false
}

// growthOverSpan is Growth over the samples of the last Span.
func (r Rule) growthOverSpan(h *history, cur float64) (string, float64, bool) {
	last := h.recent[len(h.recent)-1].Time
	var win []float64
	var at []time.Time
	for _, s := range h.recent {
		if last.Sub(s.Time) > r.Span {
			continue
		}
		v, ok := s.Value(r.Metric)
		if !ok {
			return "", 0, false
		}
		win, at = append(win, v), append(at, s.Time)
	}
	if len(win) < 4 || last.Sub(at[0]) < r.MinSpan {
		return "", 0, false
	}
	half := len(win) / 2
	older, newer := win[:half], win[len(win)-half:]
	if slices.Min(newer) <= slices.Max(older) {
		return "", 0, false
	}
	rises := 0
	for i := 1; i < len(win); i++ {
		if win[i] > win[i-1] {
			rises++
		}
	}
	if 2*rises < len(win)-1 {
		return "", 0, false
	}
	base := median(older)
	rise := median(newer) - base
	// The two medians are about half the span apart.
	mid := func(ts []time.Time) time.Time { return ts[len(ts)/2] }
	minutes := mid(at[len(at)-half:]).Sub(mid(at[:half])).Minutes()
	if rise < r.MinIncrease || minutes <= 0 || (base > 0 && rise/base < r.MinRatio) || rise/minutes < r.MinRate {
		return "", 0, false
	}
	return fmt.Sprintf("%s grew from %s to %s in %s, steadily (%s a minute, %s)",
		r.Metric, num(win[0]), num(cur), last.Sub(at[0]).Round(time.Second), num(math.Round(rise/minutes)), pct(rise, base)), cur, true
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func pct(rise, base float64) string {
	if base <= 0 {
		return "from zero"
	}
	return fmt.Sprintf("+%.0f%%", 100*rise/base)
}

func times(cur, base float64) string {
	if base <= 0 {
		return "above"
	}
	return fmt.Sprintf("%.1fx", cur/base)
}

// A Firing is one rule that fired on one sample.
type Firing struct {
	Rule   string
	Metric Metric
	Reason string
	Value  float64
	Time   time.Time
}

// An Engine applies rules to a stream of samples and keeps what they
// need: the recent samples, the first ones (for baselines) and the time
// each rule last fired (for cooldowns). Time comes from the samples
// only, so tests drive it with made-up samples and no clock.
// An Engine is not safe for concurrent use.
type Engine struct {
	rules     []Rule
	keepEarly int
	keepLast  int
	keepFor   time.Duration // Growth over a Span: the samples that recent
	h         history
	lastFired map[string]time.Time
}

// NewEngine returns an engine for rules. Rules with a zero Cooldown get
// defaultCooldown.
func NewEngine(rules []Rule, defaultCooldown time.Duration) *Engine {
	e := &Engine{lastFired: make(map[string]time.Time), keepLast: 1}
	for _, r := range rules {
		if r.Cooldown == 0 {
			r.Cooldown = defaultCooldown
		}
		e.rules = append(e.rules, r)
		e.keepLast = max(e.keepLast, r.Window)
		e.keepFor = max(e.keepFor, r.Span)
		if r.Kind == Baseline {
			e.keepEarly = max(e.keepEarly, r.Warmup+r.Learn)
		}
	}
	return e
}

// Rules returns the engine's rules with their effective cooldowns.
func (e *Engine) Rules() []Rule { return slices.Clone(e.rules) }

// Observe adds s and returns the rules that fire on it, in rule order.
// A rule in its cooldown does not fire.
func (e *Engine) Observe(s Sample) []Firing {
	e.h.total++
	if len(e.h.early) < e.keepEarly {
		e.h.early = append(e.h.early, s)
	}
	e.h.recent = append(e.h.recent, s)
	// Keep the last keepLast samples, and those of the last keepFor,
	// but never more than maxRecent (a Span of hours at a short
	// interval).
	drop := len(e.h.recent) - e.keepLast
	for i := 0; i < drop; i++ {
		if e.keepFor > 0 && s.Time.Sub(e.h.recent[i].Time) <= e.keepFor {
			drop = i
			break
		}
	}
	drop = max(drop, len(e.h.recent)-maxRecent)
	if drop > 0 {
		e.h.recent = slices.Delete(e.h.recent, 0, drop)
	}
	var out []Firing
	for _, r := range e.rules {
		reason, v, fired := r.check(&e.h)
		if !fired {
			continue
		}
		if last, ok := e.lastFired[r.Name]; ok && s.Time.Sub(last) < r.Cooldown {
			continue
		}
		e.lastFired[r.Name] = s.Time
		out = append(out, Firing{Rule: r.Name, Metric: r.Metric, Reason: reason, Value: v, Time: s.Time})
	}
	return out
}

// maxRecent bounds the samples an Engine keeps for its rules.
const maxRecent = 10000
