// A command: its main's defers run as the process ends.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

// rule "main's defers run as the process ends": when the Get fails the
// deferred Close panics as main returns, and the process ends either way.
func main() {
	resp, err := http.Get(os.Args[1])
	defer resp.Body.Close()
	if err != nil {
		fmt.Println("get:", err)
		return
	}
	if err := fetch(os.Args[2]); err != nil {
		fmt.Println("fetch:", err)
	}
	io.Copy(os.Stdout, resp.Body)
}

// Reported: a function of package main other than main may run many
// times while the program serves.
func fetch(url string) error {
	resp, err := http.Get(url)
	defer resp.Body.Close() // want `resp\.Body\.Close\(\) is deferred before the error of http\.Get is checked`
	if err != nil {
		return err
	}
	_, err = io.Copy(os.Stdout, resp.Body)
	return err
}
