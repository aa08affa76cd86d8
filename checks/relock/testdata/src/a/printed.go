package a

import (
	"fmt"
	"log"
	"os"
	"sync"
)

type peer struct {
	mu   sync.Mutex
	addr string
	up   bool
}

// String locks the peer: printing one under its own lock deadlocks.
func (p *peer) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

func (p *peer) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	log.Printf("closed %v", p) // want `log.Printf\(\) prints p with its String method, which locks p.mu \(printed.go:18\), which Close already holds since line 24`
}

func (p *peer) Describe() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprint("peer ", p) // want `fmt.Sprint\(\) prints p with its String method`
}

type conn struct {
	mu   sync.RWMutex
	peer *peer
	err  error
}

// Error read-locks the conn.
func (c *conn) Error() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.err.Error()
}

func (c *conn) Fail(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.err = err
	return fmt.Errorf("conn %s: %w", c, err) // want `fmt.Errorf\(\) prints c with its Error method, which read-locks c.mu`
}

// A print call under another mutex, or after the unlock, or of a field
// instead of the value, runs String with nothing of its own held.
func (c *conn) Log() {
	c.mu.Lock()
	fmt.Fprintf(os.Stderr, "peer %s\n", c.peer)
	c.mu.Unlock()
	p := c.peer
	p.mu.Lock()
	addr := p.addr
	p.mu.Unlock()
	log.Println(p, addr)
}

// %d, %#v and %T do not call String; a non-constant format cannot be
// paired with its operands.
func (p *peer) Debug(format string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Printf("%d %#v %T\n", 1, p, p)
	fmt.Printf(format, p)
}

type formatted struct {
	mu sync.Mutex
}

func (f *formatted) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return "formatted"
}

// Format takes precedence over String: fmt never calls String here.
func (f *formatted) Format(st fmt.State, verb rune) { fmt.Fprint(st, "f") }

func (f *formatted) Show() {
	f.mu.Lock()
	defer f.mu.Unlock()
	fmt.Println(f)
}
