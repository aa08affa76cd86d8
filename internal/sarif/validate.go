package sarif

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Validate checks a SARIF log against the 2.1.0 schema's required
// properties, types, enumerations and minimums, for every kind of
// object silentfail writes (and the common ones it does not). It is
// not a full JSON-schema validator: it exists so that a test fails
// when the log misses something a code scanning service insists on.
func Validate(data []byte) error {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("sarif: not JSON: %v", err)
	}
	v := &validator{}
	v.log(doc)
	if len(v.errs) > 0 {
		return fmt.Errorf("sarif: %s", v.errs[0])
	}
	return nil
}

type validator struct{ errs []string }

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...))
}

func (v *validator) object(path string, x any, required ...string) map[string]any {
	m, ok := x.(map[string]any)
	if !ok {
		v.fail(path, "want an object, got %T", x)
		return nil
	}
	for _, r := range required {
		if _, ok := m[r]; !ok {
			v.fail(path, "required property %q missing", r)
		}
	}
	return m
}

func (v *validator) array(path string, x any, minItems int) []any {
	a, ok := x.([]any)
	if !ok {
		v.fail(path, "want an array, got %T", x)
		return nil
	}
	if len(a) < minItems {
		v.fail(path, "want at least %d items, got %d", minItems, len(a))
	}
	return a
}

func (v *validator) str(path string, m map[string]any, key string, enum ...string) {
	x, ok := m[key]
	if !ok {
		return
	}
	s, ok := x.(string)
	if !ok {
		v.fail(path+"."+key, "want a string, got %T", x)
		return
	}
	if len(enum) > 0 && !slices.Contains(enum, s) {
		v.fail(path+"."+key, "%q is not one of %v", s, enum)
	}
}

func (v *validator) integer(path string, m map[string]any, key string, minimum int) {
	x, ok := m[key]
	if !ok {
		return
	}
	f, ok := x.(float64)
	if !ok || f != float64(int64(f)) {
		v.fail(path+"."+key, "want an integer, got %v", x)
		return
	}
	if int(f) < minimum {
		v.fail(path+"."+key, "%v is below the minimum %d", f, minimum)
	}
}

var levels = []string{"none", "note", "warning", "error"}

func (v *validator) log(x any) {
	m := v.object("log", x, "version", "runs")
	if m == nil {
		return
	}
	v.str("log", m, "version", Version)
	v.str("log", m, "$schema")
	for i, r := range v.array("log.runs", m["runs"], 0) {
		v.run(fmt.Sprintf("runs[%d]", i), r)
	}
}

func (v *validator) run(path string, x any) {
	m := v.object(path, x, "tool")
	if m == nil {
		return
	}
	v.str(path, m, "columnKind", "utf16CodeUnits", "unicodeCodePoints")
	rules := 0
	if tool := v.object(path+".tool", m["tool"], "driver"); tool != nil {
		if d := v.object(path+".tool.driver", tool["driver"], "name"); d != nil {
			v.str(path+".tool.driver", d, "name")
			v.str(path+".tool.driver", d, "version")
			v.str(path+".tool.driver", d, "informationUri")
			if rs, ok := d["rules"]; ok {
				list := v.array(path+".tool.driver.rules", rs, 0)
				rules = len(list)
				for i, r := range list {
					v.rule(fmt.Sprintf("%s.tool.driver.rules[%d]", path, i), r)
				}
			}
		}
	}
	if bases, ok := m["originalUriBaseIds"]; ok {
		if bm := v.object(path+".originalUriBaseIds", bases); bm != nil {
			for k, b := range bm {
				v.artifactLocation(path+".originalUriBaseIds."+k, b)
			}
		}
	}
	if is, ok := m["invocations"]; ok {
		for i, inv := range v.array(path+".invocations", is, 0) {
			ip := fmt.Sprintf("%s.invocations[%d]", path, i)
			im := v.object(ip, inv, "executionSuccessful")
			if im == nil {
				continue
			}
			if _, ok := im["executionSuccessful"].(bool); !ok {
				v.fail(ip+".executionSuccessful", "want a boolean")
			}
			if ns, ok := im["toolExecutionNotifications"]; ok {
				for j, n := range v.array(ip+".toolExecutionNotifications", ns, 0) {
					np := fmt.Sprintf("%s.toolExecutionNotifications[%d]", ip, j)
					if nm := v.object(np, n, "message"); nm != nil {
						v.str(np, nm, "level", "none", "note", "warning", "error")
						v.message(np+".message", nm["message"])
					}
				}
			}
		}
	}
	if rs, ok := m["results"]; ok {
		for i, r := range v.array(path+".results", rs, 0) {
			v.result(fmt.Sprintf("%s.results[%d]", path, i), r, rules)
		}
	}
}

func (v *validator) rule(path string, x any) {
	m := v.object(path, x, "id")
	if m == nil {
		return
	}
	v.str(path, m, "id")
	v.str(path, m, "name")
	v.str(path, m, "helpUri")
	for _, k := range []string{"shortDescription", "fullDescription", "help"} {
		if d, ok := m[k]; ok {
			v.multiformat(path+"."+k, d)
		}
	}
	if c, ok := m["defaultConfiguration"]; ok {
		if cm := v.object(path+".defaultConfiguration", c); cm != nil {
			v.str(path+".defaultConfiguration", cm, "level", levels...)
		}
	}
}

func (v *validator) multiformat(path string, x any) {
	if m := v.object(path, x, "text"); m != nil {
		v.str(path, m, "text")
		v.str(path, m, "markdown")
	}
}

func (v *validator) message(path string, x any) {
	m := v.object(path, x)
	if m == nil {
		return
	}
	_, text := m["text"]
	_, id := m["id"]
	if !text && !id {
		v.fail(path, "a message needs text or id")
	}
	v.str(path, m, "text")
}

func (v *validator) result(path string, x any, rules int) {
	m := v.object(path, x, "message")
	if m == nil {
		return
	}
	v.message(path+".message", m["message"])
	v.str(path, m, "ruleId")
	v.str(path, m, "level", levels...)
	v.integer(path, m, "ruleIndex", -1)
	if ri, ok := m["ruleIndex"].(float64); ok && int(ri) >= rules {
		v.fail(path+".ruleIndex", "%v points past the %d rules", ri, rules)
	}
	for _, k := range []string{"locations", "relatedLocations"} {
		if ls, ok := m[k]; ok {
			for i, l := range v.array(path+"."+k, ls, 0) {
				v.location(fmt.Sprintf("%s.%s[%d]", path, k, i), l)
			}
		}
	}
	if fp, ok := m["partialFingerprints"]; ok {
		if fm := v.object(path+".partialFingerprints", fp); fm != nil {
			for k := range fm {
				v.str(path+".partialFingerprints", fm, k)
			}
		}
	}
	if fs, ok := m["fixes"]; ok {
		for i, f := range v.array(path+".fixes", fs, 0) {
			v.fix(fmt.Sprintf("%s.fixes[%d]", path, i), f)
		}
	}
}

func (v *validator) location(path string, x any) {
	m := v.object(path, x)
	if m == nil {
		return
	}
	v.integer(path, m, "id", -1)
	if msg, ok := m["message"]; ok {
		v.message(path+".message", msg)
	}
	if p, ok := m["physicalLocation"]; ok {
		pm := v.object(path+".physicalLocation", p)
		if pm == nil {
			return
		}
		_, art := pm["artifactLocation"]
		_, addr := pm["address"]
		if !art && !addr {
			v.fail(path+".physicalLocation", "needs artifactLocation or address")
		}
		if a, ok := pm["artifactLocation"]; ok {
			v.artifactLocation(path+".physicalLocation.artifactLocation", a)
		}
		if r, ok := pm["region"]; ok {
			v.region(path+".physicalLocation.region", r)
		}
	}
}

func (v *validator) artifactLocation(path string, x any) {
	if m := v.object(path, x); m != nil {
		v.str(path, m, "uri")
		v.str(path, m, "uriBaseId")
	}
}

func (v *validator) region(path string, x any) {
	m := v.object(path, x)
	if m == nil {
		return
	}
	for _, k := range []string{"startLine", "startColumn", "endLine", "endColumn"} {
		v.integer(path, m, k, 1)
	}
	v.integer(path, m, "byteOffset", -1)
	v.integer(path, m, "byteLength", 0)
	v.integer(path, m, "charOffset", -1)
	v.integer(path, m, "charLength", 0)
	start, _ := m["startLine"].(float64)
	end, hasEnd := m["endLine"].(float64)
	if hasEnd && end < start {
		v.fail(path, "endLine %v before startLine %v", end, start)
	}
}

func (v *validator) fix(path string, x any) {
	m := v.object(path, x, "artifactChanges")
	if m == nil {
		return
	}
	if d, ok := m["description"]; ok {
		v.message(path+".description", d)
	}
	for i, c := range v.array(path+".artifactChanges", m["artifactChanges"], 1) {
		cp := fmt.Sprintf("%s.artifactChanges[%d]", path, i)
		cm := v.object(cp, c, "artifactLocation", "replacements")
		if cm == nil {
			continue
		}
		v.artifactLocation(cp+".artifactLocation", cm["artifactLocation"])
		for j, r := range v.array(cp+".replacements", cm["replacements"], 1) {
			rp := fmt.Sprintf("%s.replacements[%d]", cp, j)
			rm := v.object(rp, r, "deletedRegion")
			if rm == nil {
				continue
			}
			v.region(rp+".deletedRegion", rm["deletedRegion"])
			if ic, ok := rm["insertedContent"]; ok {
				if icm := v.object(rp+".insertedContent", ic); icm != nil {
					v.str(rp+".insertedContent", icm, "text")
				}
			}
		}
	}
}
