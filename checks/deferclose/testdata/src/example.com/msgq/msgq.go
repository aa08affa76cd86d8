// Package msgq stands for a client library of another module.
package msgq

import "errors"

type Conn struct{ addr string }

type Subscription struct{ subject string }

func (c *Conn) Subscribe(subject string) (*Subscription, error) {
	if subject == "" {
		return nil, errors.New("msgq: empty subject")
	}
	return &Subscription{subject}, nil
}

// Open keeps an error in its signature for later versions; today it
// never fails.
func Open(addr string) (*Conn, error) {
	if addr == "" {
		addr = "localhost:4222"
	}
	return &Conn{addr: addr}, nil
}

func (c *Conn) Close() error {
	c.addr = ""
	return nil
}

func (s *Subscription) Unsubscribe() error {
	s.subject = ""
	return nil
}

// Drain is nil-safe: its first look at the receiver is a nil check.
func (s *Subscription) Drain() error {
	if s == nil {
		return nil
	}
	s.subject = ""
	return nil
}
