package scraper

import "testing"

// A hostile submission: non-test code that reaches into the testing package
// (here only to show the grader flags it).
var _ = testing.Short
