// Package deferrecover defines an Analyzer (work in progress).
//
// # Analyzer deferrecover
//
// deferrecover: work in progress
//
// Not implemented yet.
package deferrecover
