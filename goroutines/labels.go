package goroutines

import (
	"errors"
	"fmt"
	"strconv"
)

// parseLabels reads a set of pprof labels in either of the forms the
// runtime prints:
//
//	{"route":"/stock", "tenant":"a\tb"}   debug=1 "# labels:" lines (Go-quoted, %q)
//	{route: /stock, tenant: "a\tb"}       Go 1.27 goroutine headers (quoted only when needed)
//
// Strings are Go-quoted, not JSON: "\x1b" and "\U00045678" occur.
func parseLabels(b []byte) (map[string]string, error) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("labels %q: want {key: value, ...}", clip(b))
	}
	rest := b[1 : len(b)-1]
	labels := make(map[string]string)
	for len(rest) > 0 {
		key, after, err := labelToken(rest, ':')
		if err != nil {
			return nil, fmt.Errorf("labels %q: %v", clip(b), err)
		}
		if len(after) == 0 || after[0] != ':' {
			return nil, fmt.Errorf("labels %q: a key without a value", clip(b))
		}
		after = after[1:]
		if len(after) > 0 && after[0] == ' ' {
			after = after[1:]
		}
		value, after, err := labelToken(after, ',')
		if err != nil {
			return nil, fmt.Errorf("labels %q: %v", clip(b), err)
		}
		labels[key] = value
		if len(after) == 0 {
			break
		}
		if len(after) < 2 || after[0] != ',' || after[1] != ' ' {
			return nil, fmt.Errorf("labels %q: want \", \" between labels", clip(b))
		}
		rest = after[2:]
	}
	return labels, nil
}

// labelToken reads one key or value: a Go-quoted string, or bare text
// up to stop (the runtime leaves [A-Za-z0-9./_] unquoted).
func labelToken(b []byte, stop byte) (string, []byte, error) {
	if len(b) > 0 && b[0] == '"' {
		end := 1
		for ; end < len(b) && b[end] != '"'; end++ {
			if b[end] == '\\' {
				end++
			}
		}
		if end >= len(b) {
			return "", nil, errors.New("unterminated quoted string")
		}
		s, err := strconv.Unquote(string(b[:end+1]))
		if err != nil {
			return "", nil, fmt.Errorf("bad quoted string %q", b[:end+1])
		}
		return s, b[end+1:], nil
	}
	end := 0
	for end < len(b) && b[end] != stop {
		end++
	}
	return string(b[:end]), b[end:], nil
}
