package a

import "sync"

type sharedValue struct {
	value    float64
	deadline int64
}

var sharedValues = sync.Pool{New: func() any { return new(sharedValue) }}

func putShared(sv *sharedValue) {
	*sv = sharedValue{}
	sharedValues.Put(sv)
}

type aggregator struct {
	shared map[string]*sharedValue
}

// Rule "flag cleared with the Put": ok = false right after the Put makes
// the `if ok` branch that reads sv one this path cannot take; the else
// branch gets a fresh value first.
func (a *aggregator) okPush(key string, v float64, now int64) {
	sv, ok := a.shared[key]
	if ok && sv.deadline < now {
		delete(a.shared, key)
		putShared(sv)
		ok = false
	}
	if ok {
		sv.value += v
	} else {
		sv = sharedValues.Get().(*sharedValue)
		sv.value = v
		a.shared[key] = sv
	}
}

// Reported: nothing clears ok, so a stale value put back is still read.
func (a *aggregator) push(key string, v float64, now int64) {
	sv, ok := a.shared[key]
	if ok && sv.deadline < now {
		delete(a.shared, key)
		putShared(sv)
	}
	if ok {
		sv.value += v // want `sv is used after putShared\(sv\)`
	}
}
