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
