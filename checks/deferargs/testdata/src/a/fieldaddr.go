package a

import "log"

type permission struct {
	Collection *string
	Tenant     *string
}

type listParams struct {
	Class *string
}

func grant(p permission)       {}
func list(p *listParams)       {}
func deleteClass(class string) {}

// Rule "address for an optional field": &className fills optional
// fields of API models, which read it when the request is sent; the
// cleanup deletes the class the test created.
func OKGrantThenCleanUp() {
	className := "Orders"
	defer deleteClass(className)
	grant(permission{Collection: &className})
	p := &listParams{}
	p.Class = &className
	list(p)
}

type result struct {
	Err *error
}

func run(r result) { *r.Err = nil }

// Reported: an error's address handed on in a struct is how a callee
// sets it; the deferred log sees nil.
func RunAndLog() {
	var err error
	defer log.Println("run:", err) // want `deferred log.Println\("run:", err\) receives err as it is now \(nil\)`
	run(result{Err: &err})
}

// Reported: a call given &n can write it (fmt.Sscan).
func ParseCount(s string) {
	count := 0
	defer log.Println("count", count) // want `deferred log.Println\("count", count\) receives count as it is now \(0\)`
	parse(s, &count)
}

func parse(s string, n *int) { *n = len(s) }
