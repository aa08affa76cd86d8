// Command deadlock ends in the runtime's "all goroutines are asleep"
// crash, for the captures (capture_tests.sh).
package main

func produce(out chan<- int) {
	out <- 1 // nobody receives from out
}

func main() {
	out := make(chan int)
	done := make(chan struct{})
	go produce(out)
	<-done // nobody closes done
}
