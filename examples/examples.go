// Package examples carries the source of the example service, so that
// silentfail demo can build and run it from any directory, with the
// installed binary alone.
package examples

import "embed"

// LeakyService holds examples/leakyservice's Go files (tests included,
// as in the source tree), under leakyservice/.
//
//go:embed leakyservice/*.go
var LeakyService embed.FS
