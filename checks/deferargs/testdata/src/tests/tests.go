package tests

import "log"

func do(name string) error { return nil }

// Production code is reported in every form.
func Serve(name string) (err error) {
	defer log.Println(name, err) // want `deferred [a-zA-Z.]+\(name, err\) receives err as it is now \(nil\)`
	err = do(name)
	return err
}
