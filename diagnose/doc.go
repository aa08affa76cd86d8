// Package diagnose judges goroutine snapshots: which groups of
// goroutines leak or hang, where, since when, how fast they grow, and
// which static finding of silentfail check explains them.
//
// Analyze groups the goroutines of every snapshot by stack (function
// and line of every frame by default, functions only with
// GroupByFunction; arguments and goroutine ids never count), matches the
// groups across snapshots, and gives each a verdict with a one-sentence
// reason:
//
//   - leak: the runtime's goroutineleak profile lists the group (the
//     garbage collector proved them blocked forever); or the group is
//     blocked (channel, select, lock, WaitGroup, Cond) and grew across at
//     least MinSamples snapshots without ever shrinking, by at least
//     MinGrowth goroutines; or it has been blocked longer than LongWait
//     in numbers of at least Crowd (a service does not legitimately keep
//     hundreds of goroutines waiting that long on a send or a lock).
//   - suspect: weaker evidence of the same: growth seen in fewer
//     snapshots, or while not blocked; a crowd blocked on a send or a
//     lock in one snapshot; a long wait on a send or a lock by a few.
//   - ok: everything else, notably stable pools of workers idle on a
//     channel, tickers and sleepers, network reads (IO wait), running
//     goroutines, and the goroutines of the runtime and of well-known
//     libraries (see DefaultIgnore; extend it with Ignore).
//
// With a single snapshot nothing can be said about growth: the report
// says so in its Notes, and only goroutineleak, wait times and crowds
// count.
//
// The culprit of a group is the innermost frame outside the runtime,
// the standard library and golang.org/x (or, with Module, the
// innermost frame of that module): the line a developer must read.
// Findings (from silentfail check, see Finding) are attached to a group
// when they lie in the function of its culprit, of its creator (the go
// statement that started it) or of a deferred call on its stack.
package diagnose
