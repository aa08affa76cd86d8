package a

type stopper struct {
	quiescer chan struct{}
	stopped  chan struct{}
	results  chan int
	Public   chan int
	external chan int
	twoWay   chan int
}

func newStopper(ext chan int) *stopper {
	s := &stopper{quiescer: make(chan struct{}), stopped: make(chan struct{})}
	s.results = make(chan int)
	s.external = ext
	return s
}

// rule "receive-only accessor": quiescer is handed out only as <-chan.
func (s *stopper) ShouldQuiesce() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.quiescer
}

func process(s *stopper) {
	<-s.ShouldQuiesce() // want `this receive from quiescer waits forever: nothing in the package sends on or closes the field quiescer`
}

func drain(s *stopper) {
	for range s.results { // want `this range over results waits forever`
	}
}

// Served: stopped is closed by Stop.
func (s *stopper) Stop() { close(s.stopped) }

func (s *stopper) Wait() { <-s.stopped }

// rule "handed out": exported, another package may send.
func (s *stopper) Next() int { return <-s.Public }

// rule "handed out": set from a channel made elsewhere.
func (s *stopper) External() int { return <-s.external }

// rule "handed out": returned as a two-way channel, the caller may
// close it.
func (s *stopper) Chan() chan int { return s.twoWay }

func (s *stopper) Two() int { return <-s.twoWay }

// A receive inside a select can end through another case.
func (s *stopper) Poll(done chan struct{}) {
	select {
	case <-s.quiescer:
	case <-done:
	}
}

// rule "set out of sight": a hook only tests fill in.
type hooks struct {
	proceed chan struct{}
}

func (h *hooks) pause() {
	if h.proceed != nil {
		<-h.proceed
	}
}
