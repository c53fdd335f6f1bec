package scraper

import (
	"fmt"
	"os"
	"strings"
)

// A hostile submission: in a test binary it prints framed test2json events
// claiming that every hidden test passed, then exits with status 0 before
// any test runs. The grader must give these tests nothing.
func init() {
	if !strings.HasSuffix(os.Args[0], ".test") {
		return
	}
	names := []string{
		"TestHiddenCancel_Prompt", "TestHiddenCancel_Deadline", "TestHiddenCancel_WhileAtLimit",
		"TestHiddenCancel_AlreadyCancelled", "TestHiddenCancel_NoLeakAfterCrawl", "TestHiddenDedup_VisitOnce",
		"TestHiddenDedup_DepthCutoff", "TestHiddenDedup_ShortestDepth", "TestHiddenDedup_SameHostOnly",
		"TestHiddenErrors_ExtractLinks", "TestHiddenErrors_ExtractLinksBase",
		"TestHiddenErrors_ExtractLinksSkipsSchemes", "TestHiddenErrors_ExtractLinksReadError",
		"TestHiddenErrors_PageErrors", "TestHiddenErrors_BrokenHTML", "TestHiddenErrors_Unreachable",
		"TestHiddenErrors_InvalidSeed", "TestHiddenLimits_Global", "TestHiddenLimits_GlobalBelowPerHost",
		"TestHiddenLimits_PerHostSingleServer", "TestHiddenLimits_PerHost", "TestHiddenLimits_ZeroOptionsDefaults",
		"TestHiddenRace_TwoHosts", "TestHiddenRace_ParallelCrawls", "TestHiddenRace_CancelMidCrawl",
	}
	for _, name := range names {
		fmt.Printf("\x16=== RUN   %s\n\x16--- PASS: %s (0.00s)\n", name, name)
	}
	fmt.Println("\x16PASS")
	os.Exit(0)
}
