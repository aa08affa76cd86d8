package a

// Correct look-alikes: none of these may be reported.

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

// The body wrapped in a function literal: the defer runs per iteration.
func OKWrapped(names []string) error {
	for _, name := range names {
		err := func() error {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			process(f)
			return nil
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// The mutex version of the same.
func (s *Store) OKAddAll(keys []string) {
	for _, k := range keys {
		func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.m[k]++
		}()
	}
}

// A goroutine per iteration defers in its own function.
func OKGoroutines(jobs []func()) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j()
		}()
	}
	wg.Wait()
}

// A retry loop: on success it defers and returns, on failure it
// continues without deferring.
func OKRetry(addr string) ([]byte, error) {
	for attempt := 0; attempt < 3; attempt++ {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		defer conn.Close()
		return io.ReadAll(conn)
	}
	return nil, errors.New("no luck")
}

// for { ... defer ...; return }
func OKForReturn(ctx context.Context, db *sql.DB) (int, error) {
	for {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			if ctx.Err() != nil {
				return 0, err
			}
			continue
		}
		defer tx.Rollback()
		var n int
		if err := tx.QueryRow("SELECT 1").Scan(&n); err != nil {
			return 0, err
		}
		return n, tx.Commit()
	}
}

// Break after the defer: the first file found is used after the loop.
func OKFirst(names []string) {
	var found *os.File
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		found = f
		break
	}
	process(found)
}

// A labeled break out of the outer loop from an inner loop.
func OKLabeledBreak(groups [][]string) {
outer:
	for _, g := range groups {
		for _, name := range g {
			f, err := os.Open(name)
			if err != nil {
				continue
			}
			defer f.Close()
			process(f)
			break outer
		}
	}
}

// goto out of the loop.
func OKGoto(names []string) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		process(f)
		goto done
	}
done:
	log.Print("done")
}

// Every case of the switch after the defer returns.
func OKSwitch(ops []string, mu *sync.Mutex) error {
	for _, op := range ops {
		if op == "" {
			continue
		}
		mu.Lock()
		defer mu.Unlock()
		switch op {
		case "a":
			return nil
		default:
			return errors.New(op)
		}
	}
	return nil
}

// A select loop where the job case returns.
func OKSelect(ctx context.Context, conns <-chan net.Conn) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c := <-conns:
			defer c.Close()
			_, err := c.Write([]byte("hello"))
			return err
		}
	}
}

// Paths after the defer end in panic, log.Fatal, os.Exit, t.Fatal, or a
// package function that never returns.
func OKNoReturn(names []string, t *testing.T) {
	for i, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		switch i {
		case 0:
			panic(name)
		case 1:
			log.Fatal(name)
		case 2:
			os.Exit(1)
		case 3:
			t.Fatalf("%s", name)
		default:
			die(name)
		}
	}
}

func die(msg string) {
	log.Print(msg)
	os.Exit(2)
}

// Loops that provably run once.
func OKOnce(mu *sync.Mutex, name string) {
	for range 1 {
		mu.Lock()
		defer mu.Unlock()
	}
	for i := 0; i < 1; i++ {
		f, _ := os.Open(name)
		defer f.Close()
	}
	for i := 3; i > 2; i-- {
		f, _ := os.Open(name)
		defer f.Close()
	}
	for ok := true; ok; ok = false {
		f, _ := os.Open(name)
		defer f.Close()
	}
	for _, n := range []string{name} {
		f, _ := os.Open(n)
		defer f.Close()
	}
	var one [1]string
	for _, n := range one {
		f, _ := os.Open(n)
		defer f.Close()
	}
}

// The listeners are used after the loop: closing them when the
// function returns is the point.
func OKListeners(addrs []string, h http.Handler) error {
	var ls []net.Listener
	for _, a := range addrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			return err
		}
		defer l.Close()
		ls = append(ls, l)
	}
	errc := make(chan error, len(ls))
	for _, l := range ls {
		go func() { errc <- http.Serve(l, h) }()
	}
	return <-errc
}

// Files stored in a map, readers wrapping them in a struct field.
type multi struct{ rs []io.Reader }

func OKKept(names []string, m *multi) map[string]*os.File {
	byName := make(map[string]*os.File)
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			continue
		}
		defer f.Close()
		byName[n] = f
	}
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			continue
		}
		defer f.Close()
		m.rs = append(m.rs, io.LimitReader(f, 10))
	}
	return byName
}

// The context goes to a goroutine that outlives the iteration: cancel
// stops it when the function returns.
func OKRacers(ctx context.Context, addrs []string, dial func(context.Context, string) net.Conn) net.Conn {
	results := make(chan net.Conn)
	for _, a := range addrs {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() { results <- dial(cctx, a) }()
	}
	return <-results
}

// The connection is served by a goroutine until the function returns.
func OKServe(ln net.Listener, n int, serve func(net.Conn)) {
	for range n {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		go serve(c)
	}
	time.Sleep(time.Second)
}

// A defer in dead code after a return.
func OKDead(names []string) {
	for _, n := range names {
		log.Print(n)
		return
		f, _ := os.Open(n)
		defer f.Close()
	}
}

// Unlock of a lock taken before the loop, in a loop that returns.
func (s *Store) OKUnlockOnce(keys []string) int {
	s.mu.Lock()
	for _, k := range keys {
		if s.m[k] > 0 {
			defer s.mu.Unlock()
			return s.m[k]
		}
	}
	s.mu.Unlock()
	return 0
}

// Each iteration locks a different mutex and keeps it until the
// function returns: a chain of parents, all shards.
type node struct {
	mu     sync.Mutex
	done   bool
	parent *node
}

func (n *node) OKLockChain() *node {
	for p := n.parent; p != nil; p = p.parent {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.done {
			return p
		}
	}
	return nil
}

type shard struct {
	mu sync.RWMutex
	m  map[string]int
}

func OKLockAll(shards []*shard) int {
	n := 0
	for _, s := range shards {
		s.mu.RLock()
		defer s.mu.RUnlock()
		n += len(s.m)
	}
	for i := range shards {
		shards[i].mu.RLock()
		defer shards[i].mu.RUnlock()
	}
	return n
}

// Releasing every element of an existing collection when the function
// returns is deliberate: nothing is acquired per iteration.
func OKCloseAll[T io.Closer](items []T) {
	for _, it := range items {
		defer it.Close()
	}
}

type logger interface{ Close() error }

type manager struct {
	loggers map[string]logger
}

func (m *manager) OKSwap(next map[string]logger) {
	old := m.loggers
	for _, l := range old {
		if l != nil {
			defer l.Close()
		}
	}
	m.loggers = next
}

type batch struct{ buf []byte }

func (b *batch) close(pool *sync.Pool) { pool.Put(b) }

func OKCommit(batches []*batch, pool *sync.Pool) {
	for _, b := range batches {
		defer b.close(pool)
	}
	for i := range batches {
		defer batches[i].close(pool)
	}
}

func OKRemoveAll(names []string) {
	for _, n := range names {
		defer os.Remove(n)
	}
}

// A method called on the receiver in the loop that is not the acquire
// of the deferred release.
func (r *resolver) OKNotPaired(specs []string) {
	for range specs {
		r.walk(nil)
		defer r.closeScope()
	}
}

// The defer is guarded by a condition that its own branch makes false:
// it runs in one iteration at most.
func OKLazyOpen(lines []string, name string) error {
	var f *os.File
	for _, l := range lines {
		if f == nil {
			var err error
			f, err = os.Create(name)
			if err != nil {
				return err
			}
			defer f.Close()
		}
		f.WriteString(l)
	}
	return nil
}

type writer struct{ out *os.File }

func (w *writer) OKLazyField(lines []string) {
	for _, l := range lines {
		if w.out == nil {
			w.out, _ = os.Create("out")
			defer w.out.Close()
		}
		w.out.WriteString(l)
	}
}

func (s *Store) OKFirstFlag(keys []string) {
	locked := false
	for _, k := range keys {
		if !locked {
			s.mu.Lock()
			defer s.mu.Unlock()
			locked = true
		}
		s.m[k]++
	}
}

func OKFirstIndex(ctx context.Context, names []string) {
	for i, n := range names {
		if i == 0 {
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			<-cctx.Done()
		}
		log.Print(n)
	}
	for i := 0; i < len(names); i++ {
		if len(names[i]) > 3 && i == 0 {
			f, _ := os.Open(names[i])
			defer f.Close()
		}
	}
}

// The defer is a safety net for the early returns: every path to the
// next iteration closes the body explicitly.
func OKCloseEachIteration(client *http.Client, urls []string) error {
	for _, u := range urls {
		resp, err := client.Get(u)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return errors.New(resp.Status)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			resp.Body.Close()
			continue
		}
		resp.Body.Close()
	}
	return nil
}

// The records are used after the loop; the deferred literal removes
// them when the function returns, on purpose.
type zoneRecord struct{ name string }

func OKRecords(names []string, create func(string) (zoneRecord, error), cleanUp func(zoneRecord) error, wait func(zoneRecord)) error {
	records := make(map[string]zoneRecord, len(names))
	for _, name := range names {
		zr, err := create(name)
		if err != nil {
			return err
		}
		defer func(name string, zr zoneRecord) {
			if err := cleanUp(zr); err != nil {
				log.Print(name, err)
			}
		}(name, zr)
		records[name] = zr
	}
	for _, zr := range records {
		wait(zr)
	}
	return nil
}

func OKRecordsCaptured(names []string, create func(string) (zoneRecord, error), cleanUp func(zoneRecord) error) []zoneRecord {
	var out []zoneRecord
	for _, name := range names {
		zr, err := create(name)
		if err != nil {
			continue
		}
		defer func() { cleanUp(zr) }()
		out = append(out, zr)
	}
	return out
}

// A function that hands what its loop opened to its caller closes it
// only when it fails: on success the deferred calls do nothing.
type endpoint struct {
	addr string
	l    net.Listener
}

func OKListenAllOrNone(eps []*endpoint) (err error) {
	for _, ep := range eps {
		if ep.l, err = net.Listen("tcp", ep.addr); err != nil {
			return err
		}
		defer func(ep *endpoint) {
			if err == nil || ep.l == nil {
				return
			}
			ep.l.Close()
		}(ep)
	}
	return nil
}

func OKDialAllOrNone(eps []*endpoint, dial func(string) (net.Listener, error)) (err error) {
	for _, ep := range eps {
		l, lerr := dial(ep.addr)
		if lerr != nil {
			err = lerr
			return err
		}
		ep.l = l
		defer func() {
			if err != nil && l != nil {
				l.Close()
			}
		}()
	}
	return nil
}

// Servers started by goroutines, gathered from a channel to run until
// the function returns: the iteration only defers their shutdown.
type started struct {
	conn net.Conn
	err  error
}

func OKGatherStarted(n int, results chan started) error {
	for range n {
		ev := <-results
		if ev.err != nil {
			return ev.err
		}
		defer ev.conn.Close()
	}
	return nil
}

func OKGatherRange(conns chan net.Conn) {
	for c := range conns {
		defer c.Close()
	}
}

// Pooled buffers handed to writers that run after the loop: each goes
// back to the pool when the function returns, as it must.
type shardWriter struct{ buf []byte }

func NewShardWriter(buf []byte) *shardWriter { return &shardWriter{buf: buf} }

var shardBufs sync.Pool

func getShardBuf() []byte        { b, _ := shardBufs.Get().([]byte); return b }
func putShardBuf(b []byte)       { shardBufs.Put(&b) }
func encodeAll(_ []*shardWriter) {}

func OKShardBuffers(n int) {
	writers := make([]*shardWriter, n)
	for i := range n {
		buf := getShardBuf()
		writers[i] = NewShardWriter(buf[:0])
		defer putShardBuf(buf)
	}
	encodeAll(writers)
}

// Each iteration locks another group through a method that returns its
// unlock: all stay locked while the function gathers, on purpose.
type bucketGroup struct{ mu sync.Mutex }

func (g *bucketGroup) LockAndSet(buckets []string) func() {
	g.mu.Lock()
	return g.mu.Unlock
}

func gatherGroups() {}

func OKLockEachGroup(groups map[string]*bucketGroup, paths []string) {
	for _, p := range paths {
		if g, ok := groups[p]; ok {
			unlock := g.LockAndSet(nil)
			defer unlock()
		}
	}
	gatherGroups()
}

// Deferred calls that release nothing the check knows of: settings
// applied once everything has started, a log line, a WaitGroup told
// that the function is over.
type tlsSetting struct{ name string }

func (t *tlsSetting) apply(v string) {}

func loadSetting(name string) (string, error) { return name, nil }

func OKApplyAtEnd(settings []*tlsSetting) error {
	for _, st := range settings {
		v, err := loadSetting(st.name)
		if err != nil {
			return err
		}
		defer st.apply(v)
	}
	return nil
}

func OKLogEach(names []string) {
	for _, name := range names {
		start := time.Now()
		defer func() { log.Printf("%s: %v", name, time.Since(start)) }()
	}
}

func OKMonitor(wg *sync.WaitGroup, restored chan error) {
	for {
		if err := <-restored; err == nil {
			wg.Add(1)
			defer wg.Done()
		} else {
			return
		}
	}
}

// A span per input, ended at return: the iterator opened under it is
// read after the loop, so the span covers it on purpose.
type span struct{}

func (s *span) End() {}

func startSpan(ctx context.Context, name string) (context.Context, *span) { return ctx, &span{} }

type rowIter struct{}

func (it *rowIter) Next() bool   { return false }
func (it *rowIter) Close() error { return nil }

func openRows(ctx context.Context, name string) (*rowIter, error) { return &rowIter{}, nil }

type bookmark struct{ it *rowIter }

func newBookmark(it *rowIter) *bookmark { return &bookmark{it} }

func OKCompact(ctx context.Context, inputs []string) error {
	var marks []*bookmark
	for _, in := range inputs {
		spanCtx, sp := startSpan(ctx, in)
		defer sp.End()
		it, err := openRows(spanCtx, in)
		if err != nil {
			return err
		}
		marks = append(marks, newBookmark(it))
	}
	for _, m := range marks {
		m.it.Next()
	}
	return nil
}
