package main

import (
	"go/ast"
	"go/token"
	"go/types"
	"math/rand/v2"
)

// Loops converts loops between the two forms: `for i, v := range s` over a
// slice or array becomes an indexed loop with `v := s[i]` first in the
// body, `for i := range n` becomes `for i := 0; i < n; i++`, and an indexed
// loop whose body never assigns its index becomes a range loop (over the
// slice for `i < len(s)`, over the bound otherwise).
func Loops(m *Module, rng *rand.Rand) (*Module, bool, error) {
	return EditPackages(m, func(p *Package) (bool, error) {
		nm := newNameMaker(rng, p.Files)
		changed := false
		for _, fd := range funcBodies(p) {
			blockLists(fd.Body, func(list *[]ast.Stmt) {
				for i, s := range *list {
					if rng.IntN(4) == 0 {
						continue
					}
					var repl ast.Stmt
					switch s := s.(type) {
					case *ast.RangeStmt:
						repl = rangeToIndexed(p, nm, s)
					case *ast.ForStmt:
						repl = indexedToRange(p, s)
					}
					if repl != nil {
						(*list)[i] = repl
						changed = true
					}
				}
			})
		}
		return changed, nil
	})
}

func rangeToIndexed(p *Package, nm *nameMaker, s *ast.RangeStmt) ast.Stmt {
	if s.Tok != token.DEFINE && s.Key != nil {
		return nil
	}
	t := typeOf(p, s.X)
	if t == nil {
		return nil
	}
	key, _ := s.Key.(*ast.Ident)
	value, _ := s.Value.(*ast.Ident)
	if (s.Key != nil && key == nil) || (s.Value != nil && value == nil) {
		return nil
	}
	index := ""
	if key != nil && key.Name != "_" {
		index = key.Name
	}
	var bound ast.Expr
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if u.Info()&types.IsInteger == 0 || value != nil {
			return nil
		}
		// for i := range n: the index takes n's type, so only an int
		// bound keeps it the same.
		if !types.Identical(types.Default(t), types.Typ[types.Int]) {
			return nil
		}
		bound = s.X
	case *types.Slice, *types.Array:
		if !isSimple(s.X) {
			return nil
		}
		bound = &ast.CallExpr{Fun: ast.NewIdent("len"), Args: []ast.Expr{s.X}}
	default:
		return nil
	}
	if index == "" {
		index = nm.fresh(true)
	}
	body := s.Body
	if value != nil && value.Name != "_" {
		// The value variable must not clash with a name the body declares.
		if scope := p.Info.Scopes[s.Body]; scope != nil && scope.Lookup(value.Name) != nil {
			return nil
		}
		elem := &ast.AssignStmt{Lhs: []ast.Expr{ast.NewIdent(value.Name)}, Tok: token.DEFINE,
			Rhs: []ast.Expr{&ast.IndexExpr{X: s.X, Index: ast.NewIdent(index)}}}
		body = &ast.BlockStmt{Lbrace: s.Body.Lbrace, List: append([]ast.Stmt{elem}, s.Body.List...), Rbrace: s.Body.Rbrace}
	}
	return &ast.ForStmt{
		For:  s.For,
		Init: &ast.AssignStmt{Lhs: []ast.Expr{ast.NewIdent(index)}, Tok: token.DEFINE, Rhs: []ast.Expr{&ast.BasicLit{Kind: token.INT, Value: "0"}}},
		Cond: &ast.BinaryExpr{X: ast.NewIdent(index), Op: token.LSS, Y: bound},
		Post: &ast.IncDecStmt{X: ast.NewIdent(index), Tok: token.INC},
		Body: body,
	}
}

func indexedToRange(p *Package, s *ast.ForStmt) ast.Stmt {
	init, ok := s.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return nil
	}
	index, ok := init.Lhs[0].(*ast.Ident)
	if lit, isLit := init.Rhs[0].(*ast.BasicLit); !ok || !isLit || lit.Value != "0" {
		return nil
	}
	if post, ok := s.Post.(*ast.IncDecStmt); !ok || post.Tok != token.INC || !sameIdent(post.X, index) {
		return nil
	}
	cond, ok := s.Cond.(*ast.BinaryExpr)
	if !ok || cond.Op != token.LSS || !sameIdent(cond.X, index) {
		return nil
	}
	indexObj := p.Info.Defs[index]
	if indexObj == nil || assigns(p, s.Body, indexObj) {
		return nil
	}
	var over ast.Expr
	if call, ok := cond.Y.(*ast.CallExpr); ok && len(call.Args) == 1 && isSimple(call.Args[0]) {
		if fn, ok := call.Fun.(*ast.Ident); ok && fn.Name == "len" {
			switch typeOf(p, call.Args[0]).Underlying().(type) {
			case *types.Slice, *types.Array:
				over = call.Args[0]
			}
		}
	}
	if over == nil {
		t := typeOf(p, cond.Y)
		if t == nil || !types.Identical(types.Default(t), indexObj.Type()) {
			return nil
		}
		over = cond.Y
	}
	return &ast.RangeStmt{For: s.For, Key: ast.NewIdent(index.Name), Tok: token.DEFINE, X: over, Body: s.Body}
}

func sameIdent(e ast.Expr, id *ast.Ident) bool {
	x, ok := e.(*ast.Ident)
	return ok && x.Name == id.Name
}

// assigns reports whether body assigns obj, increments it or takes its
// address.
func assigns(p *Package, body ast.Node, obj types.Object) bool {
	found := false
	is := func(e ast.Expr) bool {
		id, ok := unparen(e).(*ast.Ident)
		return ok && p.Info.Uses[id] == obj
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				found = found || is(l)
			}
		case *ast.IncDecStmt:
			found = found || is(n.X)
		case *ast.UnaryExpr:
			found = found || (n.Op == token.AND && is(n.X))
		}
		return !found
	})
	return found
}
