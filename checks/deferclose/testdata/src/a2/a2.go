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
