// Command inspector prints static facts about a Go module as one JSON
// document on standard output, for gograder's static rules.
//
// Usage:
//
//	inspector DIR
//	inspector -tokens DIR
//	inspector -tokens-each DIR
//
// DIR is the root of a module (the directory holding go.mod). Every .go file
// of the module is parsed, whatever its build constraints; directories named
// testdata or vendor, directories starting with "." or "_" and nested modules
// are skipped, as the go command does. A file that does not parse is reported
// in parse_errors and its partial syntax tree still contributes facts.
//
// The inspector uses only the syntax tree: identifiers are resolved within a
// file by the parser, and import names are matched against the file's imports
// (explicit names, the names of the module's own packages, and a guess from
// the import path for other packages).
//
// With -tokens it prints instead the normalised token stream of every .go
// file of the module (see TokenFile), for similarity detection; with
// -tokens-each, {"name": {"files": ...}} for every module directly inside DIR.
//
// Exit status: 0 when the facts were printed, 1 when DIR could not be read,
// 2 on a usage error.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	args := os.Args[1:]
	mode := ""
	if len(args) == 2 && (args[0] == "-tokens" || args[0] == "-tokens-each") {
		mode, args = args[0], args[1:]
	}
	if len(args) != 1 || args[0] == "" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: inspector [-tokens | -tokens-each] DIR")
		os.Exit(2)
	}
	var document any
	var err error
	switch mode {
	case "-tokens":
		document, err = Tokens(args[0])
	case "-tokens-each":
		document, err = TokensOfEach(args[0])
	default:
		document, err = Inspect(args[0])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "inspector: %v\n", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(document); err != nil {
		fmt.Fprintf(os.Stderr, "inspector: writing facts: %v\n", err)
		os.Exit(1)
	}
}
