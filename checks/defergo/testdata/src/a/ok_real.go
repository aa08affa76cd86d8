package a

import (
	"context"
	"log"
	"net/http"
	"time"
)

// Shapes met in real code.

// caddy's admin.go: the old admin server is stopped asynchronously so
// that the request being served by it gets its response; the goroutine
// logs its own error, and the function is not on a request path.
var adminServer *http.Server

func stopServer(srv *http.Server) error { return srv.Close() }

func replaceAdminServer(cfg map[string]string) error {
	old := adminServer
	var err error
	defer func() {
		if old != nil && err == nil {
			go func(old *http.Server) {
				if err := stopServer(old); err != nil {
					log.Println("stopping admin endpoint:", err)
				}
			}(old)
		}
	}()
	adminServer = &http.Server{Addr: cfg["listen"]}
	return err
}

// Off the request path, a goroutine running a function without an error
// result is the program's design.
func (s *Server) Close() {
	defer func() { go notifyClosed() }()
}

func notifyClosed() {}

// net/http's ClientConn.maybeRunStateHook: the helper runs the hook
// synchronously and starts a goroutine only when it must run it again;
// that branch is the helper's design, not the deferred call's.
type clientConn struct{ hook func(*clientConn) error }

func (cc *clientConn) shouldRunHook() func(*clientConn) error { return cc.hook }

func (cc *clientConn) maybeRunHook() {
	hook := cc.shouldRunHook()
	if hook == nil {
		return
	}
	hook(cc)
	if hook = cc.shouldRunHook(); hook != nil {
		go func() {
			for hook != nil {
				hook(cc)
				hook = cc.shouldRunHook()
			}
		}()
	}
}

func (cc *clientConn) RoundTrip(req *http.Request) (*http.Response, error) {
	defer cc.maybeRunHook()
	return nil, nil
}

// prometheus discovery/file: the helper deferred by Run drains the
// watcher in a goroutine bounded by a done channel it closes.
type watcher struct {
	events chan string
	errs   chan error
}

func (w *watcher) Close() error { return nil }

type fileDiscovery struct{ w *watcher }

func (d *fileDiscovery) stop() {
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-d.w.errs:
			case <-d.w.events:
			case <-done:
				return
			}
		}
	}()
	d.w.Close()
}

func (d *fileDiscovery) Refresh(ctx context.Context) {
	defer d.stop()
}

// prometheus rules/group: stale series are cleaned up later unless the
// manager stops first; the goroutine watches the manager's done channel.
type group struct {
	markStale   bool
	managerDone chan struct{}
}

func (g *group) cleanup(ctx context.Context) error { return nil }

func (g *group) Eval(ctx context.Context) {
	defer func() {
		if !g.markStale {
			return
		}
		go func() {
			select {
			case <-g.managerDone:
			case <-time.After(time.Minute):
				g.cleanup(ctx)
			}
		}()
	}()
}

// A worker that runs until its context is done: its deferred calls run at
// shutdown, and a goroutine that handles its own error is its design.
func (s *Server) Run(ctx context.Context) {
	defer func() {
		go func() {
			if err := s.flush(); err != nil {
				log.Println(err)
			}
		}()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		}
	}
}
