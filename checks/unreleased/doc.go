// Package unreleased defines an Analyzer that reports a mutex, or a
// file, connection, database rows, transaction or HTTP response,
// released on some paths out of a function and not on another.
//
// # Analyzer unreleased
//
// unreleased: a mutex, file, rows, transaction or connection released on the normal path but not on an early return, break or continue
//
// A function that locks, does its work and unlocks by hand works until
// the day one path leaves early:
//
//	func (s *Store) Evict(k string) error {
//		s.mu.Lock()
//		e, ok := s.m[k]
//		if !ok {
//			return ErrNotFound // s.mu stays locked
//		}
//		delete(s.m, k)
//		s.mu.Unlock()
//		return e.Close()
//	}
//
// The first request for a missing key returns and leaves the mutex
// locked; every later call of anything that takes s.mu blocks forever.
// Nothing fails: goroutines pile up behind the lock until the service
// stops answering. A continue that skips the unlock at the bottom of a
// loop is worse: the next turn's Lock blocks on the goroutine itself.
//
// The check follows every path from each Lock or RLock of the function
// and reports the return, break, continue or goto by which a path
// leaves, or comes back to the same Lock, with the mutex still held,
// when another path from that Lock releases it. The fix is to unlock on
// that path too, or, when nothing in the function needs to run
// unlocked, to defer the unlock right after the Lock.
//
// # What it leaves alone, and why
//
//   - rule "held on every path out": a function that keeps the mutex on
//     every path (lock helpers, a Lock that a later call releases) states
//     a contract; only a path that differs from a releasing one is
//     reported.
//   - rule "returns it held for the caller": a function named for
//     locking (lock in its name), one after whose call a caller in the
//     package unlocks the mutex before locking it again, or a return
//     that hands the locked value itself to the caller, may return
//     holding it on purpose, on success for example.
//   - rule "released by a deferred call": a deferred Unlock, or a
//     deferred call of the package's function or closure that unlocks,
//     releases the mutex on every path after it, including a later
//     re-Lock of the same mutex after a pause (Unlock, wait, Lock).
//   - rule "lock and unlock under the same condition": a Lock inside
//     an if whose condition, written the same, also guards an Unlock of
//     that mutex (if old != nil { old.mu.Lock() } ... if old != nil {
//     old.mu.Unlock() }) pairs the two; the check does not follow
//     conditions, so it stays quiet.
//   - rule "restores the caller's lock": a Lock of a mutex the function
//     released without having taken it (a function called with the lock
//     held that lets go for a while) gives the caller back its lock.
//   - rule "released elsewhere": a path on which the mutex is handed to
//     a call the check cannot see into, to a goroutine or callback that
//     unlocks it (a function literal, or its Unlock as a method value,
//     returned or stored), or whose variable is reassigned (a range
//     variable on the next turn), is not followed further.
//   - rule "test bodies": a Test, Benchmark or Fuzz function, or a
//     function or closure that takes a *testing.T, runs for one test: a
//     lock left there hangs that test only. Helpers and methods that
//     tests call are still checked.
//   - rule "no normal return": a path that ends in panic, os.Exit,
//     log.Fatal or t.Fatal (also through an interface shaped like
//     testing.TB) does not return to a caller that would lock.
//
// # Files, connections, rows, transactions and responses
//
// The same slip with what the standard library hands out to be closed:
//
//	rows, err := db.Query(q)
//	if err != nil {
//		return nil, err
//	}
//	for rows.Next() {
//		if err := rows.Scan(&n); err != nil {
//			return nil, err // rows stay open
//		}
//		...
//	}
//	rows.Close()
//
// Each scan error keeps one pooled connection busy for good; after as
// many errors as the pool's size every query waits. The same goes for
// a file or socket from os.Open, os.Create, net.Dial or net.Listen (one
// descriptor per call, until Open and Accept fail), a transaction from
// Begin neither committed nor rolled back (its connection and the rows
// it locked in the database), a statement from Prepare, a connection
// from DB.Conn, and an *http.Response whose Body is not closed (its
// connection is neither reused nor freed).
//
// The check follows every path from the assignment of such a value to
// a local variable, from the point where the acquire succeeded, and
// reports the return by which a path leaves, or the loop turn that
// comes back to the acquire, still holding it, when another path
// releases it (Close, Commit or Rollback, Body.Close, also deferred).
// The fix is to release it on that path too, or to defer the release
// right after the error check.
//
// What it leaves alone, and why:
//
//   - rule "held on every path out", as for mutexes: a value no path
//     releases is the caller's, or a contract the check cannot read.
//   - rule "the acquire failed": the branch of err != nil (or
//     v == nil) holds nothing; when err is tested any other way
//     (errors.Is, a switch) or reassigned before the test, the check
//     does not guess which branch holds the value and follows neither.
//     Rows that Next ran out of are closed: leaving a for rows.Next()
//     loop by its condition releases them.
//   - rule "handed on": a path on which the value is returned, stored
//     (a field, a map, a composite literal), sent, overwritten, given to
//     a function of the package or of another module, or to a standard
//     function whose parameter can close it (an io.Closer, a net.Conn,
//     http.NewRequest's body) is not followed further; nor is a value
//     that a function literal other than a deferred release refers to
//     (a goroutine or callback may close it). Standard functions that
//     take an io.Reader or io.Writer (io.Copy, bufio, json) only use it.
//   - rule "released by a deferred call", as for mutexes: a deferred
//     release registered before the acquire (var f *os.File; defer
//     func() { if f != nil { f.Close() } }()) closes whatever the
//     variable holds when the function returns.
//   - rule "ownership kept in a flag": a release guarded by a boolean
//     (if didOpen { f.Close() }) means the function tracks whether it
//     owns the value; the walk does not follow flags.
//   - rule "acquired in a retry loop": an acquire inside a loop into a
//     variable declared before it (for { resp, err = c.Do(req); if err
//     != nil { continue }; ...; break }) leaves after the loop a state
//     the walk cannot tell from the turns that released it.
//   - rule "closed with their transaction": rows and statements of a
//     *sql.Tx are closed when it commits or rolls back; they are not
//     followed. An *http.Response's Body is never nil: a nil test of it
//     is not a branch.
//   - rule "the same condition twice": a condition that only calls can
//     change (!canceled(), ctx.Err() == nil: no variable in it is
//     assigned in the function) is taken to give the same answer each
//     time a path tests it, so a path that left an inner loop because
//     the work was canceled leaves the outer loop too.
//   - rule "body read to the end": a response whose body io.ReadAll or
//     io.Copy read to its end, or to the error that stopped them, has
//     given its connection back to the transport; Close is then only
//     tidiness, and the path counts as releasing it.
//   - rule "test code" (these values): a file or connection left open
//     by test code lasts one test binary.
//   - rule "runs once": init, and main of a command, leave values to
//     the end of the process.
//   - context cancel funcs are vet's lostcancel; an object from a
//     sync.Pool that is not put back is collected by the garbage
//     collector; neither is reported here.
package unreleased
