//go:build go1.16

// A //go:build line below go1.21 cannot take a file further back than
// go1.21, the first release that honours it: the file still has shared
// loop variables.

package a

func OlderDefer(jobs []Job) {
	for _, job := range jobs {
		defer func() { run(job) }() // want `deferred function captures loop variable job, which all iterations share in this go1.21 file: every deferred call runs when OlderDefer returns`
	}
}
