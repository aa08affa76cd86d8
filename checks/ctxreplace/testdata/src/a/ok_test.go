package a

import (
	"context"
	"testing"
)

func testFetch(t *testing.T, ctx context.Context, s *Server) {
	if _, err := s.Fetch(context.Background(), "1"); err != nil {
		t.Fatal(err)
	}
}
