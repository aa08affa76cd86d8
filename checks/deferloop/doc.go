// Package deferloop defines an Analyzer (work in progress).
//
// # Analyzer deferloop
//
// deferloop: work in progress
//
// Not implemented yet.
package deferloop
