package a

import (
	"net/http"
	"strconv"
	"sync"
)

// A pooled struct with its own reset method, used without calling it.
type queryState struct {
	filters map[string]string
	limit   int
	cursor  string
}

func (q *queryState) reset() {
	clear(q.filters)
	q.limit, q.cursor = 0, ""
}

func (q *queryState) parse(r *http.Request) {
	for k, v := range r.URL.Query() {
		if k == "limit" {
			q.limit, _ = strconv.Atoi(v[0])
			continue
		}
		q.filters[k] = v[0]
	}
}

var queries = sync.Pool{New: func() any { return &queryState{filters: map[string]string{}} }}

func (s *server) search(w http.ResponseWriter, r *http.Request) {
	q := queries.Get().(*queryState)
	q.parse(r) // want `q from queries.Get\(\) is used before it is reset, .*\(call q.reset\(\) right after Get\)`
	defer queries.Put(q)
	w.Write([]byte(strconv.Itoa(len(q.filters))))
}

// The same pool used correctly elsewhere.
func (s *server) count(r *http.Request) int {
	q := queries.Get().(*queryState)
	q.reset()
	q.parse(r)
	n := len(q.filters)
	queries.Put(q)
	return n
}
