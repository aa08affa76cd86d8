// Package deferargs defines an Analyzer (work in progress).
//
// # Analyzer deferargs
//
// deferargs: work in progress
//
// Not implemented yet.
package deferargs
