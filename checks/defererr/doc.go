// Package defererr defines an Analyzer (work in progress).
//
// # Analyzer defererr
//
// defererr: work in progress
//
// Not implemented yet.
package defererr
