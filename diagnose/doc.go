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
//     In dumps, which carry goroutine ids, identity decides: every
//     goroutine of the first snapshot still there in every later one
//     while new ones arrive at each step is a leak (after two
//     snapshots when the first ones' wait grew by minutes, or when they
//     carry a request's pprof label: started per request).
//   - suspect: weaker evidence of the same: growth seen in fewer
//     snapshots, or while not blocked, or while the first snapshot's
//     goroutines leave (a backlog); a crowd blocked on a send or a
//     lock in one snapshot; a long wait on a send or a lock by a few.
//   - ok: everything else, notably stable pools of workers idle on a
//     channel (also one that grew once and then kept the same goroutine
//     ids), tickers and sleepers, network reads (IO wait), running
//     goroutines, and the goroutines of the runtime and of well-known
//     libraries (see DefaultIgnore; extend it with Ignore).
//
// A restart between two dumps (goroutine ids that a live process
// cannot hand out again) splits the timeline into lives: a group that
// grew in each life is a leak; otherwise the last life alone is judged.
//
// With a single snapshot nothing can be said about growth: the report
// says so in its Notes, and only goroutineleak, wait times and crowds
// count, unless the snapshot says how its process ended (see
// goroutines.Snapshot.Ending): in the panic of a `go test -timeout`,
// every blocked goroutine of the user's code is a leak (what the test
// hung on, the running test's own goroutine named as such), and so is
// every blocked goroutine of the runtime's deadlock crash, and of a dump
// a TestMain wrote after m.Run returned (left behind by the tests).
//
// The culprit of a group is the innermost frame outside the runtime,
// the standard library and golang.org/x (or, with Module, the
// innermost frame of that module): the line a developer must read. The
// standard library is what lives under the GOROOT the snapshots' own
// frames show, so that a module path without a dot is the user's; a
// framework frame of DefaultIgnore (testing.tRunner, a server's loop)
// makes a group the framework's only when no frame of the user's code
// runs inside it.
// Findings (from silentfail check, see Finding) are attached to a group
// when they lie in the function of its culprit, of its creator (the go
// statement that started it) or of a deferred call on its stack.
package diagnose
