package a

import (
	"errors"
	"fmt"
)

type response struct{ code int }

type conn struct{ id int }

func audit(r *response)   { fmt.Println(r != nil) }
func logIDs(ids []string) { fmt.Println(len(ids)) }
func release(c *conn)     { fmt.Println(c) }
func fetchResp(id string) (*response, error) {
	if id == "" {
		return nil, errors.New("empty id")
	}
	return &response{code: 200}, nil
}
func dial() *conn { return &conn{} }

// A named result that is a pointer is nil at the defer.
func FetchOne(id string) (resp *response, err error) {
	defer audit(resp) // want `deferred audit\(resp\) receives resp as it is now \(nil\), not its value when FetchOne returns: the returned resp is never seen`
	resp, err = fetchResp(id)
	return resp, err
}

// A slice declared without a value and filled later.
func Collect(items map[string]bool) int {
	var ids []string
	defer logIDs(ids) // want `deferred logIDs\(ids\) receives ids as it is now \(nil\)`
	for id := range items {
		ids = append(ids, id)
	}
	return len(ids)
}

// A pointer set through its address.
func Decode(load func(any) error) error {
	var r *response
	defer audit(r) // want `deferred audit\(r\) receives r as it is now \(nil\)`
	return load(&r)
}

// rule "nil is a placeholder too": a value that is not nil at the defer
// is the resource the call releases; a later conn is another one.
func Redial() {
	c := dial()
	defer release(c)
	c = dial()
	fmt.Println(c.id)
}

// rule "nil is a placeholder too": nil on one path and a resource on
// the other is not a placeholder.
func MaybeDial(reuse *conn) {
	c := reuse
	if c == nil {
		c = dial()
	}
	defer release(c)
	c = nil
	fmt.Println(c)
}

// rule "nil is a placeholder too": a later nil changes nothing when the
// value at the defer is nil.
func Reset() {
	var r *response
	defer audit(r)
	r = nil
	fmt.Println(r)
}

// A nil error cleared again changes nothing; an error that may be
// non-nil at the defer and is cleared later reaches the call stale.
func Cleared(id string) error {
	var err error
	defer publish(newEvent(err == nil))
	err = nil
	return err
}

func Forgiven(id string) error {
	err := register(id)
	defer publish(newEvent(err == nil)) // want `deferred publish\(newEvent\(err == nil\)\) receives err as it is now`
	if err != nil {
		fmt.Println("forgiven:", err)
		err = nil
	}
	return err
}

func keep[T any](v T) { fmt.Println(v) }

// A type parameter's zero value is not nil: rule "nil is a placeholder
// too" is about pointers, slices, maps, channels, funcs and interfaces.
func Latest[T any](next func() (T, bool)) T {
	var last T
	defer keep(last)
	for v, ok := next(); ok; v, ok = next() {
		last = v
	}
	return last
}
