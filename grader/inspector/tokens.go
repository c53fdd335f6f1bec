package main

import (
	"errors"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
)

// TokenFile is the normalised token stream of one .go file, for similarity
// detection: identifiers are one kind, literals one kind per type (int,
// float, imaginary, rune, string), keywords and operators keep their own
// kind, and comments, formatting and the semicolons the scanner inserts at
// line ends vanish. Kinds are go/token.Token values.
type TokenFile struct {
	File string `json:"file"` // relative to the module root, slash-separated
	Test bool   `json:"test"`
	// Kinds[i] is the kind of the i-th token, Lines[i] its 1-based line.
	Kinds []int `json:"kinds"`
	Lines []int `json:"lines"`
	// Error is set when the file could not be read; scanning errors do not
	// stop the stream (the scanner skips what it cannot read).
	Error string `json:"error,omitempty"`
}

// TokenModule is the document printed by "inspector -tokens DIR".
type TokenModule struct {
	Files []TokenFile `json:"files"`
}

// TokensOfEach returns Tokens of every directory directly inside parent,
// by name: one inspector run for a whole class of modules.
func TokensOfEach(parent string) (map[string]*TokenModule, error) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil, err
	}
	modules := map[string]*TokenModule{}
	for _, entry := range entries {
		if !entry.IsDir() {
			continue
		}
		m, err := Tokens(filepath.Join(parent, entry.Name()))
		if err != nil {
			return nil, err
		}
		modules[entry.Name()] = m
	}
	return modules, nil
}

// Tokens returns the normalised token streams of the module's .go files
// (the files Inspect would inspect), sorted by path.
func Tokens(root string) (*TokenModule, error) {
	dirs, err := collectSources(root, token.NewFileSet())
	if err != nil {
		return nil, err
	}
	out := &TokenModule{Files: []TokenFile{}}
	for _, dir := range dirs {
		for _, sf := range dir.files {
			tf := TokenFile{File: sf.rel, Test: sf.test, Kinds: []int{}, Lines: []int{}}
			src, err := readRegularSource(filepath.Join(root, filepath.FromSlash(sf.rel)))
			if err != nil {
				tf.Error = err.Error()
			} else {
				tf.Kinds, tf.Lines = normalisedTokens(src)
			}
			out.Files = append(out.Files, tf)
		}
	}
	return out, nil
}

var errNotRegular = errors.New("not a regular file")

// readRegularSource reads a regular file (not a symlink) of at most
// maxSourceBytes.
func readRegularSource(p string) ([]byte, error) {
	info, err := os.Lstat(p)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if !info.Mode().IsRegular() {
		return nil, errNotRegular
	}
	return readSource(p)
}

// normalisedTokens scans src and returns each token's normalised kind and line.
func normalisedTokens(src []byte) (kinds, lines []int) {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, src, func(token.Position, string) {}, 0) // comments are skipped
	kinds, lines = []int{}, []int{}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return kinds, lines
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // inserted at a line end: formatting, not code
		}
		if tok == token.ILLEGAL {
			continue
		}
		kinds = append(kinds, int(tok))
		lines = append(lines, file.Line(pos))
	}
}
