package a

import "sync"

// Wait after the loop.
func InitAllOK(plugins []*plugin) {
	var group sync.WaitGroup
	group.Add(len(plugins))
	for _, p := range plugins {
		go func(p *plugin) {
			defer group.Done()
			p.init()
		}(p)
	}
	group.Wait()
}

// rule "counted in the loop": one at a time, each counted.
func InitInTurn(plugins []*plugin) {
	var group sync.WaitGroup
	for _, p := range plugins {
		group.Add(1)
		go func(p *plugin) {
			defer group.Done()
			p.init()
		}(p)
		group.Wait()
	}
}

// rule "no goroutine of its own": waits for work started before.
func Batches(batches [][]*plugin) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done() }()
	for _, b := range batches {
		wg.Wait()
		_ = b
	}
}
