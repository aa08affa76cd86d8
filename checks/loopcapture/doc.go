// Package loopcapture defines an Analyzer (work in progress).
//
// # Analyzer loopcapture
//
// loopcapture: work in progress
//
// Not implemented yet.
package loopcapture
