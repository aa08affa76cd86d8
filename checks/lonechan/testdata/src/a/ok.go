package a

import "time"

// rule "handed over first": the goroutine holds the channel before the
// receive.
func Started() error {
	errC := make(chan error)
	go func() { errC <- check() }()
	return <-errC
}

// rule "handed over first": passed to a call first.
func Passed() error {
	errC := make(chan error)
	go wait(errC)
	return <-errC
}

// rule "handed over first": stored where another goroutine finds it.
type server struct{ quit chan struct{} }

func (s *server) Stop() {
	q := make(chan struct{})
	s.quit = q
	<-q
}

// rule "handed over first": returned on one path, sent on another only
// after the goroutine exists.
func Later() <-chan int {
	c := make(chan int)
	go func() {
		c <- 1
	}()
	return c
}

// rule "buffered or unknown size": a buffer lets the send complete.
func Buffered() <-chan error {
	errC := make(chan error, 1)
	errC <- check()
	return errC
}

// rule "buffered or unknown size": a size known only at run time.
func Sized(n int) chan int {
	c := make(chan int, n)
	c <- 1
	return c
}

// rule "select has other ways": a select with a timeout is not a
// forever-block.
func Select() {
	c := make(chan int)
	select {
	case c <- 1:
	case <-time.After(time.Second):
	}
}

// rule "select has other ways": the channel is sent to someone inside
// a select clause.
func Handoff(out chan chan int) int {
	c := make(chan int)
	select {
	case out <- c:
	case <-time.After(time.Second):
		return 0
	}
	return <-c
}

// rule "address taken": reachable through a pointer.
func Pointer(register func(*chan int)) int {
	c := make(chan int)
	register(&c)
	return <-c
}

// rule "closed first": the receive completes at once.
func Closed() {
	c := make(chan int)
	close(c)
	<-c
}

// A reassigned variable is another channel.
func Reassigned(other chan int) int {
	c := make(chan int)
	c = other
	return <-c
}

// rule "alone on every path": the workers are started in a loop the
// graph could skip; the sends come after them.
func Workers(n int) {
	jobs := make(chan int)
	for range 3 {
		go func() {
			for range jobs {
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
}

// rule "blocking on purpose": a process that must hang until killed.
func Hang() {
	wait := make(chan int)
	println("started")
	<-wait
}
