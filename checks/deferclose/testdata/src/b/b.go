// Deferred Close calls that drop the error of something written to, in
// functions that return an error.
package b

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/smtp"
	"os"
	"path/filepath"
)

func Save(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred f\.Close\(\) drops the error of a file opened for writing \(os\.Create\): if the written data fails to reach the disk at Close \(full disk, quota, NFS\), Save still reports success \(check f\.Close\(\) on the success path, or join its error into a named error result in a deferred closure\)`
	_, err = f.Write(data)
	return err
}

func AppendLog(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred f\.Close\(\) drops the error of a file opened for writing \(os\.OpenFile for writing\)`
	_, err = fmt.Fprintln(f, line)
	return err
}

// The Flush of the bufio.Writer is checked, but the Close underneath
// can still fail.
func WriteLines(path string, lines []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred f\.Close\(\) drops the error`
	w := bufio.NewWriter(f)
	for _, l := range lines {
		if _, err := w.WriteString(l + "\n"); err != nil {
			return err
		}
	}
	return w.Flush()
}

// Both the file and the gzip writer over it.
func Compress(path string, r io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred f\.Close\(\) drops the error of a file opened for writing`
	zw := gzip.NewWriter(f)
	defer zw.Close() // want `deferred zw\.Close\(\) drops its error, but Close of a gzip\.Writer writes the last compressed block and the gzip footer: if that write fails the output is truncated, Compress still reports success`
	_, err = io.Copy(zw, r)
	return err
}

func Archive(w io.Writer, files map[string][]byte) error {
	zw := zip.NewWriter(w)
	defer zw.Close() // want `deferred zw\.Close\(\) drops its error, but Close of a zip\.Writer writes the central directory: if that write fails the archive cannot be opened`
	for name, data := range files {
		fw, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return nil
}

func Tarball(w io.Writer, name string, data []byte) error {
	tw := tar.NewWriter(w)
	defer tw.Close() // want `deferred tw\.Close\(\) drops its error, but Close of a tar\.Writer`
	if err := tw.WriteHeader(&tar.Header{Name: name, Size: int64(len(data)), Mode: 0o644}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// A method on a pointer receiver.
type Store struct {
	dir  string
	data map[string]string
}

func (s *Store) Flush() error {
	f, err := os.Create(filepath.Join(s.dir, "store.json"))
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred f\.Close\(\) drops the error of a file opened for writing \(os\.Create\): .* Flush still reports success`
	return json.NewEncoder(f).Encode(s.data)
}

// In a deferred function literal, unconditionally or under a nil check.
func SaveClosure(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { // want `deferred f\.Close\(\) drops the error`
		f.Close()
	}()
	_, err = f.Write(data)
	return err
}

func SaveNilCheck(path string, data []byte) error {
	var f *os.File
	defer func() { // want `deferred f\.Close\(\) drops the error`
		if f != nil {
			f.Close()
		}
	}()
	var err error
	f, err = os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// The atomic-write pattern without Sync or a checked Close: the rename
// can publish a file whose data never made it to disk. The removal only
// happens on failure.
func WriteAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer tmp.Close() // want `deferred tmp\.Close\(\) drops the error of a file opened for writing \(os\.CreateTemp\)`
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// A function literal that returns an error.
func CopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, filepath.Base(p)))
		if err != nil {
			return err
		}
		defer out.Close() // want `deferred out\.Close\(\) drops the error of a file opened for writing \(os\.Create\): .* the function literal still reports success`
		_, err = io.Copy(out, in)
		return err
	})
}

// Generics.
func WriteAll[T any](path string, items []T, enc func(io.Writer, T) error) error {
	var f, err = os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred f\.Close\(\) drops the error`
	for _, it := range items {
		if err := enc(f, it); err != nil {
			return err
		}
	}
	return nil
}

func SendMail(c *smtp.Client, body []byte) error {
	w, err := c.Data()
	if err != nil {
		return err
	}
	defer w.Close() // want `deferred w\.Close\(\) drops its error, but Close of the smtp\.Client\.Data writer ends the message and reads the server's reply: if the server rejects the mail, SendMail still reports success`
	_, err = w.Write(body)
	return err
}

// O_RDWR counts as writing.
func Patch(path string, off int64, b []byte) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred f\.Close\(\) drops the error`
	_, err = f.WriteAt(b, off)
	return err
}

// "-" means standard output; the file is closed only when it was created.
func Export(out string, entries map[string][]byte) error {
	var f *os.File
	var err error
	if out == "-" {
		f = os.Stdout
	} else {
		f, err = os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close() // want `deferred f\.Close\(\) drops the error`
	}
	tw := tar.NewWriter(f)
	for name, data := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: name, Size: int64(len(data)), Mode: 0o600}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	return tw.Close()
}
