package config

import "testing"

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pat, path string
		want      bool
	}{
		{"*.pb.go", "api/v1/x.pb.go", true},
		{"*.pb.go", "x.pb.go", true},
		{"*.pb.go", "x.go", false},
		{"**/*.pb.go", "x.pb.go", true},
		{"**/*.pb.go", "a/b/x.pb.go", true},
		{"gen/", "gen/a.go", true},
		{"gen/", "gen/sub/a.go", true},
		{"gen/", "pkg/gen/a.go", true}, // as in .gitignore
		{"/gen/", "pkg/gen/a.go", false},
		{"/gen/", "gen/a.go", true},
		{"gen/", "generated.go", false},
		{"third_party/**", "third_party/x/y.go", true},
		{"internal/*/zz_*.go", "internal/api/zz_gen.go", true},
		{"internal/*/zz_*.go", "internal/api/v1/zz_gen.go", false},
		{"a?.go", "ab.go", true},
		{"a?.go", "a/b.go", false},
	} {
		if got := globRegexp(c.pat).MatchString(c.path); got != c.want {
			t.Errorf("%q on %q: %v, want %v", c.pat, c.path, got, c.want)
		}
	}
}
