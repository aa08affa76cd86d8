// Command goker scores silentfail, go vet and staticcheck on GoBench's
// GoKer blocking kernels: for each kernel, whether a tool's finding
// points at the described bug (a line of kernels.tsv's bug_lines), and
// which findings point elsewhere. run.sh builds the tools and calls it;
// see there.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

type kernel struct {
	name, shape, scope, description string
	lines                           map[int]bool
}

type finding struct {
	tool, check, file string
	line              int
	message           string
}

func main() {
	kernelsFile := flag.String("kernels", "bench/goker/kernels.tsv", "the kernel table")
	dir := flag.String("dir", "", "the module holding the kernels, as project/id/*_test.go")
	markdown := flag.Bool("markdown", false, "print the per-kernel table as Markdown (for the README)")
	reports := flag.String("reports", "", "score diagnose instead: the directory of per-kernel reports diagnose.sh wrote (project-id.json, project-id.ending)")
	var inputs []string
	flag.Func("findings", "TOOL=FILE: a tool's JSON output (silentfail, vet, staticcheck); repeatable", func(s string) error {
		inputs = append(inputs, s)
		return nil
	})
	flag.Parse()
	if *reports != "" {
		if err := scoreDiagnose(*kernelsFile, *dir, *reports, *markdown, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "goker:", err)
			os.Exit(2)
		}
		return
	}
	if err := run(*kernelsFile, *dir, inputs, *markdown, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "goker:", err)
		os.Exit(2)
	}
}

func run(kernelsFile, dir string, inputs []string, markdown bool, out io.Writer) error {
	kernels, err := readKernels(kernelsFile)
	if err != nil {
		return err
	}
	var tools []string
	var all []finding
	for _, in := range inputs {
		tool, file, ok := strings.Cut(in, "=")
		if !ok {
			return fmt.Errorf("-findings %q: want TOOL=FILE", in)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("reading %s findings: %w", tool, err)
		}
		fs, err := parse(tool, b)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		tools = append(tools, tool)
		all = append(all, fs...)
	}
	// Attribute each finding to its kernel by directory: project/id.
	byKernel := map[string][]finding{}
	for _, f := range all {
		rel, err := filepath.Rel(dir, f.file)
		if err != nil {
			continue
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) < 3 {
			continue
		}
		byKernel[parts[0]+"/"+parts[1]] = append(byKernel[parts[0]+"/"+parts[1]], f)
	}
	type score struct{ caught, off int }
	total := map[string]*score{}
	byShape := map[string]map[string]*score{}
	shapeCount := map[string]int{}
	for _, t := range tools {
		total[t] = &score{}
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if markdown {
		fmt.Fprintf(out, "| kernel | shape | %s |\n|---|---|%s\n", strings.Join(tools, " | "), strings.Repeat("---|", len(tools)))
	} else {
		fmt.Fprintf(tw, "kernel\tshape\t%s\n", strings.Join(tools, "\t"))
	}
	var offs []string
	for _, k := range kernels {
		shapeCount[k.shape]++
		var cells []string
		for _, t := range tools {
			caught, off := false, 0
			for _, f := range byKernel[k.name] {
				if f.tool != t {
					continue
				}
				if k.lines[f.line] {
					caught = true
				} else {
					off++
					offs = append(offs, fmt.Sprintf("%s %s %s:%d (%s): %s", t, k.name, filepath.Base(f.file), f.line, f.check, f.message))
				}
			}
			cell := "-"
			if caught {
				cell = "caught"
				total[t].caught++
				if byShape[k.shape] == nil {
					byShape[k.shape] = map[string]*score{}
				}
				if byShape[k.shape][t] == nil {
					byShape[k.shape][t] = &score{}
				}
				byShape[k.shape][t].caught++
			}
			if off > 0 {
				cell += fmt.Sprintf(" +%d off", off)
				total[t].off += off
			}
			cells = append(cells, cell)
		}
		if markdown {
			fmt.Fprintf(out, "| %s | %s | %s |\n", k.name, k.shape, strings.Join(cells, " | "))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", k.name, k.shape, strings.Join(cells, "\t"))
		}
	}
	tw.Flush()
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "shape\tkernels\t%s\n", strings.Join(tools, "\t"))
	var shapes []string
	for s := range shapeCount {
		shapes = append(shapes, s)
	}
	sort.Strings(shapes)
	for _, s := range shapes {
		var cells []string
		for _, t := range tools {
			n := 0
			if sc := byShape[s][t]; sc != nil {
				n = sc.caught
			}
			cells = append(cells, strconv.Itoa(n))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", s, shapeCount[s], strings.Join(cells, "\t"))
	}
	var cells []string
	for _, t := range tools {
		cells = append(cells, fmt.Sprintf("%d (%d off)", total[t].caught, total[t].off))
	}
	fmt.Fprintf(tw, "total\t%d\t%s\n", len(kernels), strings.Join(cells, "\t"))
	tw.Flush()
	if len(offs) > 0 {
		fmt.Fprintln(out, "\nfindings not at the kernel's bug:")
		for _, o := range offs {
			fmt.Fprintln(out, "  "+o)
		}
	}
	return nil
}

func readKernels(path string) ([]kernel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []kernel
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 5 {
			return nil, fmt.Errorf("%s:%d: want 5 tab-separated columns, have %d", path, n, len(cols))
		}
		k := kernel{name: cols[0], shape: cols[1], scope: cols[3], description: cols[4], lines: map[int]bool{}}
		for _, l := range strings.Split(cols[2], ",") {
			i, err := strconv.Atoi(strings.TrimSpace(l))
			if err != nil {
				return nil, fmt.Errorf("%s:%d: bug line %q is not a number", path, n, l)
			}
			k.lines[i] = true
		}
		out = append(out, k)
	}
	return out, sc.Err()
}

// parse reads the JSON a tool printed: the go/analysis form
// ({"pkg": {"analyzer": [{"posn": "file:line:col", "message": ...}]}},
// possibly several, after "# pkg" lines, as go vet -json prints it) or
// staticcheck's one object per line.
func parse(tool string, b []byte) ([]finding, error) {
	var out []finding
	if tool == "staticcheck" {
		dec := json.NewDecoder(bytes.NewReader(b))
		for {
			var d struct {
				Code     string
				Location struct {
					File string
					Line int
				}
				Message string
			}
			if err := dec.Decode(&d); errors.Is(err, io.EOF) {
				return out, nil
			} else if err != nil {
				return nil, err
			}
			if d.Code == "compile" {
				continue
			}
			out = append(out, finding{tool, d.Code, d.Location.File, d.Location.Line, d.Message})
		}
	}
	// Keep the JSON: drop "# pkg" headers and any other line a tool
	// printed beside it (JSON lines start with a brace, a quote or
	// indentation).
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.ContainsAny(l[:1], "{}\" \t") {
			lines = append(lines, l)
		}
	}
	dec := json.NewDecoder(strings.NewReader(strings.Join(lines, "\n")))
	for {
		var m map[string]map[string]json.RawMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		for _, checks := range m {
			for check, raw := range checks {
				var ds []struct{ Posn, Message string }
				if json.Unmarshal(raw, &ds) != nil {
					continue // {"error": ...} for a package that did not load
				}
				for _, d := range ds {
					file, line := splitPosn(d.Posn)
					out = append(out, finding{tool, check, file, line, d.Message})
				}
			}
		}
	}
}

// splitPosn splits "file:line:col" (the file may hold colons).
func splitPosn(p string) (string, int) {
	i := strings.LastIndex(p, ":")
	if i < 0 {
		return p, 0
	}
	j := strings.LastIndex(p[:i], ":")
	if j < 0 {
		return p, 0
	}
	line, _ := strconv.Atoi(p[j+1 : i])
	return p[:j], line
}
