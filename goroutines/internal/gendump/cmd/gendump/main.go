// Command gendump writes a realistic debug=2 goroutine dump of -n
// goroutines to standard output, for timing `silentfail diagnose` on
// dumps of a size no test commits:
//
//	go run ./goroutines/internal/gendump/cmd/gendump -n 1000000 > /tmp/dump-1m.txt
//	time silentfail diagnose /tmp/dump-1m.txt
//
// With -shuffle the leaked goroutines' ids are listed in a random order,
// as a runtime that reuses goroutine structures lists them.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/silentfail/silentfail/goroutines/internal/gendump"
)

func main() {
	n := flag.Int("n", 1000000, "number of goroutines in the dump")
	shuffle := flag.Bool("shuffle", false, "list the leaked goroutines' ids in a random order")
	flag.Parse()
	write := gendump.Write
	if *shuffle {
		write = gendump.WriteShuffled
	}
	if err := write(os.Stdout, *n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
