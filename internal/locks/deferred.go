package locks

import (
	"go/ast"
)

// deferredUnderLock records, as a relock, a deferred call that takes a
// lock the function still holds when the call runs: the lock is held on
// every path at the defer statement and on every path by which the
// function returns, and no deferred call registered after this one (so
// run before it) releases it. The usual shape is a deferred Unlock
// written first, then a deferred helper that locks the same mutex:
// deferred calls run last in, first out, so the helper runs first.
// A deferred Lock is deferlock's.
func (w *walker) deferredUnderLock(d *ast.DeferStmt, st *state) {
	if w.exit == nil {
		return
	}
	if _, _, ok := w.lockOp(d.Call); ok {
		return
	}
	ci, binds := w.calleeInfo(d.Call)
	if ci == nil {
		return
	}
	for k, a := range ci.sum.acquires {
		tk, ok := w.r.translate(ci, binds, k)
		if !ok {
			continue
		}
		h, held := st.held[tk]
		if _, atExit := w.exit.held[tk]; !held || !atExit || w.releasedByLaterDefer(d, tk) {
			continue
		}
		w.relocks = append(w.relocks, Relock{Call: d.Call, Key: tk, Mode: a.Mode, Held: h, Via: ci.node, LockPos: a.Pos, Locker: a.Locker || h.Locker, Deferred: true})
	}
}

// releasedByLaterDefer reports whether a defer statement after d in the
// function unlocks k, itself or through a callee: it runs before d's
// call.
func (w *walker) releasedByLaterDefer(d *ast.DeferStmt, k Key) bool {
	found := false
	ast.Inspect(w.fn, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return n == w.fn
		case *ast.DeferStmt:
			if n.Pos() <= d.Pos() {
				return false
			}
			if op, lk, ok := w.lockOp(n.Call); ok && (op == "Unlock" || op == "RUnlock") && lk == k {
				found = true
			} else if ci, binds := w.calleeInfo(n.Call); ci != nil {
				for rk := range ci.sum.releases {
					if tk, ok := w.r.translate(ci, binds, rk); ok && tk == k {
						found = true
					}
				}
			}
			return false
		}
		return true
	})
	return found
}
