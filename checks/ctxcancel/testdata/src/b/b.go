// Package b has a leak in a test file only: tests are not reported.
package b

import "context"

func background() context.Context { return context.Background() }
