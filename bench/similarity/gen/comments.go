package main

import (
	"bytes"
	"go/ast"
	"go/scanner"
	"go/token"
	"math/rand/v2"
	"sort"
	"strings"
)

// Comments a student might write instead of the original ones.
var commentTexts = []string{
	"check this first", "main part", "handle the error case", "update the state",
	"loop over everything", "TODO: clean this up", "helper", "this is important",
	"do the work here", "make sure it is valid", "get the next one", "done",
	"from the lecture", "edge case", "not sure if needed", "set up",
	"fixed a bug here", "return the result", "lock before touching shared data",
	"step 2", "works now", "see README", "keep track of it", "init",
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

func applyEdits(src []byte, edits []edit) []byte {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var buf bytes.Buffer
	last := 0
	for _, e := range edits {
		if e.start < last {
			continue
		}
		buf.Write(src[last:e.start])
		buf.WriteString(e.text)
		last = e.end
	}
	buf.Write(src[last:])
	return buf.Bytes()
}

// Comments removes every comment (directives such as //go:build stay),
// writes a few comments of its own above statements and declarations, and
// lays the code out differently: four-space or two-space indentation, one
// import per line, blank lines added and removed. The result is not gofmt'ed.
func Comments(m *Module, rng *rand.Rand) (*Module, bool, error) {
	return EditFiles(m, func(_ []*SourceFile, sf *SourceFile) ([]byte, error) {
		src, f := sf.Src, sf.AST
		tf := sf.Fset.File(f.Pos())
		var edits []edit
		for _, group := range f.Comments {
			for _, c := range group.List {
				if strings.HasPrefix(c.Text, "//go:") {
					continue
				}
				start, end := tf.Offset(c.Pos()), tf.Offset(c.End())
				lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
				lineEnd := len(src)
				if i := bytes.IndexByte(src[end:], '\n'); i >= 0 {
					lineEnd = end + i
				}
				switch {
				case len(bytes.TrimSpace(src[lineStart:start])) == 0 && len(bytes.TrimSpace(src[end:lineEnd])) == 0:
					// The comment is alone on its line(s): drop the lines.
					edits = append(edits, edit{lineStart, min(lineEnd+1, len(src)), ""})
				case strings.HasPrefix(c.Text, "//"):
					trimmed := len(bytes.TrimRight(src[:start], " \t"))
					edits = append(edits, edit{trimmed, end, ""})
				default:
					edits = append(edits, edit{start, end, " "})
				}
			}
		}
		// New comments go on their own line above some statements and
		// declarations.
		var lineStarts []int
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				lineStarts = append(lineStarts, tf.Offset(n.Pos()))
			case *ast.BlockStmt:
				for _, s := range n.List {
					lineStarts = append(lineStarts, tf.Offset(s.Pos()))
				}
			}
			return true
		})
		for _, start := range lineStarts {
			if rng.IntN(6) != 0 {
				continue
			}
			lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
			indent := src[lineStart:start]
			if len(bytes.TrimSpace(indent)) != 0 {
				continue
			}
			text := string(indent) + "// " + commentTexts[rng.IntN(len(commentTexts))] + "\n"
			edits = append(edits, edit{lineStart, lineStart, text})
		}
		// One import per line.
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.IMPORT || !gd.Lparen.IsValid() || rng.IntN(2) == 0 {
				continue
			}
			var lines []string
			for _, spec := range gd.Specs {
				is := spec.(*ast.ImportSpec)
				line := "import "
				if is.Name != nil {
					line += is.Name.Name + " "
				}
				lines = append(lines, line+is.Path.Value)
			}
			edits = append(edits, edit{tf.Offset(gd.Pos()), tf.Offset(gd.End()), strings.Join(lines, "\n")})
		}
		return relayout(applyEdits(src, edits), rng), nil
	})
}

// relayout re-indents src and adds or removes blank lines, leaving the
// insides of multi-line raw strings alone.
func relayout(src []byte, rng *rand.Rand) []byte {
	// Lines that start inside a raw string literal must not change.
	frozen := map[int]bool{}
	fset := token.NewFileSet()
	tf := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(tf, src, nil, scanner.ScanComments)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.STRING && strings.Contains(lit, "\n") {
			first := tf.Line(pos)
			for l := first + 1; l <= first+strings.Count(lit, "\n"); l++ {
				frozen[l] = true
			}
		}
	}
	indent := []string{"    ", "  "}[rng.IntN(2)]
	var buf bytes.Buffer
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		if frozen[i+1] {
			buf.WriteString(line + "\n")
			continue
		}
		trimmed := strings.TrimLeft(line, "\t")
		if strings.TrimSpace(line) == "" {
			if rng.IntN(3) == 0 {
				continue // drop a blank line
			}
			buf.WriteString("\n")
			continue
		}
		buf.WriteString(strings.Repeat(indent, len(line)-len(trimmed)) + trimmed + "\n")
		if strings.HasSuffix(trimmed, "{") && rng.IntN(8) == 0 {
			buf.WriteString("\n")
		}
	}
	return append(bytes.TrimRight(buf.Bytes(), "\n"), '\n')
}
