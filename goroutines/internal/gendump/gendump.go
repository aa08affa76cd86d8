// Package gendump writes large, realistic debug=2 goroutine dumps for
// benchmarks: the parser's (goroutines.BenchmarkParseDump) and the
// end-to-end ones under bench/ (go run ./bench/gendump -n 1000000).
//
// The dump is grown from a real capture (capture.txt, a Go 1.27
// /debug/pprof/goroutine?debug=2 dump of goroutines/testdata/progs/leaky
// taken after more than a minute, copied from goroutines/testdata/captures):
// its service goroutines (the running one, main's accept loop, the
// connection) appear once, its leaked goroutines are repeated, in the
// capture's proportions, with fresh ids and wait times spread over the
// last 90 minutes, until the dump holds n goroutines. That is the shape
// of a leaking service: a few goroutines of its own and a multitude
// blocked on the same few lines.
package gendump

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

//go:embed capture.txt
var capture string

// A block is one goroutine of the capture: its header split into the
// state and the flags after it, and its frames verbatim.
type block struct {
	id    string   // the capture's id, kept for the service's goroutines
	state string   // "chan send"
	flags []string // "locked to thread"; the wait time is dropped
	body  string   // the frames and created-by lines, each ending in \n
}

// Write writes a debug=2 dump of n goroutines (n >= 1) to w. The leaked
// goroutines are listed by ascending id, as a runtime lists goroutines
// it started on fresh structures.
func Write(w io.Writer, n int) error { return write(w, n, false) }

// WriteShuffled writes the same dump with the leaked goroutines' ids
// listed in a random order (the same ids, and the same order on every
// run): as a runtime that reuses the structures of goroutines that
// ended lists the goroutines started on them.
func WriteShuffled(w io.Writer, n int) error { return write(w, n, true) }

func write(w io.Writer, n int, shuffle bool) error {
	if n < 1 {
		return errors.New("gendump: want at least one goroutine")
	}
	service, leaked, err := split(capture)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	// The service's goroutines keep their ids, which the created-by
	// lines of the others refer to; the leaked ones are numbered after.
	id := 1000
	written := 0
	order := func(i int) int { return i }
	if shuffle {
		order = permutation(n - min(n, len(service)))
	}
	emit := func(b block, minutes int) {
		bw.WriteString("goroutine ")
		if b.id != "" {
			bw.WriteString(b.id)
		} else {
			bw.WriteString(strconv.Itoa(1000 + order(id-1000)))
			id++
		}
		bw.WriteString(" [")
		bw.WriteString(b.state)
		if minutes > 0 {
			bw.WriteString(", ")
			bw.WriteString(strconv.Itoa(minutes))
			bw.WriteString(" minutes")
		}
		for _, f := range b.flags {
			bw.WriteString(", ")
			bw.WriteString(f)
		}
		bw.WriteString("]:\n")
		bw.WriteString(b.body)
		bw.WriteString("\n")
		written++
	}
	for _, b := range service {
		if written == n {
			break
		}
		emit(b, 0)
	}
	for i := 0; written < n; i++ {
		// Spread the wait times: a third under a minute (not printed),
		// the rest up to 90 minutes.
		minutes := (i * 7) % 135
		if minutes < 45 {
			minutes = 0
		} else {
			minutes -= 45
		}
		emit(leaked[i%len(leaked)], minutes)
	}
	return bw.Flush()
}

// split cuts the capture into its goroutines: those created by the
// program's main package are the leaked ones, the others the service's.
func split(text string) (service, leaked []block, err error) {
	for _, chunk := range strings.Split(strings.TrimSpace(text), "\n\n") {
		header, body, ok := strings.Cut(chunk, "\n")
		if !ok {
			return nil, nil, fmt.Errorf("gendump: capture: a goroutine without frames: %q", header)
		}
		open, close := strings.IndexByte(header, '['), strings.LastIndexByte(header, ']')
		if !strings.HasPrefix(header, "goroutine ") || open < 0 || close < open {
			return nil, nil, fmt.Errorf("gendump: capture: not a goroutine header: %q", header)
		}
		parts := strings.Split(header[open+1:close], ", ")
		b := block{state: parts[0], body: body + "\n"}
		for _, p := range parts[1:] {
			if !strings.HasSuffix(p, " minutes") && !strings.HasSuffix(p, " minute") {
				b.flags = append(b.flags, p)
			}
		}
		if strings.Contains(body, "\ncreated by main.") {
			leaked = append(leaked, b)
		} else {
			b.id = strings.TrimSpace(header[len("goroutine "):open])
			service = append(service, b)
		}
	}
	if len(leaked) == 0 {
		return nil, nil, errors.New("gendump: capture: no goroutine created by main")
	}
	return service, leaked, nil
}

// permutation returns a bijection of [0, m) that scatters neighbours,
// in constant memory: a four-round Feistel network on the smallest even
// number of bits that holds m, applied again to a result of m or more
// (cycle walking; at most four times as many rounds on average).
func permutation(m int) func(int) int {
	bits := 2
	for 1<<bits < m {
		bits += 2
	}
	half := uint(bits / 2)
	mask := uint64(1)<<half - 1
	return func(i int) int {
		x := uint64(i)
		for {
			l, r := x>>half, x&mask
			for round := range uint64(4) {
				f := ((r+round)*0x9E3779B97F4A7C15 ^ round*0xBF58476D1CE4E5B9) >> 40 & mask
				l, r = r, l^f
			}
			x = l<<half | r
			if x < uint64(m) {
				return int(x)
			}
		}
	}
}
