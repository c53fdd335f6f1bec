package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"math/rand/v2"
	"strings"
)

// Dead inserts statements that do nothing: debug branches that never run,
// empty loops, throwaway computations and unused counters. They go on
// their own lines before existing statements (never last in a block, which
// could leave a function without its terminating return). Declarations are
// only inserted in functions without goto or labels.
func Dead(m *Module, rng *rand.Rand) (*Module, bool, error) {
	var nm *nameMaker
	return EditFiles(m, func(all []*SourceFile, sf *SourceFile) ([]byte, error) {
		if nm == nil {
			var files []*ast.File
			for _, other := range all {
				files = append(files, other.AST)
			}
			nm = newNameMaker(rng, files)
		}
		src, f := sf.Src, sf.AST
		tf := sf.Fset.File(f.Pos())
		var edits []edit
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			declsOK := !hasJumps(fd.Body)
			blockLists(fd.Body, func(list *[]ast.Stmt) {
				for _, s := range *list {
					start := tf.Offset(s.Pos())
					lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
					indent := string(src[lineStart:start])
					// About one insertion per four statements, each on a
					// line of its own.
					if strings.TrimSpace(indent) != "" || rng.IntN(4) != 0 {
						continue
					}
					text := indent + strings.ReplaceAll(deadStmt(nm, rng, declsOK), "\n", "\n"+indent) + "\n"
					edits = append(edits, edit{lineStart, lineStart, text})
				}
			})
		}
		if len(edits) == 0 {
			return nil, nil
		}
		return format.Source(applyEdits(src, edits))
	})
}

func deadStmt(nm *nameMaker, rng *rand.Rand, declsOK bool) string {
	n := nm.fresh(false)
	templates := []string{
		"if false {\n\tprintln(\"debug\")\n}",
		fmt.Sprintf("for %s := 0; %s < 0; %s++ {\n}", n, n, n),
		`_ = len("check")`,
		fmt.Sprintf("if %s := 3; %s < 0 {\n\tprintln(%s)\n}", n, n, n),
		`_ = 0`,
		fmt.Sprintf("switch %s := 1; %s {\ncase 2:\n\tprintln(\"unreachable\")\n}", n, n),
	}
	if declsOK {
		templates = append(templates,
			fmt.Sprintf("%s := 0\n%s++\n_ = %s", n, n, n),
			fmt.Sprintf("var %s []int\n_ = %s", n, n),
			fmt.Sprintf("%s := \"\"\nif %s != \"\" {\n\tprintln(%s)\n}", n, n, n),
		)
	}
	return templates[rng.IntN(len(templates))]
}
