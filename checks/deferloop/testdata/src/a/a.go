package a

import (
	"archive/zip"
	"bufio"
	"context"
	"database/sql"
	"io"
	"iter"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// A loop over file names that returns on error: no fix (the return
// would return from the function literal).
func ProcessAll(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close() // want `deferred f.Close\(\) runs only when ProcessAll returns, not at the end of each iteration: one open file per iteration piles up \(wrap the loop body in a function\)`
		process(f)
	}
	return nil
}

// No return, break or continue in the body: fixed.
func CountLines(names []string) int {
	n := 0
	for _, name := range names {
		f, err := os.Open(name)
		if err == nil {
			defer f.Close() // want `deferred f.Close\(\) runs only when CountLines returns, not at the end of each iteration: one open file per iteration piles up`
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if sc.Text() == "" {
					continue // targets the inner loop: fine
				}
				n++
			}
		}
	}
	return n
}

// A bufio writer over a file created per iteration.
func WriteAll(dir string, parts map[string][]byte) {
	for name, data := range parts {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			log.Print(err)
			continue
		}
		defer f.Close() // want `one open file per iteration piles up`
		w := bufio.NewWriter(f)
		w.Write(data)
		w.Flush()
	}
}

// rows.Next loops inside a loop over ids.
func LoadAll(ctx context.Context, db *sql.DB, ids []int) ([]string, error) {
	var names []string
	for _, id := range ids {
		rows, err := db.QueryContext(ctx, "SELECT name FROM t WHERE id = ?", id)
		if err != nil {
			return nil, err
		}
		defer rows.Close() // want `deferred rows.Close\(\) runs only when LoadAll returns, not at the end of each iteration: one open \*sql.Rows per iteration piles up, each holding a database connection`
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				break // leaves the inner loop only
			}
			names = append(names, s)
		}
	}
	return names, nil
}

// The same, fixable, with a deferred closure that checks the error.
func LoadEach(db *sql.DB, queries []string) {
	for _, q := range queries {
		rows, err := db.Query(q)
		if err == nil {
			defer func() { // want `deferred function literal runs only when LoadEach returns, not at the end of each iteration: one open \*sql.Rows per iteration piles up`
				if err := rows.Close(); err != nil {
					log.Print(err)
				}
			}()
			for rows.Next() {
			}
		}
	}
}

// Transactions in a loop.
func Migrate(db *sql.DB, steps []string) {
	for _, s := range steps {
		tx, err := db.Begin()
		if err != nil {
			continue
		}
		defer tx.Rollback() // want `one open transaction per iteration piles up, each holding a database connection`
		if _, err := tx.Exec(s); err == nil {
			tx.Commit()
		}
	}
}

// Prepared statements.
func InsertAll(db *sql.DB, tables []string) {
	for _, t := range tables {
		st, err := db.Prepare("INSERT INTO " + t + " VALUES (?)")
		if err == nil {
			defer st.Close() // want `one prepared statement per iteration piles up`
			st.Exec(1)
		}
	}
}

// An HTTP client loop.
func FetchAll(client *http.Client, urls []string) (total int64) {
	for _, u := range urls {
		resp, err := client.Get(u)
		if err != nil {
			continue
		}
		defer resp.Body.Close() // want `deferred resp.Body.Close\(\) runs only when FetchAll returns, not at the end of each iteration: one unclosed response body per iteration piles up, each holding a connection`
		n, _ := io.Copy(io.Discard, resp.Body)
		total += n
	}
	return total
}

type Store struct {
	mu sync.Mutex
	rw sync.RWMutex
	m  map[string]int
}

// A mutex in a loop in a method on a pointer receiver: deadlock.
func (s *Store) AddAll(keys []string) {
	for _, k := range keys {
		s.mu.Lock()
		defer s.mu.Unlock() // want `deferred s.mu.Unlock\(\) runs only when AddAll returns, not at the end of each iteration: the second iteration blocks forever on s.mu.Lock\(\) \(wrap the loop body in a function, or unlock before the next iteration\)`
		s.m[k]++
	}
}

func (s *Store) SumAll(keys []string) (n int) {
	for _, k := range keys {
		s.rw.RLock()
		defer s.rw.RUnlock() // want `read locks on s.rw pile up: every s.rw.Lock\(\) waits until then, and once a writer waits the next s.rw.RLock\(\) blocks forever`
		n += s.m[k]
	}
	return n
}

// A loop over a channel of jobs.
func Worker(jobs <-chan string) {
	for addr := range jobs {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			continue
		}
		defer conn.Close() // want `one open connection per iteration piles up`
		conn.Write([]byte("ping"))
	}
}

// A select loop: the Done case returns, the job case loops.
func Serve(ctx context.Context, paths <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-paths:
			f, err := os.Create(p)
			if err != nil {
				continue
			}
			defer f.Close() // want `deferred f.Close\(\) runs only when Serve returns, not at the end of each iteration: one open file per iteration piles up`
			f.WriteString("x")
		}
	}
}

// Range over int with a context per iteration.
func Poll(ctx context.Context, n int, check func(context.Context) bool) {
	for range n {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel() // want `deferred cancel\(\) runs only when Poll returns, not at the end of each iteration: contexts and their timers pile up until then`
		if check(cctx) {
			log.Print("ok")
		}
	}
}

// Range over a function.
func Apply(db *sql.DB, stmts iter.Seq[string]) {
	for s := range stmts {
		tx, err := db.Begin()
		if err == nil {
			defer tx.Rollback() // want `one open transaction per iteration piles up`
			if _, err := tx.Exec(s); err == nil {
				tx.Commit()
			}
		}
	}
}

// Generics.
func OpenAll[T io.Closer](names []string, open func(string) (T, error)) {
	for _, name := range names {
		c, err := open(name)
		if err == nil {
			defer c.Close() // want `deferred c.Close\(\) runs only when OpenAll returns, not at the end of each iteration: one unclosed T per iteration piles up`
		}
	}
}

// A defer in an inner loop that breaks out of the inner loop piles up
// once per iteration of the outer loop.
func FirstInEach(dirs, names []string) {
	for _, dir := range dirs {
		for _, name := range names {
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				continue
			}
			defer f.Close() // want `deferred f.Close\(\) runs only when FirstInEach returns, not at the end of each iteration of the outer loop \(line \d+\): one open file per iteration piles up \(wrap the outer loop's body in a function\)`
			process(f)
			break
		}
	}
}

// A labeled continue to the outer loop.
func Labeled(groups [][]string) {
outer:
	for _, g := range groups {
		for _, name := range g {
			f, err := os.Open(name)
			if err != nil {
				continue
			}
			defer f.Close() // want `at the end of each iteration of the outer loop \(line \d+\)`
			continue outer
		}
	}
}

// A switch inside the loop: only one case returns.
func Run(ops []string) {
	for _, op := range ops {
		switch op {
		case "quit":
			return
		case "log":
			f, err := os.OpenFile("log", os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				break // leaves the switch, not the loop
			}
			defer f.Close() // want `one open file per iteration piles up`
			f.WriteString(op)
		}
	}
}

// Generic fallback.
func Cleanup(n int) {
	for range n {
		d, err := os.MkdirTemp("", "x")
		if err == nil {
			defer os.RemoveAll(d) // want `deferred os.RemoveAll\(d\) runs only when Cleanup returns, not at the end of each iteration: one deferred call per iteration piles up`
			os.WriteFile(filepath.Join(d, "x"), nil, 0o600)
		}
	}
}

// A release paired with an acquire on the same receiver in the loop.
type resolver struct{ depth int }

func (r *resolver) openScope()  { r.depth++ }
func (r *resolver) closeScope() { r.depth-- }

func (r *resolver) walk(specs [][]string) {
	for _, s := range specs {
		if len(s) > 1 {
			r.openScope()
			defer r.closeScope() // want `deferred r.closeScope\(\) runs only when walk returns, not at the end of each iteration: one deferred call per iteration piles up`
		}
	}
}

// Timers.
func Waits(ds []time.Duration, done <-chan struct{}) {
	for i := 0; i < len(ds); i++ {
		t := time.NewTimer(ds[i])
		defer t.Stop() // want `one running timer per iteration piles up`
		select {
		case <-t.C:
		case <-done:
		}
	}
}

// A loop that runs twice is still a loop.
func Twice(mu *sync.Mutex) {
	for i := 0; i < 2; i++ {
		mu.Lock()
		defer mu.Unlock() // want `the second iteration blocks forever on mu.Lock\(\)`
	}
}

// HTTP middleware: a handler function literal with a loop.
func Middleware(next http.Handler, files []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, name := range files {
			f, err := os.Open(name)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			defer f.Close() // want `deferred f.Close\(\) runs only when the function literal returns`
			io.Copy(w, f)
		}
		next.ServeHTTP(w, r)
	})
}

// An HTTP handler holding a lock across a loop over a channel.
func (s *Store) Handle(w http.ResponseWriter, r *http.Request) {
	for k := range s.keys(r.Context()) {
		s.mu.Lock()
		defer s.mu.Unlock() // want `blocks forever on s.mu.Lock\(\)`
		s.m[k]++
	}
}

func (s *Store) keys(ctx context.Context) <-chan string { return nil }

// A for loop without condition, broken out of on one path only.
func Retry(dial func() (net.Conn, error)) {
	for {
		c, err := dial()
		if err != nil {
			continue
		}
		defer c.Close() // want `one open connection per iteration piles up`
		if _, err := c.Write(nil); err == nil {
			break
		}
	}
}

// What is appended is read from the file, not the file.
func ParseAll(names []string, parse func(io.Reader) []string) [][]string {
	var out [][]string
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close() // want `one open file per iteration piles up`
		out = append(out, parse(f))
	}
	return out
}

func process(io.Reader) {}

// Guards that do not make the defer run once.
func LazyReopen(lines []string, name string, limit int) {
	var f *os.File
	n := 0
	for _, l := range lines {
		if f == nil {
			f, _ = os.Create(name)
			defer f.Close() // want `one open file per iteration piles up`
		}
		f.WriteString(l)
		if n++; n > limit {
			f = nil // rotate: the next iteration opens another file
		}
	}
}

func FlagInBody(names []string) {
	for _, name := range names {
		opened := false
		if !opened {
			f, _ := os.Open(name)
			defer f.Close() // want `one open file per iteration piles up`
			opened = true
		}
	}
}

func CountedGuard(names []string) {
	n := 0
	for _, name := range names {
		if n < 3 {
			n++
			f, _ := os.Open(name)
			defer f.Close() // want `one open file per iteration piles up`
		}
	}
}

func MapIndex(files map[int]string) {
	for k, name := range files {
		if k == 0 {
			continue
		}
		f, _ := os.Open(name)
		defer f.Close() // want `one open file per iteration piles up`
	}
}

// A deferred closure that updates a variable read after the loop: no
// fix (the loop would see the update earlier).
func Totals(names []string) int {
	total := 0
	for _, name := range names {
		f, err := os.Open(name)
		if err == nil {
			defer func() { // want `deferred function literal runs only when Totals returns`
				f.Close()
				total++
			}()
		}
	}
	return total
}

// Committed on the success path only: a failed Exec leaves the
// transaction open until the function returns.
func CommitSometimes(db *sql.DB, steps []string) {
	for _, s := range steps {
		tx, err := db.Begin()
		if err != nil {
			return
		}
		defer tx.Rollback() // want `one open transaction per iteration piles up`
		if _, err := tx.Exec(s); err != nil {
			log.Print(err)
			continue
		}
		tx.Commit()
	}
}

// Unlocked explicitly and by the defer: fatal at return.
func (s *Store) UnlockTwice(keys []string) {
	for _, k := range keys {
		s.mu.Lock()
		defer s.mu.Unlock() // want `deferred s.mu.Unlock\(\) runs only when UnlockTwice returns, not at the end of each iteration: each iteration also unlocks s.mu itself, so the deferred unlocks hit an unlocked mutex: fatal error "sync: unlock of unlocked mutex" \(drop the explicit unlock, or the defer\)`
		s.m[k]++
		s.mu.Unlock()
	}
}

// A type from another package is named by its package name.
func ListZips(names []string) (n int, err error) {
	for _, name := range names {
		r, err := zip.OpenReader(name)
		if err != nil {
			return n, err
		}
		defer r.Close() // want `one unclosed \*zip.ReadCloser per iteration piles up`
		n += len(r.File)
	}
	return n, nil
}

// Cleanups that also run on success: the listeners pile up.
func ListenCloseOnSuccess(eps []*endpoint) (err error) {
	for _, ep := range eps {
		if ep.l, err = net.Listen("tcp", ep.addr); err != nil {
			return err
		}
		defer func(ep *endpoint) { // want `deferred function literal runs only when ListenCloseOnSuccess returns, not at the end of each iteration: one open listener per iteration piles up`
			if err == nil && ep.l == nil {
				return
			}
			ep.l.Close()
		}(ep)
	}
	return nil
}

func ListenCloseUnlessFailed(eps []*endpoint) (err error) {
	for _, ep := range eps {
		if ep.l, err = net.Listen("tcp", ep.addr); err != nil {
			return err
		}
		defer func() { // want `deferred function literal runs only when ListenCloseUnlessFailed returns, not at the end of each iteration: one open listener per iteration piles up`
			if err != nil {
				return
			}
			ep.l.Close()
		}()
	}
	return nil
}

// Connections gathered from a channel and used in the iteration: each
// one is done with at the end of it.
func ServeStarted(n int, results chan started) error {
	for range n {
		ev := <-results
		if ev.err != nil {
			return ev.err
		}
		defer ev.conn.Close() // want `deferred ev.conn.Close\(\) runs only when ServeStarted returns, not at the end of each iteration`
		ev.conn.Write(nil)
	}
	return nil
}

func ServeRange(conns chan net.Conn) {
	for c := range conns {
		defer c.Close() // want `deferred c.Close\(\) runs only when ServeRange returns, not at the end of each iteration`
		io.Copy(c, c)
	}
}

// Pooled buffers used within the iteration only.
func ShardBuffersInPlace(n int) {
	for range n {
		buf := getShardBuf()
		w := NewShardWriter(buf[:0])
		defer putShardBuf(buf) // want `deferred putShardBuf\(buf\) runs only when ShardBuffersInPlace returns, not at the end of each iteration`
		encodeAll([]*shardWriter{w})
	}
}

// The same group locked by every iteration.
func LockOneGroup(g *bucketGroup, paths []string) {
	for _, p := range paths {
		unlock := g.LockAndSet([]string{p})
		defer unlock() // want `deferred unlock\(\) runs only when LockOneGroup returns, not at the end of each iteration: one deferred call per iteration piles up`
	}
	gatherGroups()
}

// A deferred literal that gives a slot back.
var slots = make(chan struct{}, 4)

func releaseSlot() { <-slots }

func TakeSlots(names []string) {
	for _, name := range names {
		slots <- struct{}{}
		n := len(name)
		defer func() { // want `deferred function literal runs only when TakeSlots returns, not at the end of each iteration: one deferred call per iteration piles up`
			releaseSlot()
			_ = n
		}()
	}
}

// A span per input whose iterator is done with in the iteration.
func CompactEach(ctx context.Context, inputs []string) error {
	for _, in := range inputs {
		spanCtx, sp := startSpan(ctx, in)
		defer sp.End() // want `deferred sp.End\(\) runs only when CompactEach returns, not at the end of each iteration: one deferred call per iteration piles up`
		it, err := openRows(spanCtx, in)
		if err != nil {
			return err
		}
		for it.Next() {
		}
	}
	return nil
}

// The element appears twice: the second "cpu" blocks on the first lock.
func (p *dumper) DumpTwice() {
	for _, kind := range []string{"cpu", "heap", "cpu"} {
		if kind == "cpu" {
			p.mu.Lock()
			defer p.mu.Unlock() // want `deferred p.mu.Unlock\(\) runs only when`
		}
	}
}

// The list may change before the loop: append can add another "cpu".
func (p *dumper) DumpAppended(extra string) {
	kinds := []string{"heap", "cpu"}
	kinds = append(kinds, extra)
	for _, kind := range kinds {
		if kind == "cpu" {
			p.mu.Lock()
			defer p.mu.Unlock() // want `deferred p.mu.Unlock\(\) runs only when`
		}
	}
}

// The list is a parameter: nothing says "cpu" is in it once.
func (p *dumper) DumpGiven(kinds []string) {
	for _, kind := range kinds {
		if kind == "cpu" {
			p.mu.Lock()
			defer p.mu.Unlock() // want `deferred p.mu.Unlock\(\) runs only when`
		}
	}
}

type dumper struct{ mu sync.Mutex }
