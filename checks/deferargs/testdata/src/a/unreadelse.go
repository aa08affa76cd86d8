package a

import (
	"log"

	"lib/progress"
)

func step() error { return nil }

// Rule "argument the callee never reads": Finish, a function of another
// package whose source is on disk, never looks at err; the func OneOff
// returns only hands it back.
func Signed() (err error) {
	defer progress.Finish("sign", err)
	done := progress.OneOff("sign")
	defer done(err)
	err = step()
	return err
}

// Reported: Record, of another package, reads its argument.
func Recorded() (err error) {
	defer progress.Record(err) // want `deferred progress.Record\(err\) receives err as it is now \(nil\)`
	err = step()
	return err
}

// Reported: the func Step returns logs the error.
func Stepped() (err error) {
	done := progress.Step("load")
	defer done(err) // want `deferred done\(err\) receives err as it is now \(nil\)`
	err = step()
	return err
}

// Reported: one of the funcs Either returns reads the error.
func EitherWay(quiet bool) (err error) {
	done := progress.Either(quiet)
	defer done(err) // want `deferred done\(err\) receives err as it is now \(nil\)`
	err = step()
	return err
}

// Reported: the func value is replaced after the defer statement is
// written for another one, so the code it runs is not known.
func Replaced(quiet bool) (err error) {
	done := progress.OneOff("x")
	if quiet {
		done = func(e error) error { log.Println(e); return e }
	}
	defer done(err) // want `deferred done\(err\) receives err as it is now \(nil\)`
	err = step()
	return err
}

// Reported: a stand-in of another package may be filled in later, a
// body built only for one platform has variants that may read err, and
// a name declared again in the body is taken for the parameter.
func Elsewhere() (err error) {
	defer progress.Ignore(err)   // want `deferred progress.Ignore\(err\) receives err as it is now \(nil\)`
	defer progress.Flush(err)    // want `deferred progress.Flush\(err\) receives err as it is now \(nil\)`
	defer progress.Shadowed(err) // want `deferred progress.Shadowed\(err\) receives err as it is now \(nil\)`
	err = step()
	return err
}

type byteBuffer interface {
	Release(e error) error
}

type linkBuffer struct{ data []byte }

func (b *linkBuffer) Release(e error) error {
	b.data = nil
	return e
}

type loggedBuffer struct{ data []byte }

func (b *loggedBuffer) Release(e error) error {
	log.Println("release:", e)
	return nil
}

func newLinkBuffer() byteBuffer { return &linkBuffer{} }

func newBuffer(logged bool) byteBuffer {
	if logged {
		return &loggedBuffer{}
	}
	return &linkBuffer{}
}

func maybeBuffer(ok bool) byteBuffer {
	if !ok {
		return nil
	}
	return &linkBuffer{}
}

// Rule "argument the callee never reads": the interface value comes
// from newLinkBuffer, which always returns a *linkBuffer, whose Release
// hands its argument back unread.
func Encoded() (err error) {
	buf := newLinkBuffer()
	defer buf.Release(err)
	err = step()
	return err
}

// Reported: newBuffer returns one of two types, and the other one's
// Release reads the error; maybeBuffer may return nil.
func EncodedEither(logged bool) (err error) {
	buf := newBuffer(logged)
	defer buf.Release(err) // want `deferred buf.Release\(err\) receives err as it is now \(nil\)`
	other := maybeBuffer(logged)
	defer other.Release(err) // want `deferred other.Release\(err\) receives err as it is now \(nil\)`
	err = step()
	return err
}
