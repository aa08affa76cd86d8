// Package core holds ctxcancel's default form: a stored cancel func of a
// context under a parent; contexts made on Background() are opt-in.
package core

import "context"

type watch struct {
	cancel context.CancelFunc
}

type hub struct {
	base    context.Context
	watches map[string]*watch
}

func (h *hub) add(id string) context.Context {
	ctx, cancel := context.WithCancel(h.base)
	h.watches[id] = &watch{cancel: cancel} // want `holds the cancel func of a context.WithCancel but nothing in package core calls it`
	return ctx
}

func (h *hub) remove(id string) { delete(h.watches, id) }

type client struct {
	cancel context.CancelFunc
}

// Rule "root contexts are opt-in": no parent holds a context made on
// Background(); -ctxcancel.root reports it.
func newClient() (*client, context.Context) {
	ctx, cancel := context.WithCancel(context.Background())
	return &client{cancel: cancel}, ctx
}
