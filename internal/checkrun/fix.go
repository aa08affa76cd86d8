package checkrun

import (
	"bytes"
	"cmp"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"slices"
)

// A FileChange is the new content of one file after fixes.
type FileChange struct {
	Filename string
	Old, New []byte
}

// FixPlan is the outcome of merging the suggested fixes of findings.
type FixPlan struct {
	Changes []FileChange // files whose content changes, by name
	Fixed   []Finding    // findings whose first fix is applied
	Skipped []Finding    // findings with a fix that conflicts with another, or breaks the file
}

// PlanFixes merges the first suggested fix of every finding. A fix
// whose edits overlap an edit already accepted is skipped whole (two
// identical edits are one), so every applied fix is applied entirely.
// A file whose result is not valid Go is left unchanged and its fixes
// are reported as skipped.
func PlanFixes(findings []Finding) (*FixPlan, error) {
	plan := &FixPlan{}
	accepted := make(map[string][]Edit)
	owners := make(map[string][]int) // file -> indexes in plan.Fixed
	for _, f := range findings {
		if len(f.Fixes) == 0 {
			continue
		}
		fix := f.Fixes[0]
		if conflicts(accepted, fix.Edits) {
			plan.Skipped = append(plan.Skipped, f)
			continue
		}
		for _, e := range fix.Edits {
			if !slices.Contains(accepted[e.Filename], e) {
				accepted[e.Filename] = append(accepted[e.Filename], e)
			}
			if !slices.Contains(owners[e.Filename], len(plan.Fixed)) {
				owners[e.Filename] = append(owners[e.Filename], len(plan.Fixed))
			}
		}
		plan.Fixed = append(plan.Fixed, f)
	}

	broken := make(map[int]bool)
	names := make([]string, 0, len(accepted))
	for name := range accepted {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		old, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("applying fixes: %w", err)
		}
		out, err := apply(old, accepted[name])
		if err == nil {
			out, err = format.Source(out)
		}
		if err != nil {
			for _, i := range owners[name] {
				broken[i] = true
			}
			continue
		}
		if !bytes.Equal(old, out) {
			plan.Changes = append(plan.Changes, FileChange{Filename: name, Old: old, New: out})
		}
	}
	if len(broken) > 0 {
		// A fix that spans several files is all or nothing; drop the
		// files it touched from the plan and recompute would be
		// complex, so a file with one bad fix keeps none of its fixes.
		var fixed []Finding
		for i, f := range plan.Fixed {
			if broken[i] {
				plan.Skipped = append(plan.Skipped, f)
			} else {
				fixed = append(fixed, f)
			}
		}
		plan.Fixed = fixed
	}
	return plan, nil
}

func conflicts(accepted map[string][]Edit, edits []Edit) bool {
	for _, e := range edits {
		for _, a := range accepted[e.Filename] {
			if a == e {
				continue
			}
			overlap := e.Start < a.End && a.Start < e.End
			sameInsertion := e.Start == e.End && a.Start == a.End && e.Start == a.Start
			if overlap || sameInsertion || (e.Start == e.End && a.Start < e.Start && e.Start < a.End) {
				return true
			}
		}
	}
	return false
}

func apply(src []byte, edits []Edit) ([]byte, error) {
	edits = slices.Clone(edits)
	slices.SortFunc(edits, func(a, b Edit) int { return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End)) })
	var out bytes.Buffer
	last := 0
	for _, e := range edits {
		if e.Start < last || e.End > len(src) || e.Start > e.End {
			return nil, fmt.Errorf("%s: edit [%d,%d) out of range", e.Filename, e.Start, e.End)
		}
		out.Write(src[last:e.Start])
		out.WriteString(e.New)
		last = e.End
	}
	out.Write(src[last:])
	return out.Bytes(), nil
}

// Write replaces each changed file atomically (a temporary file in the
// same directory, renamed over the original), keeping its permissions.
// A file changed on disk since it was read is not touched.
func (p *FixPlan) Write() error {
	for _, c := range p.Changes {
		info, err := os.Stat(c.Filename)
		if err != nil {
			return err
		}
		cur, err := os.ReadFile(c.Filename)
		if err != nil {
			return err
		}
		if !bytes.Equal(cur, c.Old) {
			return fmt.Errorf("%s changed while it was being analyzed; not fixed", c.Filename)
		}
		tmp, err := os.CreateTemp(filepath.Dir(c.Filename), "."+filepath.Base(c.Filename)+".silentfail-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(c.New)
		cerr := tmp.Close()
		if err := cmp.Or(werr, cerr, os.Chmod(tmp.Name(), info.Mode().Perm())); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("writing %s: %w", c.Filename, err)
		}
		if err := os.Rename(tmp.Name(), c.Filename); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("writing %s: %w", c.Filename, err)
		}
	}
	return nil
}
