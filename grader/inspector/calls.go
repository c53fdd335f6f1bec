package main

import (
	"go/ast"
	"go/token"
)

// universe holds Go's predeclared identifiers.
var universe = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true,
	"complex128": true, "error": true, "float32": true, "float64": true, "int": true,
	"int8": true, "int16": true, "int32": true, "int64": true, "rune": true, "string": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"true": true, "false": true, "iota": true, "nil": true,
	"append": true, "cap": true, "clear": true, "close": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true, "new": true,
	"panic": true, "print": true, "println": true, "real": true, "recover": true,
}

// callVisitor finds uses of members of imported packages in one file.
type callVisitor struct {
	fa *fileAnalysis
	// byName maps the name a file uses for an import to its import paths
	// (more than one only when guessed names collide).
	byName map[string][]string
	// dotPaths are the packages imported with ".".
	dotPaths []string
	// callees are the expressions called (or converted to) in the file,
	// with parentheses and instantiations removed.
	callees map[ast.Expr]bool
	// written are the expressions assigned to or whose address is taken,
	// with parentheses removed.
	written map[ast.Expr]bool
	// receiverTypeParams are the type parameters of the method being walked
	// ("T" in "func (s *Set[T]) Add(v T)"), which the parser leaves
	// unresolved.
	receiverTypeParams map[string]bool
}

// calls records the file's uses of members of imported packages.
func (fa *fileAnalysis) calls() {
	v := &callVisitor{fa: fa, byName: map[string][]string{}, callees: map[ast.Expr]bool{},
		written: map[ast.Expr]bool{}}
	for _, spec := range fa.src.file.Imports {
		p := importPath(spec)
		switch {
		case spec.Name != nil && spec.Name.Name == "_":
		case spec.Name != nil && spec.Name.Name == ".":
			v.dotPaths = append(v.dotPaths, p)
		case spec.Name != nil:
			v.byName[spec.Name.Name] = append(v.byName[spec.Name.Name], p)
		case fa.ctx.localNames[p] != "":
			n := fa.ctx.localNames[p]
			v.byName[n] = append(v.byName[n], p)
		default:
			for _, n := range guessPackageNames(p) {
				v.byName[n] = append(v.byName[n], p)
			}
		}
	}
	for _, decl := range fa.src.file.Decls {
		ast.Walk(v, decl)
	}
}

// Visit implements ast.Visitor. Declared names (fields, parameters,
// methods, labels, struct literal keys) are skipped so that only uses are
// matched against the imports.
func (v *callVisitor) Visit(n ast.Node) ast.Visitor {
	switch n := n.(type) {
	case *ast.GenDecl:
		if n.Tok == token.IMPORT {
			return nil
		}
	case *ast.CallExpr:
		v.callees[calleeOf(n.Fun)] = true
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			v.written[ast.Unparen(lhs)] = true
		}
	case *ast.UnaryExpr:
		if n.Op == token.AND {
			v.written[ast.Unparen(n.X)] = true
		}
	case *ast.SelectorExpr:
		if id, ok := n.X.(*ast.Ident); ok && v.isImportName(id) {
			v.record(v.byName[id.Name], n.Sel.Name, n, id)
			return nil
		}
		ast.Walk(v, n.X)
		return nil
	case *ast.Ident:
		v.recordDotUse(n)
	case *ast.FuncDecl:
		v.receiverTypeParams = receiverTypeParams(n.Recv)
		if n.Recv != nil {
			ast.Walk(v, n.Recv)
		}
		ast.Walk(v, n.Type)
		if n.Body != nil {
			ast.Walk(v, n.Body)
		}
		v.receiverTypeParams = nil
		return nil
	case *ast.Field:
		ast.Walk(v, n.Type)
		return nil
	case *ast.TypeSpec:
		if n.TypeParams != nil {
			ast.Walk(v, n.TypeParams)
		}
		ast.Walk(v, n.Type)
		return nil
	case *ast.ValueSpec:
		if n.Type != nil {
			ast.Walk(v, n.Type)
		}
		for _, e := range n.Values {
			ast.Walk(v, e)
		}
		return nil
	case *ast.LabeledStmt:
		ast.Walk(v, n.Stmt)
		return nil
	case *ast.BranchStmt:
		return nil
	case *ast.CompositeLit:
		if n.Type != nil {
			ast.Walk(v, n.Type)
		}
		for _, elt := range n.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				if _, isIdent := kv.Key.(*ast.Ident); !isIdent {
					ast.Walk(v, kv.Key)
				}
				ast.Walk(v, kv.Value)
				continue
			}
			ast.Walk(v, elt)
		}
		return nil
	case *ast.TypeSwitchStmt:
		if n.Init != nil {
			ast.Walk(v, n.Init)
		}
		if assign, ok := n.Assign.(*ast.AssignStmt); ok {
			for _, e := range assign.Rhs {
				ast.Walk(v, e)
			}
		} else if n.Assign != nil {
			ast.Walk(v, n.Assign)
		}
		ast.Walk(v, n.Body)
		return nil
	}
	return v
}

// receiverTypeParams returns the names of a receiver's type parameters.
func receiverTypeParams(recv *ast.FieldList) map[string]bool {
	if recv == nil || len(recv.List) != 1 {
		return nil
	}
	t := recv.List[0].Type
	for {
		switch tt := t.(type) {
		case *ast.StarExpr:
			t = tt.X
			continue
		case *ast.ParenExpr:
			t = tt.X
			continue
		}
		break
	}
	var params []ast.Expr
	switch tt := t.(type) {
	case *ast.IndexExpr:
		params = []ast.Expr{tt.Index}
	case *ast.IndexListExpr:
		params = tt.Indices
	}
	names := map[string]bool{}
	for _, p := range params {
		if id, ok := p.(*ast.Ident); ok {
			names[id.Name] = true
		}
	}
	return names
}

// calleeOf strips parentheses and type arguments from a called expression.
func calleeOf(e ast.Expr) ast.Expr {
	for {
		switch t := e.(type) {
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		default:
			return e
		}
	}
}

// isImportName reports whether id refers to an import of the file: the
// parser left it unresolved (no local declaration shadows it) and no
// package-level declaration has its name.
func (v *callVisitor) isImportName(id *ast.Ident) bool {
	return v.unresolved(id) && len(v.byName[id.Name]) > 0
}

// unresolved reports whether id is declared neither in the file's scopes
// nor at package level.
func (v *callVisitor) unresolved(id *ast.Ident) bool {
	return id.Obj == nil && !v.fa.scope.names[id.Name] && !v.receiverTypeParams[id.Name]
}

// recordDotUse records an identifier that may name a member of a package
// imported with ".": it is unresolved in the file, not declared at package
// level and not predeclared. When one of the module's own packages imported
// with "." declares the name, the use is attributed to it; otherwise the
// dot-imported packages cannot be told apart and each gets the use.
func (v *callVisitor) recordDotUse(id *ast.Ident) {
	if len(v.dotPaths) == 0 || id.Name == "_" || universe[id.Name] || !v.unresolved(id) {
		return
	}
	var local, other []string
	for _, p := range v.dotPaths {
		if s := v.fa.ctx.localScopes[p]; s != nil {
			if s.names[id.Name] {
				local = append(local, p)
			}
			continue
		}
		other = append(other, p)
	}
	if len(local) > 0 {
		v.record(local, id.Name, id, id)
		return
	}
	v.record(other, id.Name, id, id)
}

// record adds one Call per import path for a use of member at expr.
func (v *callVisitor) record(paths []string, member string, expr ast.Expr, start ast.Node) {
	kind := "ref"
	if v.callees[expr] {
		kind = "call"
	} else if v.written[expr] {
		kind = "write"
	}
	pos := v.fa.position(start.Pos())
	for _, p := range paths {
		v.fa.pkg.Calls = append(v.fa.pkg.Calls, Call{
			Target: p + "." + member, Kind: kind, File: v.fa.src.rel,
			Line: pos.Line, Col: pos.Column, Test: v.fa.src.test,
		})
	}
}
