package checkrun

import (
	"errors"
	"testing"
)

// A module the proxy refuses: the message names the module and the
// proxy's reason, not go's progress lines.
func TestLoadErrorTextSkipsProgress(t *testing.T) {
	err := errors.New("go list: err: exit status 1: stderr: go: downloading example.com/dep v1.0.0\n" +
		"go: example.com/dep@v1.0.0: reading https://proxy.golang.org/example.com/dep/@v/v1.0.0.mod: 403 Forbidden\n" +
		"\tserver response: This module version is not available.\n")
	got := loadErrorText(err)
	want := "go: example.com/dep@v1.0.0: reading https://proxy.golang.org/example.com/dep/@v/v1.0.0.mod: 403 Forbidden (server response: This module version is not available.)"
	if got != want {
		t.Errorf("loadErrorText =\n%q\nwant\n%q", got, want)
	}
}
