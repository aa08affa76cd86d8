package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
)

// diagnoseReport is the part of diagnose's -json output scored here.
type diagnoseReport struct {
	Groups []struct {
		Verdict string `json:"verdict"`
		Reason  string `json:"reason"`
		Culprit *struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"culprit"`
	} `json:"groups"`
}

// scoreDiagnose prints, per kernel, how its test ended (timeout,
// deadlock, returned) and whether a leak or suspect group of diagnose's
// report has its culprit on one of the kernel's bug lines ("named"),
// only elsewhere ("off"), or nowhere.
func scoreDiagnose(kernelsFile, dir, reports string, markdown bool, out io.Writer) error {
	kernels, err := readKernels(kernelsFile)
	if err != nil {
		return err
	}
	byEnding := map[string]*tally{}
	byShape := map[string]*tally{}
	total := &tally{}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if markdown {
		fmt.Fprintln(out, "| kernel | shape | test | diagnose |\n|---|---|---|---|")
	} else {
		fmt.Fprintln(tw, "kernel\tshape\ttest\tdiagnose")
	}
	for _, k := range kernels {
		base := filepath.Join(reports, strings.ReplaceAll(k.name, "/", "-"))
		ending := "no run"
		if b, err := os.ReadFile(base + ".ending"); err == nil {
			ending = strings.TrimSpace(string(b))
		}
		cell := "no report"
		if b, err := os.ReadFile(base + ".json"); err == nil && len(b) > 0 {
			var rep diagnoseReport
			if err := json.Unmarshal(b, &rep); err != nil {
				return fmt.Errorf("%s.json: %w", base, err)
			}
			named, off := "", 0
			for _, g := range rep.Groups {
				if g.Verdict != "leak" && g.Verdict != "suspect" || g.Culprit == nil {
					continue
				}
				inKernel := strings.HasPrefix(filepath.ToSlash(g.Culprit.File), filepath.ToSlash(filepath.Join(dir, k.name))+"/")
				if inKernel && k.lines[g.Culprit.Line] {
					if named == "" || g.Verdict == "leak" {
						named = g.Verdict
					}
				} else {
					off++
				}
			}
			switch {
			case named != "":
				cell = named
			default:
				cell = "-"
			}
			if off > 0 {
				cell += fmt.Sprintf(" +%d elsewhere", off)
			}
		}
		for _, t := range []*tally{total, get(byEnding, ending), get(byShape, k.shape)} {
			t.kernels++
			if strings.HasPrefix(cell, "leak") || strings.HasPrefix(cell, "suspect") {
				t.named++
			}
		}
		if markdown {
			fmt.Fprintf(out, "| %s | %s | %s | %s |\n", k.name, k.shape, ending, cell)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.name, k.shape, ending, cell)
		}
	}
	tw.Flush()
	fmt.Fprintf(out, "\nnamed on a bug line (leak or suspect): %d of %d kernels\n", total.named, total.kernels)
	for _, m := range []struct {
		title string
		t     map[string]*tally
	}{{"by how the test ended", byEnding}, {"by shape", byShape}} {
		fmt.Fprintln(out, m.title+":")
		keys := make([]string, 0, len(m.t))
		for k := range m.t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(out, "  %-16s %d of %d\n", k, m.t[k].named, m.t[k].kernels)
		}
	}
	return nil
}

type tally struct{ kernels, named int }

func get(m map[string]*tally, k string) *tally {
	if m[k] == nil {
		m[k] = &tally{}
	}
	return m[k]
}
