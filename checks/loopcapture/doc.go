// Package loopcapture defines an Analyzer that reports function
// literals that outlive their loop iteration and capture a loop variable
// shared by all iterations, in files written for Go before 1.22.
//
// # Analyzer loopcapture
//
// loopcapture: a goroutine, deferred call or parallel subtest that captures a shared loop variable before Go 1.22
//
// Until Go 1.22 a for or range loop declares its variables once, and
// every iteration assigns to the same variables. A function literal that
// runs after its iteration has moved on (a goroutine, a deferred call, a
// function passed to errgroup's Go, a subtest that calls t.Parallel)
// reads the variable when it runs, not when it was created: most of the
// time every one of them sees the value of the last iteration. The
// service processes the last item N times and the others never, closes
// the last file N times, or runs one table-test case N times while the
// others pass unseen. Nothing fails and the tests stay green.
//
// The language version is the file's, never the toolchain's: the go
// directive of the module, or a //go:build line that sets an older
// version (//go:build go1.21 in a go 1.22 module gives that file the old
// semantics). A file whose version is unknown (GOPATH mode) is left
// alone: it is compiled with per-iteration variables.
//
// Unlike vet's loopclosure, which looks only at the last statement of
// the loop body, the check finds such literals anywhere in the body,
// nested in if, switch, select, inner loops or a function literal run in
// place. It reports the last-statement case too, so that it stands on
// its own where vet is not run. It stays silent when the literal cannot
// see another iteration's value: the iteration leaves the loop after
// starting it (return, break, panic); a goroutine is waited for later
// in the same iteration (a Wait call, a channel receive, a helper handed
// the channel or WaitGroup it signals on, res.Receive() after
// res.Send(v) in the goroutine); a subtest runs inside a non-parallel
// subtest that waits for it; a variable of a three-clause loop is never
// assigned after its init. Variables declared outside the loop
// (for _, v = range) are not loop variables and are left alone.
//
// Bad:
//
//	for _, job := range jobs {
//		wg.Add(1)
//		go func() {
//			defer wg.Done()
//			run(job) // every goroutine runs the last job
//		}()
//	}
//
// Good:
//
//	for _, job := range jobs {
//		job := job
//		wg.Add(1)
//		go func() {
//			defer wg.Done()
//			run(job)
//		}()
//	}
//
// The suggested fix declares a copy (job := job) at the top of the loop
// body, which gives each iteration its own variable, as Go 1.22 does.
// It is not offered for a variable of a three-clause loop that the body
// assigns, since the copy would stop the body from steering the loop.
// Moving the module to go 1.22 or later fixes every such loop at once.
package loopcapture
