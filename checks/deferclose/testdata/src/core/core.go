// Package core holds deferclose's default form: a cleanup deferred
// before the error check; the dropped Close error is the opt-in form.
package core

import (
	"net/http"
	"os"
)

func fetch(url string) error {
	resp, err := http.Get(url)
	defer resp.Body.Close() // want `resp\.Body\.Close\(\) is deferred before the error of http\.Get is checked`
	if err != nil {
		return err
	}
	return nil
}

// Rule "dropped Close is opt-in": on real services most dropped Close
// errors are in tools and best-effort files; -deferclose.dropped
// reports them.
func save(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(data)
	return err
}
