package a

import (
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// A pooled encoder written to as a stream without Reset: it still
// writes to the previous request's writer.
var streams sync.Pool

func compressTo(w io.Writer, src []byte) error {
	e, _ := streams.Get().(*zstd.Encoder)
	if e == nil {
		e, _ = zstd.NewWriter(w)
	}
	defer streams.Put(e)
	_, err := e.Write(src) // want `e from streams.Get\(\) is used before it is reset`
	return err
}
