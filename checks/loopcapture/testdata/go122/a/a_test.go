package a

import "testing"

func TestParallel(t *testing.T) {
	tests := []struct {
		name string
		job  Job
	}{{"one", Job{1}}, {"two", Job{2}}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := run(tc.job); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParallelIndex(t *testing.T) {
	jobs := []Job{{1}, {2}}
	for i := 0; i < len(jobs); i++ {
		t.Log("case", i)
		t.Run("job", func(t *testing.T) {
			t.Parallel()
			_ = run(jobs[i])
		})
		t.Log("started")
	}
}

// Silent: subtests without t.Parallel run before t.Run returns.
func TestSequential(t *testing.T) {
	for _, job := range []Job{{1}, {2}} {
		t.Run("seq", func(t *testing.T) {
			if err := run(job); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Silent: the copy is made before t.Parallel, while t.Run waits.
func TestCopyBeforeParallel(t *testing.T) {
	for _, job := range []Job{{1}, {2}} {
		t.Run("copy", func(t *testing.T) {
			job := job
			t.Parallel()
			_ = run(job)
		})
	}
}

// Silent: uses before t.Parallel run while t.Run waits.
func TestUseBeforeParallel(t *testing.T) {
	for _, job := range []Job{{1}, {2}} {
		t.Run("name", func(t *testing.T) {
			t.Logf("job %d", job.ID)
			t.Parallel()
		})
	}
}

// Silent: the group subtest waits for its parallel subtests before the
// loop moves on.
func TestGroup(t *testing.T) {
	for _, job := range []Job{{1}, {2}} {
		t.Run("group", func(t *testing.T) {
			t.Run("a", func(t *testing.T) {
				t.Parallel()
				_ = run(job)
			})
			t.Run("b", func(t *testing.T) {
				t.Parallel()
				_ = run(job)
			})
		})
	}
}

// Silent: the subtest hands the channel the goroutine reports on to a
// helper that waits for it.
func TestStartServer(t *testing.T) {
	for _, tc := range []struct{ addr string }{{":0"}, {"nope"}} {
		t.Run(tc.addr, func(t *testing.T) {
			errc := make(chan error)
			go func() {
				errc <- listen(tc.addr)
			}()
			if err := waitForStart(errc); err != nil {
				t.Log(err)
			}
		})
	}
}

func listen(addr string) error { return nil }

func waitForStart(errc <-chan error) error { return <-errc }

// Silent: the subtest receives what the goroutine sends before it
// returns.
func TestHandshake(t *testing.T) {
	for _, tc := range []struct{ addr string }{{":0"}, {"nope"}} {
		t.Run(tc.addr, func(t *testing.T) {
			res := &results{ch: make(chan string)}
			go func() {
				res.Send(tc.addr)
			}()
			if got := res.Receive(); got != tc.addr {
				t.Error(got)
			}
		})
	}
}
