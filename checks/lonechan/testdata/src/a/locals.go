package a

import "fmt"

type conn struct{ notify chan bool }

func (c *conn) Push() { c.notify <- true }

// watch ranges over its updates and returns without ever closing done.
func (c *conn) watch(done chan bool) {
	for range c.notify {
	}
}

func Dial(c *conn) {
	done := make(chan bool)
	go c.watch(done)
	<-done // want `this receive from done waits forever: done \(made at line 16\) is only received from, here and in the functions it is given to`
}

// rule "nobody can serve it": the callee closes its parameter.
func (c *conn) watchAndClose(done chan bool) {
	defer close(done)
	for range c.notify {
	}
}

func DialOK(c *conn) {
	done := make(chan bool)
	go c.watchAndClose(done)
	<-done
}

// rule "nobody can serve it": a goroutine literal sends on it.
func DialLit(c *conn) {
	done := make(chan bool)
	go func() {
		for range c.notify {
		}
		done <- true
	}()
	<-done
}

// rule "handed out": given to a function of another package.
func DialPrint() {
	done := make(chan bool)
	fmt.Println(done)
	<-done
}

// rule "handed out": a positional literal sets the field out of sight.
type pair struct {
	a chan int
	b int
}

func newPair(ch chan int) pair { return pair{ch, 1} }

func (p pair) first() int { return <-p.a }
