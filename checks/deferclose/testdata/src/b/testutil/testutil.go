// Package testutil is test support: its path says only tests use it.
package testutil

import "os"

// WriteFile writes a fixture. Rule "test code": not reported.
func WriteFile(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(data)
	return err
}
