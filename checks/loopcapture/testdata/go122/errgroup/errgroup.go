// Package errgroup is a stand-in for golang.org/x/sync/errgroup, which
// the fixture cannot download.
package errgroup

import "sync"

type Group struct {
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

func (g *Group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() { g.err = err })
		}
	}()
}

func (g *Group) TryGo(f func() error) bool {
	g.Go(f)
	return true
}

func (g *Group) Wait() error {
	g.wg.Wait()
	return g.err
}
