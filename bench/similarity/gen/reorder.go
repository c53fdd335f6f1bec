package main

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/token"
	"math/rand/v2"
)

// Reorder shuffles the top-level declarations (functions, methods, types,
// variables, constants) of every file, each moving with the comments above
// it. Imports stay first.
func Reorder(m *Module, rng *rand.Rand) (*Module, bool, error) {
	return EditFiles(m, func(_ []*SourceFile, sf *SourceFile) ([]byte, error) {
		src, f := sf.Src, sf.AST
		offset := func(p token.Pos) int { return sf.Fset.Position(p).Offset }
		headerEnd := offset(f.Name.End())
		var decls []ast.Decl
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				headerEnd = offset(gd.End())
				continue
			}
			decls = append(decls, d)
		}
		if len(decls) < 2 {
			return nil, nil
		}
		// A chunk runs from the end of the previous declaration to the end
		// of its own, so comments between declarations travel with the one
		// below them.
		var chunks [][]byte
		start := headerEnd
		for _, d := range decls {
			end := offset(d.End())
			chunks = append(chunks, bytes.TrimSpace(src[start:end]))
			start = end
		}
		trailer := bytes.TrimSpace(src[start:])
		order := rng.Perm(len(chunks))
		for identity(order) {
			order = rng.Perm(len(chunks))
		}
		var buf bytes.Buffer
		buf.Write(src[:headerEnd])
		for _, i := range order {
			buf.WriteString("\n\n")
			buf.Write(chunks[i])
		}
		if len(trailer) > 0 {
			buf.WriteString("\n\n")
			buf.Write(trailer)
		}
		buf.WriteString("\n")
		return format.Source(buf.Bytes())
	})
}

func identity(order []int) bool {
	for i, v := range order {
		if i != v {
			return false
		}
	}
	return true
}
