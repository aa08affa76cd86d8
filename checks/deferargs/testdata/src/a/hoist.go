package a

import "time"

func observeOp(op string) func(error) {
	start := time.Now()
	return func(err error) { _ = time.Since(start); _ = err }
}

// The deferred function is itself a call: it must run at the defer
// (it takes the start time); only err must be read at return. No fix
// is offered (wrapping would move the start), and the message says to
// hoist it.
func RemoveTraced(path string) (err error) {
	defer observeOp("remove")(err) // want `deferred observeOp\("remove"\)\(err\) receives err as it is now \(nil\), not its value when RemoveTraced returns: the returned error is never seen \(call observeOp\("remove"\) at the defer and the result in a closure: done := observeOp\("remove"\); defer func\(\) \{ done\(err\) \}\(\)\)`
	err = removePath(path)
	return err
}

func removePath(string) error { return nil }
