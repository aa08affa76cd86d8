package tests

import "testing"

func TestFlush(t *testing.T) {
	defer func() { go flush() }()
}
