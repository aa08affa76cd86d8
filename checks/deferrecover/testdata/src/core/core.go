package core

import (
	"log"
	"net/http"
)

func recoverPanic(w http.ResponseWriter) {
	if r := recover(); r != nil {
		log.Printf("panic: %v", r)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// A recovery wrapper: its recover() is called by the deferred closure,
// not deferred itself.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { recoverPanic(w) }() // want `recoverPanic\(\) is called from a deferred closure, not deferred itself`
		next.ServeHTTP(w, r)
	})
}

// rule "a bare defer recover() is opt-in": quiet without
// -deferrecover.bare.
func Track(events chan<- string, name string) {
	defer recover()
	events <- name
}

// rule "a recover nothing defers is opt-in": quiet without
// -deferrecover.called, although its recover() always returns nil.
func statEntry(name string, stat func(string) int) (n int, ok bool) {
	if r := recover(); r != nil {
		return 0, false
	}
	return stat(name), true
}

func Size(name string) int {
	n, _ := statEntry(name, func(string) int { return len(name) })
	return n
}
