// Package deferblock defines an Analyzer (work in progress).
//
// # Analyzer deferblock
//
// deferblock: work in progress
//
// Not implemented yet.
package deferblock
