// Package baseline records the findings a code base has when it adopts
// silentfail, so that later runs report only the findings that are new.
//
// A finding is known by its fingerprint (checkrun.Fingerprint: the
// check, the file, the enclosing function and the message with its
// numbers blanked), so it stays known when lines move above it or its
// own line moves. Findings alike in all of these are counted: a
// baseline holding two of them keeps two quiet, and a third is new.
package baseline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/silentfail/silentfail/internal/atomicfile"
	"github.com/silentfail/silentfail/internal/checkrun"
)

// version is the format of the file; a file of another version is an
// error rather than a silent mismatch.
const version = 1

// A File is a baseline as stored: JSON, one entry per finding, with the
// fields a reviewer reads beside the fingerprint.
type File struct {
	Version  int     `json:"version"`
	Findings []Entry `json:"findings"`
}

// An Entry is one finding of the baseline.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Check       string `json:"check"`
	File        string `json:"file"` // slash-separated, relative to the baseline's directory
	Line        int    `json:"line"` // when it was recorded; not used to match
	Message     string `json:"message"`
}

// Read reads the baseline at path. A missing file is reported as an
// error satisfying errors.Is(err, fs.ErrNotExist).
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("baseline %s: not a silentfail baseline (%v)", path, err)
	}
	if f.Version != version {
		return nil, fmt.Errorf("baseline %s: format version %d, this silentfail reads version %d (write it again: remove it and run with -baseline)", path, f.Version, version)
	}
	return &f, nil
}

// New makes the baseline of findings, for a file at path.
func New(path string, findings []checkrun.Finding) *File {
	dir := filepath.Dir(path)
	f := &File{Version: version, Findings: []Entry{}}
	for _, fd := range findings {
		file := relative(dir, fd.Pos.Filename)
		f.Findings = append(f.Findings, Entry{
			Fingerprint: checkrun.Fingerprint(fd, file),
			Check:       fd.Check, File: file, Line: fd.Pos.Line, Message: fd.Message,
		})
	}
	return f
}

// Write stores the baseline at path through a temporary file, so that
// a failure leaves no partial file.
func (f *File) Write(path string) error {
	b, err := json.MarshalIndent(f, "", "\t")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, append(b, '\n')); err != nil {
		return fmt.Errorf("baseline %w", err)
	}
	return nil
}

// Counts returns how many findings the baseline holds per fingerprint.
func (f *File) Counts() map[string]int {
	left := make(map[string]int)
	for _, e := range f.Findings {
		left[e.Fingerprint]++
	}
	return left
}

// FingerprintFor is the fingerprint of fd in the baseline file at path.
func FingerprintFor(path string, fd checkrun.Finding) string {
	return checkrun.Fingerprint(fd, relative(filepath.Dir(path), fd.Pos.Filename))
}

// New returns the findings the baseline at path does not hold, in
// their order, and how many it held.
func (f *File) New(path string, findings []checkrun.Finding) (fresh []checkrun.Finding, known int) {
	left := f.Counts()
	for _, fd := range findings {
		fp := FingerprintFor(path, fd)
		if left[fp] > 0 {
			left[fp]--
			known++
			continue
		}
		fresh = append(fresh, fd)
	}
	return fresh, known
}

// relative names file from dir, slash-separated, so that a baseline
// committed with the code matches in every checkout of it.
func relative(dir, file string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if rel, err := filepath.Rel(dir, file); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(file)
}
