// Package msgq stands for a client library of another module.
package msgq

type Conn struct{}

type Subscription struct{ subject string }

func (c *Conn) Subscribe(subject string) (*Subscription, error) { return &Subscription{subject}, nil }

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
