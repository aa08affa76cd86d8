package a

// Two sends on exclusive paths of one goroutine: each run sends once.
func Either(stop chan bool, ok func() bool) {
	done := make(chan bool)
	go func() {
		if ok() {
			done <- false // want `when <-stop wins the select at line 14, the goroutine started at line 6 blocks forever sending on done`
			return
		}
		done <- true
	}()
	select {
	case <-stop:
		return
	case <-done:
	}
}

// Two sends one after the other: a stream, which one buffer slot would
// not fix; another shape, left alone.
func Stream(stop chan bool) {
	out := make(chan int)
	go func() {
		out <- 1
		out <- 2
	}()
	select {
	case <-stop:
		return
	case <-out:
	}
}
