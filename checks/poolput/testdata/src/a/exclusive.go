package a

import "sync"

type codec int

const (
	video codec = iota
	audio
)

var videoBufs, audioBufs sync.Pool

type track struct {
	kind   codec
	buf    *[]byte
	closed bool
	onEnd  func()
}

func (t *track) reset() { t.kind = audio }

// Rule "exclusive conditions": a path that entered the video branch
// cannot enter the audio one, since t.kind is not written in between:
// the buffer goes back once.
func (t *track) okClose() {
	if t.buf != nil && t.kind == video {
		videoBufs.Put(t.buf)
	}
	if t.buf != nil && t.kind == audio {
		audioBufs.Put(t.buf)
	}
	t.closed = true
}

// Rule "exclusive conditions", with a local variable: a call in between
// cannot change it, as nothing takes its address.
func okRelease(buf *[]byte, kind codec, log func(string)) {
	if kind == video {
		videoBufs.Put(buf)
		log("video")
	}
	if kind != video {
		audioBufs.Put(buf)
	}
}

// Rule "exclusive conditions", in an else-if chain written as two ifs
// over a negation.
func okReleaseNot(buf *[]byte, kind codec) {
	if !(kind != audio) {
		audioBufs.Put(buf)
	}
	if kind == video || kind == codec(7) {
		videoBufs.Put(buf)
	}
}

var onVideoDone func()

// Reported: the call between the two ifs may change t.kind (the hook
// may call t.reset), so both branches can run on one path.
func (t *track) closeAfterHook() {
	if t.kind == video {
		videoBufs.Put(t.buf)
		onVideoDone()
	}
	if t.kind == audio {
		audioBufs.Put(t.buf) // want `t.buf is put back a second time on this path`
	}
}

// Reported: the second condition does not exclude the first.
func (t *track) closeTwice() {
	if t.kind == video {
		videoBufs.Put(t.buf)
	}
	if t.buf != nil {
		audioBufs.Put(t.buf) // want `t.buf is put back a second time on this path`
	}
}

// Reported: kind is written between the two ifs.
func releaseSwitched(buf *[]byte, kind codec) {
	if kind == video {
		videoBufs.Put(buf)
		kind = audio
	}
	if kind == audio {
		audioBufs.Put(buf) // want `buf is put back a second time on this path`
	}
}

// Reported: a function literal may assign kind, so a call may change it.
func releaseHooked(buf *[]byte, kind codec) {
	flip := func() { kind = audio }
	if kind == video {
		videoBufs.Put(buf)
		flip()
	}
	if kind == audio {
		audioBufs.Put(buf) // want `buf is put back a second time on this path`
	}
}

// Reported: kind is written inside the first branch, before the Put.
func releaseRewritten(buf *[]byte, kind codec) {
	if kind == video {
		kind = audio
		videoBufs.Put(buf)
	}
	if kind == audio {
		audioBufs.Put(buf) // want `buf is put back a second time on this path`
	}
}
