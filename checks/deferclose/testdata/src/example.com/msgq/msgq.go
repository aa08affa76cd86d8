// Package msgq stands for a client library of another module.
package msgq

type Conn struct{}

type Subscription struct{ subject string }

func (c *Conn) Subscribe(subject string) (*Subscription, error) { return &Subscription{subject}, nil }

func (s *Subscription) Unsubscribe() error { return nil }
