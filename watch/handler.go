package watch

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Handler returns an HTTP handler that lists the watcher's captures,
// newest first, with links to their files, and shows the report
// (WithReport) of the latest one. Mount it under a prefix with
// http.StripPrefix; its links are relative.
func (w *Watcher) Handler() http.Handler { return DirHandler(w.store.dir, w.cfg.report) }

// Handler returns the poller's capture page (see Watcher.Handler).
func (p *Poller) Handler() http.Handler { return DirHandler(p.store.dir, p.cfg.report) }

// DirHandler returns the capture page of the captures in dir, with
// report (nil: DiagnoseReport) for the latest one:
//
//	/                  the list, and the latest capture's report
//	/NAME/report       the report of capture NAME
//	/NAME/FILE         one file of capture NAME
func DirHandler(dir string, report ReportFunc) http.Handler {
	if report == nil {
		report = defaultReport
	}
	return &handler{dir: dir, report: report}
}

type handler struct {
	dir    string
	report ReportFunc
}

type pageCapture struct {
	Capture
	Meta *Meta
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>silentfail watch: captures</title>
<style>body{font-family:sans-serif;margin:1em 2em}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}pre{margin:0;white-space:pre-wrap}iframe{width:100%;height:70vh;border:1px solid #ccc}</style>
</head><body>
<h1>Captures in {{.Dir}}</h1>
{{if not .Captures}}<p>No capture yet.</p>{{else}}
<table><tr><th>time (UTC)</th><th>rule</th><th>reason</th><th>files</th><th>size</th></tr>
{{range .Captures}}<tr><td>{{.Time.Format "2006-01-02 15:04:05.000"}}</td><td>{{.Rule}}</td><td><pre>{{if .Meta}}{{.Meta.Reason}}{{end}}</pre></td>
<td>{{$name := .Name}}{{range .Files}}<a href="{{$name}}/{{.}}">{{.}}</a> {{end}}<a href="{{$name}}/report">report</a></td><td>{{.Bytes}}</td></tr>
{{end}}</table>
<h2>Latest capture: {{.Latest}}</h2>
<iframe src="{{.Latest}}/report" title="report of the latest capture"></iframe>
{{end}}
</body></html>
`))

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if path == "" {
		h.index(w)
		return
	}
	name, file, ok := strings.Cut(path, "/")
	if !ok || !captureName.MatchString(name) || strings.Contains(file, "/") {
		http.NotFound(w, r)
		return
	}
	caps, err := ListCaptures(h.dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	i := slices.IndexFunc(caps, func(c Capture) bool { return c.Name == name })
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	c := caps[i]
	if file == "report" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := h.report(w, c.Path); err != nil {
			fmt.Fprintf(w, "<p>report of %s failed: %s</p>", template.HTMLEscapeString(c.Name), template.HTMLEscapeString(err.Error()))
		}
		return
	}
	if !slices.Contains(c.Files, file) {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(file, ".txt") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	http.ServeFile(w, r, filepath.Join(c.Path, file))
}

func (h *handler) index(w http.ResponseWriter) {
	caps, err := ListCaptures(h.dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	slices.Reverse(caps)
	data := struct {
		Dir      string
		Captures []pageCapture
		Latest   string
	}{Dir: h.dir}
	for _, c := range caps {
		m, _ := ReadMeta(c.Path)
		data.Captures = append(data.Captures, pageCapture{c, m})
	}
	if len(caps) > 0 {
		data.Latest = caps[0].Name
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	indexPage.Execute(w, data)
}

var filesPage = template.Must(template.New("files").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Name}}</title></head><body>
<h1>{{.Name}}</h1>{{if .Meta}}<p>{{.Meta.Rule}}: {{.Meta.Reason}}</p>{{end}}
<ul>{{range .Files}}<li>{{.}}</li>{{end}}</ul>
</body></html>
`))

// ListFiles is a ReportFunc that lists the capture's files and its
// reason, with no analysis.
func ListFiles(w io.Writer, captureDir string) error {
	entries, err := os.ReadDir(captureDir)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	data := struct {
		Name  string
		Meta  *Meta
		Files []string
	}{Name: filepath.Base(captureDir)}
	data.Meta, _ = ReadMeta(captureDir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			data.Files = append(data.Files, fmt.Sprintf("%s (%d bytes)", e.Name(), info.Size()))
		}
	}
	return filesPage.Execute(w, data)
}

// defaultReport is the report used when none is set.
var defaultReport ReportFunc = DiagnoseReport
