package a

import "sync"

// A put helper whose reset keeps the slices' capacity: it saves them,
// resets the whole request, and puts them back truncated.
type pushReq struct {
	tenant string
	traces [][]byte
}

func (r *pushReq) Reset() { *r = pushReq{} }

var pushes = sync.Pool{New: func() any { return new(pushReq) }}

func resetPush(r *pushReq) {
	traces := r.traces
	clear(traces)
	r.Reset()
	r.traces = traces[:0]
}

func putPush(r *pushReq) {
	resetPush(r)
	pushes.Put(r)
}

func encodePush(tenant string) string {
	r := pushes.Get().(*pushReq)
	defer putPush(r)
	r.traces = append(r.traces, []byte(tenant))
	return r.tenant + string(r.traces[0])
}

// A put helper that saves a field and resets nothing.
var notes = sync.Pool{New: func() any { return new(pushReq) }}

func logTenant(r *pushReq) {
	tenant := r.tenant
	_ = tenant
}

func putNote(r *pushReq) {
	logTenant(r)
	notes.Put(r)
}

func encodeNote(tenant string) string {
	r := notes.Get().(*pushReq)
	defer putNote(r)
	return r.tenant // want `r from notes.Get\(\) is used before it is reset`
}
