package a

import "sync"

type plugin struct{ name string }

func (p *plugin) init() {}

func InitAll(plugins []*plugin) {
	var group sync.WaitGroup
	group.Add(len(plugins))
	for _, p := range plugins {
		go func(p *plugin) {
			defer group.Done()
			p.init()
		}(p)
		group.Wait() // want `group.Wait\(\) inside the loop waits for every goroutine the Add before the loop counted`
	}
}

type pool struct{ wg sync.WaitGroup }

func (s *pool) Run(jobs []func()) {
	s.wg.Add(len(jobs))
	for i := 0; i < len(jobs); i++ {
		job := jobs[i]
		go func() {
			job()
			s.wg.Done()
		}()
		s.wg.Wait() // want `s.wg.Wait\(\) inside the loop`
	}
}
