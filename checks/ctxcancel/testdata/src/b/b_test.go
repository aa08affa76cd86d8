package b

import (
	"context"
	"testing"
)

type fixture struct {
	cancel context.CancelFunc
}

// Leaks in tests are not reported: the contexts die with the test.
func TestLeak(t *testing.T) {
	f := &fixture{}
	_, f.cancel = context.WithCancel(background())
}
