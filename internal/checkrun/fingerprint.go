package checkrun

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Fingerprints identify findings across runs while lines move: the
// check, the file (as file names it, relative to a root both runs
// share), the enclosing function and the message with its numbers (line
// references) blanked. Findings alike in all of these are told apart by
// their order, as a ":n" suffix. SARIF's partial fingerprints and
// check's baselines are these.
func Fingerprints(findings []Finding, file func(Finding) string) []string {
	seen := make(map[string]int)
	out := make([]string, len(findings))
	for i, f := range findings {
		base := Fingerprint(f, file(f))
		seen[base]++
		out[i] = base + ":" + strconv.Itoa(seen[base])
	}
	return out
}

// Fingerprint is f's fingerprint without its order among findings alike.
func Fingerprint(f Finding, file string) string {
	var msg strings.Builder
	inNumber := false
	for _, c := range f.Message {
		digit := c >= '0' && c <= '9'
		if !digit {
			msg.WriteRune(c)
		} else if !inNumber {
			msg.WriteByte('#')
		}
		inNumber = digit
	}
	sum := sha256.Sum256([]byte(f.Check + "\x00" + file + "\x00" + f.Func.Name + "\x00" + msg.String()))
	return hex.EncodeToString(sum[:16])
}
