// A C string per iteration, freed only when the function returns. The
// analyzer sees C.free as cgo rewrote it; the message shows it as
// written.
package cgo

// #include <stdlib.h>
import "C"

import "unsafe"

func LoadAll(paths []string) int {
	n := 0
	for _, p := range paths {
		cs := C.CString(p)
		defer C.free(unsafe.Pointer(cs)) // want `deferred C\.free\(…\) runs only when LoadAll returns, not at the end of each iteration: one C allocation per iteration stays allocated until then`
		if p == "" {
			continue
		}
		n++
	}
	return n
}
