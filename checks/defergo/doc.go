// Package defergo defines an Analyzer (work in progress).
//
// # Analyzer defergo
//
// defergo: work in progress
//
// Not implemented yet.
package defergo
