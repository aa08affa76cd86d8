package suite

// A Summary is the first screen of a check's help: what it finds, why
// that hurts at run time, the fix, and one bad line with its good form.
type Summary struct {
	What, Hurts, Fix string // one sentence each, at most 100 characters, no newline
	Bad, Good        string // one line of Go each (or two lines joined by "; "), at most 80 characters
}

// Summaries holds the Summary of every check, by name.
var Summaries = map[string]Summary{
	"deferloop": {
		What:  "A deferred Unlock in a loop body: it runs when the function returns, not when the turn ends.",
		Hurts: "The next turn's Lock waits for the lock this goroutine still holds: it and every other user hang.",
		Fix:   "Move the loop body into a function literal called each turn, so its defers run at the turn's end.",
		Bad:   "for _, k := range keys { mu.Lock(); defer mu.Unlock(); use(k) }",
		Good:  "for _, k := range keys { func() { mu.Lock(); defer mu.Unlock(); use(k) }() }",
	},
	"deferargs": {
		What:  "A deferred call given an error, a status or time.Since: arguments are read at the defer line.",
		Hurts: "The call gets the values from the top of the function: err is nil, latency is 0s, metrics lie.",
		Fix:   "Wrap the call in a function literal, so that its arguments are read when the function returns.",
		Bad:   "defer s.report(err)",
		Good:  "defer func() { s.report(err) }()",
	},
	"deferclose": {
		What:  "A cleanup deferred before the error check of the call that returned the value to clean up.",
		Hurts: "When the call fails the value is nil, and the deferred cleanup panics instead of an error return.",
		Fix:   "Check the error first, and defer the cleanup right after the check.",
		Bad:   "defer resp.Body.Close(); if err != nil { return err }",
		Good:  "if err != nil { return err }; defer resp.Body.Close()",
	},
	"defererr": {
		What:  "A deferred closure that assigns the named error result without looking at its current value.",
		Hurts: "The error being returned is replaced, often by nil: the caller sees success after a failure.",
		Fix:   "Assign only when err is nil, or keep both errors with errors.Join(err, ...).",
		Bad:   "defer func() { err = f.Close() }()",
		Good:  "defer func() { err = errors.Join(err, f.Close()) }()",
	},
	"deferblock": {
		What:  "A deferred call on the request path that sleeps, or waits on a channel, WaitGroup or ctx.Done().",
		Hurts: "Every caller pays the wait before the return; a send nobody receives keeps the handler forever.",
		Fix:   "Drop the sleep, and put a deferred send or receive in a select with a ctx.Done() or default case.",
		Bad:   "defer func() { s.events <- ev }()",
		Good:  "defer func() { select { case s.events <- ev: case <-ctx.Done(): } }()",
	},
	"defergo": {
		What:  "A go statement in a deferred call whose goroutine no WaitGroup, channel or stop signal tracks.",
		Hurts: "It outlives the request: its error is lost, shutdown does not wait, and one more piles up per call.",
		Fix:   "Do the work in the deferred call itself, or count the goroutine in a WaitGroup waited on shutdown.",
		Bad:   "defer func() { go s.flush() }()",
		Good:  "defer func() { s.flush() }()",
	},
	"deferrecover": {
		What:  "A recover() that cannot stop a panic: deferred itself, or in a helper the deferred closure calls.",
		Hurts: "recover returns nil, the panic goes on and crashes the process; the recovery code never logs.",
		Fix:   "Defer the recovering helper itself, or call recover() directly in the deferred function literal.",
		Bad:   "defer func() { recoverPanic(w) }()",
		Good:  "defer recoverPanic(w)",
	},
	"deferlock": {
		What:  "A deferred Lock right after locking, or a deferred unlock of the other kind (RLock, then Unlock).",
		Hurts: "A deferred Lock hangs the function and every later caller; a mismatched unlock kills the process.",
		Fix:   "Defer the unlock that matches the lock just taken: Unlock after Lock, RUnlock after RLock.",
		Bad:   "c.mu.RLock(); defer c.mu.Unlock()",
		Good:  "c.mu.RLock(); defer c.mu.RUnlock()",
	},
	"relock": {
		What:  "A Lock on a mutex this function already holds (relock.calls: through a call of a package function).",
		Hurts: "Go mutexes are not reentrant: the goroutine waits for itself forever, and later callers queue.",
		Fix:   "Drop the second Lock, or unlock first; for a call, use a variant that expects the lock held.",
		Bad:   "c.mu.Lock(); defer c.mu.Unlock(); ...; c.mu.Lock() // still held",
		Good:  "c.mu.Lock(); defer c.mu.Unlock(); ... // one Lock per critical section",
	},
	"unreleased": {
		What:  "A mutex, file, rows, transaction or response released on one path out but not on another.",
		Hurts: "The early exit keeps the lock (later callers hang) or leaks a descriptor or pooled connection.",
		Fix:   "Release it on that path too, or defer the release right after the Lock or the error check.",
		Bad:   "if !ok { return ErrNotFound }; s.mu.Unlock()",
		Good:  "if !ok { s.mu.Unlock(); return ErrNotFound }; s.mu.Unlock()",
	},
	"lockwait": {
		What:  "A wait on a channel or WaitGroup with a mutex held, when every goroutine that ends it takes it.",
		Hurts: "Each side waits for the other: both goroutines hang, and so does every later user of the mutex.",
		Fix:   "Unlock before waiting (copy what the wait needs first), or let the other side answer unlocked.",
		Bad:   "w.mu.Lock(); close(w.stopc); <-w.donec",
		Good:  "w.mu.Lock(); close(w.stopc); w.mu.Unlock(); <-w.donec",
	},
	"lockorder": {
		What:  "Two mutexes taken in one order by one function and in the opposite order by another.",
		Hurts: "Two goroutines each hold one lock and wait for the other's: both hang, and all who need either.",
		Fix:   "Take the two locks in the same order everywhere, or release the first before taking the second.",
		Bad:   "l.mu.Lock(); c.remove(l.name) // remove locks c.mu; Acquire: c.mu, then l.mu",
		Good:  "l.mu.Lock(); name := l.name; l.mu.Unlock(); c.remove(name)",
	},
	"waitgroup": {
		What:  "A Wait inside the loop that starts the goroutines counted by an Add made before the loop.",
		Hurts: "The first Wait needs every Done but only one goroutine has started: the function hangs for good.",
		Fix:   "Move the Wait after the loop, or Add(1) in the loop when the goroutines must run one at a time.",
		Bad:   "wg.Add(len(ps)); for _, p := range ps { go p.start(&wg); wg.Wait() }",
		Good:  "wg.Add(len(ps)); for _, p := range ps { go p.start(&wg) }; wg.Wait()",
	},
	"loopcapture": {
		What:  "A goroutine, defer or parallel subtest capturing a loop variable, in a file older than Go 1.22.",
		Hurts: "All turns share one variable, so the closures mostly see the last value: one item handled N times.",
		Fix:   "Copy the variable at the top of the body (v := v), or raise the module's go directive to 1.22.",
		Bad:   "for _, job := range jobs { go func() { run(job) }() }",
		Good:  "for _, job := range jobs { job := job; go func() { run(job) }() }",
	},
	"ctxcancel": {
		What:  "A context cancel func stored in a field, map, slice or package variable that nothing ever calls.",
		Hurts: "The context, its timer and its values stay in the parent's children: memory grows with each one.",
		Fix:   "Call the stored cancel where its owner ends: in Close, or before deleting it from the map.",
		Bad:   "delete(h.sessions, id) // the session's cancel is never called",
		Good:  "if s, ok := h.sessions[id]; ok { s.cancel(); delete(h.sessions, id) }",
	},
	"ctxreplace": {
		What:  "context.TODO() (Background() too with .background) passed on where ctx or r.Context() is at hand.",
		Hurts: "The work ignores the caller's cancel and deadline: it runs on after the client left, holding conns.",
		Fix:   "Start the chain from the ctx at hand; use context.WithoutCancel(ctx) for work that must finish.",
		Bad:   "rows, err := s.db.QueryContext(context.TODO(), q)",
		Good:  "rows, err := s.db.QueryContext(ctx, q)",
	},
	"chanleak": {
		What:  "A goroutine sending on a channel its owner can return without receiving, or ranging on one unclosed.",
		Hurts: "The goroutine blocks forever and is never collected: one leaks per call until the process restarts.",
		Fix:   "Give the channel a buffer for every sender, or send in a select with a ctx.Done() case.",
		Bad:   "ch := make(chan Item); go func() { ch <- s.get(id) }()",
		Good:  "ch := make(chan Item, 1); go func() { ch <- s.get(id) }()",
	},
	"lonechan": {
		What:  "A send or receive on an unbuffered channel that no other goroutine holds yet, or that none serves.",
		Hurts: "Nobody can ever be on the other side: the goroutine blocks forever, and one leaks per call.",
		Fix:   "Hand the channel over (start the goroutine) before using it, or give it a buffer of one.",
		Bad:   "errC := make(chan error); errC <- err; return errC",
		Good:  "errC := make(chan error, 1); errC <- err; return errC",
	},
	"poolreset": {
		What:  "An object from a sync.Pool used before a reset, when the pool also gets objects back unreset.",
		Hurts: "An earlier user's state leaks in: old bytes precede this response, or another user's data is sent.",
		Fix:   "Reset the object right after Get (buf.Reset()), or right before every Put.",
		Bad:   "buf := pool.Get().(*bytes.Buffer); buf.WriteString(s)",
		Good:  "buf := pool.Get().(*bytes.Buffer); buf.Reset(); buf.WriteString(s)",
	},
	"poolput": {
		What:  "An object used after it was Put back into a sync.Pool, or Put back twice on one path.",
		Hurts: "Another goroutine may already hold it: a data race, and one request sends or corrupts another's.",
		Fix:   "Put the object back once, after its last use: often defer pool.Put(buf) right after the Get.",
		Bad:   "h.bufs.Put(buf); w.Write(buf.Bytes())",
		Good:  "w.Write(buf.Bytes()); h.bufs.Put(buf)",
	},
}
