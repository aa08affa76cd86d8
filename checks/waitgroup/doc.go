// Package waitgroup defines an Analyzer that reports a WaitGroup waited
// on inside the loop that starts the goroutines it counts.
//
// # Analyzer waitgroup
//
// waitgroup: a wait inside the loop that starts the goroutines counted before it
//
// Add(n) before a loop counts every goroutine the loop will start; a
// Wait inside the loop waits for all of them while only the first has
// been started:
//
//	wg.Add(len(plugins))
//	for _, p := range plugins {
//		go func(p *plugin) {
//			defer wg.Done()
//			p.init()
//		}(p)
//		wg.Wait() // waits for len(plugins) Done calls; one can come
//	}
//
// With two or more items the first Wait never returns, the function
// hangs, and so does whoever waits for it. The fix is to move Wait after
// the loop (the goroutines then run at once), or to count each one in
// the loop with Add(1) when they must run one at a time.
//
// The check reports a Wait in a loop body when the same body starts a
// goroutine that calls Done on that WaitGroup, no Add of it is in the
// body, and an Add of it comes before the loop in the function.
//
// # What it leaves alone, and why
//
//   - rule "counted in the loop": an Add in the loop body counts each
//     goroutine before the Wait that waits for it.
//   - rule "no goroutine of its own": a Wait in a loop whose body starts
//     no goroutine calling Done waits for work started elsewhere.
package waitgroup
