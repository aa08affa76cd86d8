// Package errors stands for an error package with wrapping helpers.
package errors

type withMessage struct {
	msg   string
	cause error
}

func (w *withMessage) Error() string { return w.msg + ": " + w.cause.Error() }

// Wrap returns nil for a nil err, a non-nil error otherwise.
func Wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	return &withMessage{msg, err}
}
