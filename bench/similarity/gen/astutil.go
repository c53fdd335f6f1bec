package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"reflect"
)

// clearPositions zeroes every token.Pos below n, so that nodes parsed from
// a template print wherever they are put.
func clearPositions(n ast.Node) {
	posType := reflect.TypeOf(token.NoPos)
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				field := v.Field(i)
				if field.Type() == posType && field.CanSet() {
					field.SetInt(0)
				} else if field.Type() != reflect.TypeOf((*ast.Object)(nil)) && field.Type() != reflect.TypeOf((*ast.Scope)(nil)) {
					walk(field)
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(n))
}

// parseStmts parses Go statements (the body of a function) into nodes
// without positions.
func parseStmts(src string) []ast.Stmt {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+src+"\n}\n", parser.SkipObjectResolution)
	if err != nil {
		panic("template " + src + ": " + err.Error())
	}
	body := f.Decls[0].(*ast.FuncDecl).Body
	clearPositions(body)
	return body.List
}

// parseExpr parses a Go expression into a node without positions.
func parseExpr(src string) ast.Expr {
	e, err := parser.ParseExpr(src)
	if err != nil {
		panic("template " + src + ": " + err.Error())
	}
	clearPositions(e)
	return e
}

// blockLists calls fn with a pointer to every statement list of body:
// blocks, case clauses and select clauses.
func blockLists(body ast.Node, fn func(list *[]ast.Stmt)) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			if len(n.List) > 0 {
				switch n.List[0].(type) {
				case *ast.CaseClause, *ast.CommClause:
					return true // the body of a switch or select
				}
			}
			fn(&n.List)
		case *ast.CaseClause:
			fn(&n.Body)
		case *ast.CommClause:
			fn(&n.Body)
		}
		return true
	})
}

// funcBodies returns the bodies of the package's functions and methods
// (function literals are inside them).
func funcBodies(p *Package) []*ast.FuncDecl {
	var decls []*ast.FuncDecl
	for _, f := range p.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				decls = append(decls, fd)
			}
		}
	}
	return decls
}

// hasJumps reports whether n holds a goto or a label, which forbid
// declarations being inserted between them.
func hasJumps(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.LabeledStmt:
			found = true
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				found = true
			}
		}
		return !found
	})
	return found
}

// hasUnlabelledBreak reports whether stmts hold a `break` without a label
// (or a `fallthrough`) that is not inside a nested for, switch or select:
// one whose meaning changes when the code moves into or out of a switch.
func hasUnlabelledBreak(stmts []ast.Stmt) bool {
	found := false
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BranchStmt:
				if (n.Tok == token.BREAK && n.Label == nil) || n.Tok == token.FALLTHROUGH {
					found = true
				}
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.FuncLit:
				return false
			}
			return !found
		})
	}
	return found
}

// typeOf returns the type of e, or nil.
func typeOf(p *Package, e ast.Expr) types.Type {
	if tv, ok := p.Info.Types[e]; ok {
		return tv.Type
	}
	return nil
}

// isSimple reports whether e is an identifier or a chain of field
// selections on one (no calls, so evaluating it twice is harmless).
func isSimple(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isSimple(e.X)
	case *ast.ParenExpr:
		return isSimple(e.X)
	case *ast.StarExpr:
		return isSimple(e.X)
	}
	return false
}
