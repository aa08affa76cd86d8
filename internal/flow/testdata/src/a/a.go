package a

import (
	"log"
	"os"
	"testing"
)

func fatal(msg string) { // want "noreturn=true"
	log.Fatal(msg)
}

func exit() { // want "noreturn=true"
	os.Exit(1)
}

func viaHelper() { // want "noreturn=true"
	fatal("x")
}

func serve() { // want "noreturn=true"
	for {
	}
}

func panics() { // want "noreturn=true"
	panic("no")
}

func maybe(b bool) { // want "noreturn=false"
	if b {
		fatal("x")
	}
}

func plain() {} // want "noreturn=false"

func recursive(n int) int { // want "noreturn=false"
	if n == 0 {
		return 0
	}
	return recursive(n - 1)
}

func helper(t *testing.T) { // want "noreturn=true"
	t.Fatal("stop")
}
