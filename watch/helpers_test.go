package watch

import "runtime/pprof"

func lookupExists(name string) bool { return pprof.Lookup(name) != nil }
