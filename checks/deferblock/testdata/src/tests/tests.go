package tests

import (
	"net/http"
	"time"
)

func Handler(w http.ResponseWriter, r *http.Request) {}

var _ = time.Second
