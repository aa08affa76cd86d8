// Package compression shows how to send a compressed request.
package compression

import (
	"fmt"
	"net/http"
)

// rule "examples are not services": a sample program under examples/
// is test code; its early defer is reported only by -deferclose.tests.
func Example() error {
	resp, err := http.Get("http://127.0.0.1:1/")
	defer resp.Body.Close()
	if err != nil {
		return err
	}
	fmt.Println(resp.Status)
	return nil
}
