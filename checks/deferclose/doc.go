// Package deferclose defines an Analyzer that reports cleanups deferred
// before the error check of the call that produced the value, and
// deferred Close calls that drop the error of a file or writer that was
// written to.
//
// # Analyzer deferclose
//
// deferclose: a cleanup deferred before its error check (opt-in: the dropped error of a deferred Close of a writer)
//
// Two mistakes around a deferred Close pass every test on the happy path
// and fail only in production.
//
// The first is deferring the cleanup before checking the error of the
// call that produced the value. When the call fails, the value is nil,
// and the deferred call panics with a nil pointer dereference: the
// request that should have returned a clean error takes the goroutine
// (or the process) down instead.
//
// Bad:
//
//	resp, err := http.Get(url)
//	defer resp.Body.Close() // panics when the request fails
//	if err != nil {
//		return err
//	}
//
// Good:
//
//	resp, err := http.Get(url)
//	if err != nil {
//		return err
//	}
//	defer resp.Body.Close()
//
// The defer is reported wherever it sits between the assignment and the
// first statement that reads the error (an if, errors.Is, a return) or
// looks at the value, not only on the next line. It is reported only
// when the deferred call provably panics on nil: a field read through a
// nil pointer (resp.Body), a method of a nil interface (net.Conn), a
// value method or a promoted method called through a nil pointer, a nil
// func (cleanup, err := setup()), or a pointer method that dereferences
// its receiver. Methods of the package being analyzed are read: a
// method whose first use of the receiver is a nil check is nil-safe and
// not reported. In the standard library, every method of *os.File
// returns ErrInvalid on nil and the Close of *net.TCPListener and
// *net.UnixListener returns EINVAL, so deferring those early is
// harmless and not reported; the other cleanups (sql.Rows, sql.Tx,
// gzip.Reader, zip.ReadCloser, tls.Conn, net.TCPConn...) panic.
// Rule "nil-safe method of another package": a method of another
// module whose source file is on disk (a package of the same module,
// or the module cache) is read like the package's own: one whose first
// use of the receiver is a nil check is nil-safe and not reported
// (a Release that starts with `if b == nil { return }`; on v2ray, held
// out in session 10, the check's only false early defer). Other methods
// of other modules are assumed to dereference their receiver, as nearly
// all Close methods do; the report then names the method and says that
// it panics unless it checks for a nil receiver. For a
// function of the package being analyzed, the value is taken to be nil
// on failure only when every return with a non-nil error returns nil
// there. Rule "a call that cannot fail": a function whose every return
// gives a nil error (a constructor that keeps the error in its
// signature for later versions: return &conn{...}, nil), of this
// package or of another module whose source is on disk, never fails,
// so nothing is nil when the deferred cleanup runs (clickhouse-go's
// Open, held out in session 12); a bare or forwarding return may fail.
// Rule "failure exits the process": when the error check ends in
// os.Exit or a Fatal call other than testing's (log.Fatalf, a logging
// library's Fatal), the process ends without running deferred calls and
// the defer never meets the nil value; t.Fatal does run them. Rule
// "main's defers run as the process ends": a defer in func main of
// package main runs only when main returns and the process ends; the
// nil value's panic then changes how a failed start ends (a stack trace
// and exit status 2 instead of the program's message), not what a
// running service does.
//
// In test code (rule "early defers in tests are opt-in"; _test.go files
// and test-support packages) the first form, a cleanup deferred before
// the error check, is the opt-in form
// deferclose.tests: the test's error check fails it, and t.Fatal runs
// the deferred calls, so the nil value panics; that changes how an
// already failing test ends (and stops the package's other tests), and
// no caller is hurt. On the services held out in session 8, none of 8
// such findings was a real bug.
//
// When the error check is the statement right after the defer and
// leaves the function, the suggested fix moves the defer after it: the
// success path registers the defer at the same point as before.
//
// The second form is opt-in, deferclose.dropped (rule "dropped Close is
// opt-in"; -enable default,deferclose.dropped, go vet
// -deferclose.dropped): 92 of its 269 findings on the real-code ledger
// were real bugs, the rest in developer tools, tests and best-effort files
// whose callers do not rely on the error. Its findings carry the
// category "dropped" in -json output.
//
// The second mistake is dropping the error of Close on something that
// was written to, in a function that returns an error: a file opened
// with os.Create, os.CreateTemp or os.OpenFile with O_WRONLY or O_RDWR,
// or a writer whose Close writes the end of its output (gzip, zlib,
// flate and lzw writers, zip.Writer's central directory, tar.Writer's
// end-of-archive blocks, base64 and base32 encoders, multipart.Writer,
// the smtp.Client.Data writer). On a full disk, over quota or on NFS
// the written data can fail to reach the disk at Close, and a
// compressor's last write is made by Close itself: the function returns
// nil, and the caller goes on with a truncated file.
//
// Bad:
//
//	func Save(path string, data []byte) error {
//		f, err := os.Create(path)
//		if err != nil {
//			return err
//		}
//		defer f.Close()
//		_, err = f.Write(data)
//		return err
//	}
//
// Good:
//
//	func Save(path string, data []byte) (err error) {
//		f, err := os.Create(path)
//		if err != nil {
//			return err
//		}
//		defer func() {
//			if cerr := f.Close(); cerr != nil && err == nil {
//				err = cerr
//			}
//		}()
//		_, err = f.Write(data)
//		return err
//	}
//
// The check stays silent when the error of Close is looked at (in the
// deferred closure, with errors.Join, or by an explicit Close or Sync
// on the success path with the defer as a safety net), when the Close
// error is discarded explicitly (_ = f.Close()), when the function
// returns no error, when the file or writer is returned, stored or
// handed to a goroutine (whoever receives it closes it), when nothing
// is written to it, when a writer writes into memory, a hash or an
// http.ResponseWriter, and when the file is removed unconditionally
// before the function returns (a scratch file), and (rule "test code")
// in code only tests run, _test.go files and test-support packages
// (an import path element starting with "test", "e2e", or ending in
// "_test"): a fixture written badly fails the test that reads it next,
// and no caller relies on the error. A checked Flush of a
// bufio.Writer does not make the Close of the file underneath safe and
// is still reported; a checked Sync does. There is no suggested fix:
// how the error should be combined with the function's result is the
// author's decision.
package deferclose
