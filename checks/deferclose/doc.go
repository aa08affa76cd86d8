// Package deferclose defines an Analyzer (work in progress).
//
// # Analyzer deferclose
//
// deferclose: work in progress
//
// Not implemented yet.
package deferclose
