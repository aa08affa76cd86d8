// Package sarif turns findings into a SARIF 2.1.0 log, the format code
// scanning services (GitHub, GitLab, Azure DevOps) import.
//
// Only the part of the format silentfail has something to say in is
// modelled: one run, the checks as rules, results with their locations,
// related locations, fingerprints and fixes.
package sarif

import (
	"encoding/json"
	"go/token"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/silentfail/silentfail/internal/checkrun"
)

// Version and SchemaURI identify the format written.
const (
	Version   = "2.1.0"
	SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
)

// SrcRoot is the uriBaseId of relative artifact locations: the
// directory silentfail ran in, usually the repository's root.
const SrcRoot = "%SRCROOT%"

// fingerprintKey names silentfail's partial fingerprint; the version
// suffix changes if the way it is computed ever does.
const fingerprintKey = "silentfail/v1"

// Log is a SARIF log file.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one run of the tool.
type Run struct {
	Tool               Tool                        `json:"tool"`
	OriginalURIBaseIDs map[string]ArtifactLocation `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                      `json:"columnKind"`
	Results            []Result                    `json:"results"`
	Invocations        []Invocation                `json:"invocations,omitempty"`
}

// Invocation says whether the run covered everything it was asked to:
// packages that did not type-check are notifications of level error,
// and executionSuccessful is false, so that a code scanning service
// does not take a partial run for a clean one.
type Invocation struct {
	ExecutionSuccessful        bool           `json:"executionSuccessful"`
	ToolExecutionNotifications []Notification `json:"toolExecutionNotifications,omitempty"`
}

// Notification is a message about the run itself, not about the code.
type Notification struct {
	Level   string  `json:"level"`
	Message Message `json:"message"`
}

// Tool describes silentfail and its rules.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver is the tool component that produced the results.
type Driver struct {
	Name           string `json:"name"`
	InformationURI string `json:"informationUri,omitempty"`
	Version        string `json:"version,omitempty"`
	Rules          []Rule `json:"rules"`
}

// Rule is a reportingDescriptor: one check.
type Rule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     *Message       `json:"shortDescription,omitempty"`
	FullDescription      *Message       `json:"fullDescription,omitempty"`
	Help                 *Message       `json:"help,omitempty"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration *Configuration `json:"defaultConfiguration,omitempty"`
}

// Configuration is a rule's default reporting configuration.
type Configuration struct {
	Level string `json:"level"`
}

// Message is a multiformatMessageString or a message.
type Message struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// Result is one finding.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Message           `json:"message"`
	Locations           []Location        `json:"locations"`
	RelatedLocations    []Location        `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Fixes               []Fix             `json:"fixes,omitempty"`
}

// Location is a place in a file, with an optional message.
type Location struct {
	ID               *int             `json:"id,omitempty"`
	PhysicalLocation PhysicalLocation `json:"physicalLocation"`
	Message          *Message         `json:"message,omitempty"`
}

// PhysicalLocation is a region of an artifact.
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

// ArtifactLocation names a file: a URI relative to UriBaseID, or an
// absolute file URI.
type ArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// Region is a span of a file: lines and columns (in the run's column
// kind) for results, a byte span for fixes.
type Region struct {
	StartLine   int  `json:"startLine,omitempty"`
	StartColumn int  `json:"startColumn,omitempty"`
	EndLine     int  `json:"endLine,omitempty"`
	EndColumn   int  `json:"endColumn,omitempty"`
	ByteOffset  *int `json:"byteOffset,omitempty"`
	ByteLength  *int `json:"byteLength,omitempty"`
}

// Fix is a suggested fix: replacements in one or more files.
type Fix struct {
	Description     Message          `json:"description"`
	ArtifactChanges []ArtifactChange `json:"artifactChanges"`
}

// ArtifactChange is the replacements of one file.
type ArtifactChange struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Replacements     []Replacement    `json:"replacements"`
}

// Replacement replaces a byte span with new text.
type Replacement struct {
	DeletedRegion   Region           `json:"deletedRegion"`
	InsertedContent *ArtifactContent `json:"insertedContent,omitempty"`
}

// ArtifactContent is inserted text.
type ArtifactContent struct {
	Text string `json:"text"`
}

// A Check is what the log says about one check: its rule.
type Check struct {
	Name string
	Doc  string // "name: title", a blank line, then the description
	URL  string
}

// Options says where the results come from.
type Options struct {
	Root           string // paths below it are written relative to SrcRoot; "" means the current directory
	Version        string // silentfail's version
	InformationURI string
	Skipped        []checkrun.BrokenPackage // packages not analyzed: they do not type-check
}

// New builds the log of one run of checks that reported findings.
// Findings of a check missing from checks (the ignore pseudo-check)
// get a rule of their own with only an ID.
func New(checks []Check, findings []checkrun.Finding, opts Options) *Log {
	root := opts.Root
	if root == "" {
		root, _ = os.Getwd()
	}
	b := &builder{root: root, lines: map[string][]string{}}
	run := Run{
		Tool: Tool{Driver: Driver{Name: "silentfail", InformationURI: opts.InformationURI, Version: opts.Version,
			Rules: []Rule{}}},
		ColumnKind: "utf16CodeUnits",
		Results:    []Result{},
	}
	if root != "" {
		run.OriginalURIBaseIDs = map[string]ArtifactLocation{SrcRoot: {URI: dirURI(root)}}
	}
	index := map[string]int{}
	addRule := func(r Rule) {
		index[r.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, r)
	}
	for _, c := range checks {
		addRule(rule(c))
	}
	prints := checkrun.Fingerprints(findings, func(f checkrun.Finding) string { return b.artifact(f.Pos.Filename).URI })
	for i, f := range findings {
		if _, ok := index[f.Check]; !ok {
			addRule(Rule{ID: f.Check, Name: f.Check, DefaultConfiguration: &Configuration{Level: "warning"}})
		}
		res := Result{
			RuleID:    f.Check,
			RuleIndex: index[f.Check],
			Level:     "warning",
			Message:   Message{Text: f.Message},
			Locations: []Location{b.location(f.Pos, f.End)},
		}
		for i, r := range f.Related {
			l := b.location(r.Pos, r.End)
			id := i + 1
			l.ID, l.Message = &id, &Message{Text: r.Message}
			res.RelatedLocations = append(res.RelatedLocations, l)
		}
		res.PartialFingerprints = map[string]string{fingerprintKey: prints[i]}
		for _, fx := range f.Fixes {
			res.Fixes = append(res.Fixes, b.fix(fx))
		}
		run.Results = append(run.Results, res)
	}
	inv := Invocation{ExecutionSuccessful: len(opts.Skipped) == 0}
	for _, p := range opts.Skipped {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, Notification{
			Level:   "error",
			Message: Message{Text: "package " + p.Package + " does not type-check, not analyzed: " + strings.Join(p.Errors, "; ")},
		})
	}
	run.Invocations = []Invocation{inv}
	return &Log{Schema: SchemaURI, Version: Version, Runs: []Run{run}}
}

// Write writes the log as indented JSON.
func (l *Log) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(l)
}

func rule(c Check) Rule {
	r := Rule{ID: c.Name, Name: c.Name, HelpURI: c.URL, DefaultConfiguration: &Configuration{Level: "warning"}}
	first, rest, _ := strings.Cut(c.Doc, "\n")
	title := strings.TrimPrefix(first, c.Name+": ")
	if title != "" {
		r.ShortDescription = &Message{Text: title}
	}
	if body := strings.TrimSpace(rest); body != "" {
		r.FullDescription = &Message{Text: body}
		// go doc comments indent code with a tab, which Markdown also
		// reads as a code block: the text serves as both.
		r.Help = &Message{Text: body, Markdown: body}
	}
	return r
}

type builder struct {
	root  string
	lines map[string][]string // file -> its lines, read once
}

// artifact returns the location of filename: relative to the root when
// below it, otherwise an absolute file URI.
func (b *builder) artifact(filename string) ArtifactLocation {
	if b.root != "" && filepath.IsAbs(filename) {
		if rel, err := filepath.Rel(b.root, filename); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return ArtifactLocation{URI: escapePath(filepath.ToSlash(rel)), URIBaseID: SrcRoot}
		}
	}
	if !filepath.IsAbs(filename) {
		return ArtifactLocation{URI: escapePath(filepath.ToSlash(filename))}
	}
	return ArtifactLocation{URI: fileURI(filename)}
}

func (b *builder) location(p, e token.Position) Location {
	loc := Location{PhysicalLocation: PhysicalLocation{ArtifactLocation: b.artifact(p.Filename)}}
	if p.Line > 0 {
		r := &Region{StartLine: p.Line, StartColumn: b.column(p.Filename, p.Line, p.Column)}
		if e.Line > 0 && e.Filename == p.Filename {
			r.EndLine, r.EndColumn = e.Line, b.column(e.Filename, e.Line, e.Column)
		}
		loc.PhysicalLocation.Region = r
	}
	return loc
}

// column converts a 1-based byte column into a 1-based UTF-16 column,
// SARIF's default column kind. Unreadable files keep the byte column.
func (b *builder) column(filename string, line, byteCol int) int {
	if byteCol <= 0 {
		return 0
	}
	lines, ok := b.lines[filename]
	if !ok {
		if src, err := os.ReadFile(filename); err == nil {
			lines = strings.Split(string(src), "\n")
		}
		b.lines[filename] = lines
	}
	if line-1 >= len(lines) {
		return byteCol
	}
	text := lines[line-1]
	n := min(byteCol-1, len(text))
	units := 0
	for _, r := range text[:n] {
		if r == utf8.RuneError {
			units++
			continue
		}
		units += utf16.RuneLen(r)
	}
	return units + 1 + (byteCol - 1 - n)
}

func (b *builder) fix(fx checkrun.Fix) Fix {
	var changes []ArtifactChange
	byFile := map[string]int{}
	edits := slices.Clone(fx.Edits)
	slices.SortStableFunc(edits, func(x, y checkrun.Edit) int {
		if c := strings.Compare(x.Filename, y.Filename); c != 0 {
			return c
		}
		return x.Start - y.Start
	})
	for _, e := range edits {
		i, ok := byFile[e.Filename]
		if !ok {
			i = len(changes)
			byFile[e.Filename] = i
			changes = append(changes, ArtifactChange{ArtifactLocation: b.artifact(e.Filename)})
		}
		off, length := e.Start, e.End-e.Start
		r := Replacement{DeletedRegion: Region{ByteOffset: &off, ByteLength: &length}}
		if e.New != "" {
			r.InsertedContent = &ArtifactContent{Text: e.New}
		}
		changes[i].Replacements = append(changes[i].Replacements, r)
	}
	return Fix{Description: Message{Text: fx.Message}, ArtifactChanges: changes}
}

// escapePath escapes each segment of a slash-separated path for a URI.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/...
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// dirURI is the file URI of a directory; SARIF requires the trailing
// slash of a base URI.
func dirURI(dir string) string {
	u := fileURI(dir)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}
