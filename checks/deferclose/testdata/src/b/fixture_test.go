package b

import (
	"net/http"
	"os"
	"testing"
)

// Rule "test code": a test helper writing a fixture. Had Close failed,
// the test reading the file next fails; no caller relies on the error.
func writeFixture(t *testing.T, name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(data)
	return err
}

func TestFixture(t *testing.T) {
	if err := writeFixture(t, t.TempDir()+"/x", []byte("x")); err != nil {
		t.Fatal(err)
	}
}

// Cleanups deferred before the error check still panic in tests: the
// other form of the check runs on test code too.
func TestEarlyCleanup(t *testing.T) {
	resp, err := http.Get("http://127.0.0.1:1/")
	defer resp.Body.Close() // want `resp\.Body\.Close\(\) is deferred before the error of http\.Get is checked`
	if err != nil {
		t.Fatal(err)
	}
}
