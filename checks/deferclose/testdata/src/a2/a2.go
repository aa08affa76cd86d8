// A cleanup of another module, deferred before the error check: its
// body cannot be read, so the report says what it assumes.
package a2

import "example.com/msgq"

func Listen(c *msgq.Conn, subject string) error {
	sub, err := c.Subscribe(subject)
	defer sub.Unsubscribe() // want `sub\.Unsubscribe\(\) is deferred before the error of c\.Subscribe is checked: when c\.Subscribe fails sub is nil, and the defer panics unless \(\*msgq\.Subscription\)\.Unsubscribe checks for a nil receiver \(defer it after the error check\)`
	subject += "!"
	if err != nil {
		return err
	}
	return nil
}

// Rule "nil-safe method of another package": Drain's source, read from
// disk, starts with a nil check of its receiver, so the early defer
// cannot panic.
func Drain(c *msgq.Conn, subject string) error {
	sub, err := c.Subscribe(subject)
	defer sub.Drain()
	if err != nil {
		return err
	}
	return nil
}

// Rule "a call that cannot fail": msgq.Open, read from disk, returns a
// nil error on every path, so c is never nil here.
func Connect(addr string) error {
	c, err := msgq.Open(addr)
	defer c.Close()
	if err != nil {
		return err
	}
	return nil
}

type pool struct{ size int }

func newPool(n int) (*pool, error) { return &pool{size: n}, nil }

func (p *pool) Close() { p.size = 0 }

// Rule "a call that cannot fail": newPool, of this package, has no
// failing return either.
func UsePool() error {
	p, err := newPool(4)
	defer p.Close()
	if err != nil {
		return err
	}
	return nil
}
