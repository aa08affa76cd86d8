// Package b holds deferred calls of returned functions and values kept
// through constructors.
package b

import (
	"fmt"
	"net"
	"os"
	"sync"
)

// A tree printer: each deferred call prints a closing bracket, and
// deferring them in the loop is what nests the output. Silent.
func openNode(prefix string, id int) func() {
	fmt.Printf("%s[%d\n", prefix, id)
	return func() { fmt.Printf("%s]\n", prefix) }
}

func RenderPath(ids []int) {
	prefix := ""
	for i, id := range ids {
		if i+1 < len(ids) {
			defer openNode(prefix, id)()
		}
		prefix += " "
	}
}

// Returning nil or a printing literal on every path: silent.
func trace(name string, on bool) func() {
	if !on {
		return func() {}
	}
	fmt.Println("enter", name)
	return func() { fmt.Println("leave", name) }
}

func TraceAll(names []string, on bool) {
	for _, n := range names {
		defer trace(n, on)()
	}
}

// The returned function unlocks: the second iteration deadlocks on
// nothing here, but the locks of every key are held until return.
type Locks struct {
	mu sync.Mutex
	m  map[string]*sync.Mutex
}

func (l *Locks) lock(k string) func() {
	l.mu.Lock()
	mu := l.m[k]
	l.mu.Unlock()
	mu.Lock()
	return mu.Unlock
}

func (l *Locks) UpdateAll(keys []string, f func(string)) {
	for _, k := range keys {
		defer l.lock(k)() // want `deferred l.lock\(k\)\(\) runs only when UpdateAll returns, not at the end of each iteration: one deferred call per iteration piles up`
		f(k)
	}
}

// The returned literal removes a temporary directory: one per iteration
// stays on disk until return.
func tempDir(name string) (string, func()) {
	d, _ := os.MkdirTemp("", name)
	return d, func() { os.RemoveAll(d) }
}

func scratch(name string) func() {
	_, cleanup := tempDir(name)
	return func() { cleanup() }
}

func Convert(names []string) {
	for _, n := range names {
		defer scratch(n)() // want `deferred scratch\(n\)\(\) runs only when Convert returns, not at the end of each iteration`
		fmt.Println(n)
	}
}

// A function from another package: cannot be seen, reported.
func Run(starts []func() func()) {
	for _, start := range starts {
		defer start()() // want `deferred start\(\)\(\) runs only when Run returns`
	}
}

// A connection kept through a constructor whose result outlives the
// loop: closing at return is the point. Silent.
type Client struct{ c net.Conn }

func NewClient(c net.Conn) *Client { return &Client{c: c} }

func Dial(addrs map[string]string) (map[string]*Client, error) {
	clients := make(map[string]*Client)
	for name, addr := range addrs {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		clients[name] = NewClient(conn)
	}
	return clients, nil
}

// Passed to a function that is not a constructor: the connection is
// only used, and piles up. Reported.
func greet(c net.Conn) string { c.Write([]byte("hi")); return "ok" }

func Greet(addrs map[string]string) (map[string]string, error) {
	replies := make(map[string]string)
	for name, addr := range addrs {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		defer conn.Close() // want `one open connection per iteration piles up`
		replies[name] = greet(conn)
	}
	return replies, nil
}

// A constructor whose result stays inside the iteration does not keep
// the connection. Reported.
func (c *Client) Ping() error { return nil }

func PingAll(addrs []string) error {
	for _, addr := range addrs {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer conn.Close() // want `one open connection per iteration piles up`
		cl := NewClient(conn)
		if err := cl.Ping(); err != nil {
			return err
		}
	}
	return nil
}
