// Command loadonly does what `silentfail check` does with no check
// enabled: list, parse and type-check the packages as the driver does,
// and run no analyzer. bench/checks.sh subtracts its cost from each
// check's to show what the check itself adds.
//
//	go run ./bench/internal/loadonly [packages]
package main

import (
	"fmt"
	"os"

	"github.com/silentfail/silentfail/internal/checkrun"
)

func main() {
	res, err := checkrun.Run(checkrun.Config{Patterns: os.Args[1:], Tests: true, TightGC: true})
	if res == nil {
		fmt.Fprintln(os.Stderr, "loadonly:", err)
		os.Exit(2)
	}
	fmt.Printf("%d packages loaded, %d do not type-check\n", res.Analyzed, len(res.Broken))
}
