package watch

import (
	"fmt"
	"io"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/diagnose/render"
	"github.com/silentfail/silentfail/goroutines"
)

// DiagnoseReport is the default ReportFunc: package diagnose's HTML
// report of one capture — its debug=2 dump (or its goroutine profile
// when the dump was left out) and its goroutineleak profile when there
// is one. One capture is one snapshot: the report says what can be
// concluded from it (wait times, goroutines blocked together, leaks the
// runtime proved) and what cannot (growth).
func DiagnoseReport(w io.Writer, captureDir string) error {
	snaps, err := goroutines.ReadDir(captureDir)
	if err != nil {
		return fmt.Errorf("watch: report: %w", err)
	}
	rep, err := diagnose.Analyze(snaps)
	if err != nil {
		return fmt.Errorf("watch: report of %s: %w", captureDir, err)
	}
	return render.HTML(w, rep)
}
