package main

import (
	"go/ast"
	"go/token"
	"math/rand/v2"
)

// Branches rewrites conditionals: if/else-if chains become tagless
// switches, expression switches become if/else-if chains, and some
// if/else pairs swap their branches under the negated condition. Code
// holding an unlabelled break (or a fallthrough) that would change its
// target is left alone.
func Branches(m *Module, rng *rand.Rand) (*Module, bool, error) {
	return EditPackages(m, func(p *Package) (bool, error) {
		changed := false
		for fi, f := range p.Files {
			// Moved expressions are re-parsed from their text: without
			// positions they print on one line wherever they go.
			detach := func(e ast.Expr) ast.Expr { return parseExpr(source(p, fi, e)) }
			ast.Inspect(f, func(n ast.Node) bool {
				fd, ok := n.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					return true
				}
				blockLists(fd.Body, func(list *[]ast.Stmt) {
					for i, s := range *list {
						var repl ast.Stmt
						switch s := s.(type) {
						case *ast.IfStmt:
							switch {
							case s.Else != nil && rng.IntN(3) != 0:
								repl = ifToSwitch(s, detach)
							case s.Else != nil:
								repl = invertIf(s, detach)
							case rng.IntN(4) == 0:
								repl = ifToSwitch(s, detach)
							}
						case *ast.SwitchStmt:
							if rng.IntN(3) != 0 {
								repl = switchToIf(s, detach)
							}
						}
						if repl != nil {
							(*list)[i] = repl
							changed = true
						}
					}
				})
				return false
			})
		}
		return changed, nil
	})
}

// ifToSwitch turns `if a {A} else if b {B} else {C}` into
// `switch { case a: A; case b: B; default: C }`, or returns nil.
func ifToSwitch(s *ast.IfStmt, detach func(ast.Expr) ast.Expr) ast.Stmt {
	sw := &ast.SwitchStmt{Switch: s.If, Init: s.Init, Body: &ast.BlockStmt{Lbrace: s.Body.Lbrace}}
	for cur := s; ; {
		if hasUnlabelledBreak(cur.Body.List) {
			return nil
		}
		sw.Body.List = append(sw.Body.List, &ast.CaseClause{List: []ast.Expr{detach(cur.Cond)}, Body: cur.Body.List})
		switch e := cur.Else.(type) {
		case nil:
			return sw
		case *ast.BlockStmt:
			if hasUnlabelledBreak(e.List) {
				return nil
			}
			sw.Body.List = append(sw.Body.List, &ast.CaseClause{Body: e.List})
			sw.Body.Rbrace = e.Rbrace
			return sw
		case *ast.IfStmt:
			if e.Init != nil {
				if hasUnlabelledBreak([]ast.Stmt{e}) {
					return nil
				}
				sw.Body.List = append(sw.Body.List, &ast.CaseClause{Body: []ast.Stmt{e}})
				return sw
			}
			cur = e
		}
	}
}

// switchToIf turns an expression switch into an if/else-if chain, or
// returns nil when the tag has a call in it (it would be evaluated more
// than once) or a clause breaks out of the switch or falls through.
func switchToIf(s *ast.SwitchStmt, detach func(ast.Expr) ast.Expr) ast.Stmt {
	if s.Tag != nil && !isSimple(s.Tag) {
		return nil
	}
	var cases []*ast.CaseClause
	var def *ast.CaseClause
	for _, c := range s.Body.List {
		cc := c.(*ast.CaseClause)
		if hasUnlabelledBreak(cc.Body) {
			return nil
		}
		if cc.List == nil {
			def = cc
		} else {
			cases = append(cases, cc)
		}
	}
	if len(cases) == 0 {
		return nil
	}
	var first, last *ast.IfStmt
	for _, cc := range cases {
		var cond ast.Expr
		for _, e := range cc.List {
			term := detach(e)
			if s.Tag != nil {
				if b, ok := term.(*ast.BinaryExpr); ok && b.Op.Precedence() <= token.EQL.Precedence() {
					term = &ast.ParenExpr{X: term}
				}
				term = &ast.BinaryExpr{X: detach(s.Tag), Op: token.EQL, Y: term}
			}
			if cond == nil {
				cond = term
			} else {
				cond = &ast.BinaryExpr{X: cond, Op: token.LOR, Y: term}
			}
		}
		is := &ast.IfStmt{Cond: guardLiterals(cond), Body: &ast.BlockStmt{Lbrace: cc.Colon, List: cc.Body}}
		if first == nil {
			is.If = s.Switch
			is.Init = s.Init
			first = is
		} else {
			last.Else = is
		}
		last = is
	}
	if def != nil && len(def.Body) > 0 {
		last.Else = &ast.BlockStmt{Lbrace: def.Colon, List: def.Body, Rbrace: s.Body.Rbrace}
	} else {
		last.Body.Rbrace = s.Body.Rbrace
	}
	return first
}

// invertIf turns `if c {A} else {B}` into `if !c {B} else {A}`, or returns
// nil for an else-if chain.
func invertIf(s *ast.IfStmt, detach func(ast.Expr) ast.Expr) ast.Stmt {
	els, ok := s.Else.(*ast.BlockStmt)
	if !ok {
		return nil
	}
	return &ast.IfStmt{If: s.If, Init: s.Init, Cond: guardLiterals(negate(detach(s.Cond))),
		Body: &ast.BlockStmt{Lbrace: s.Body.Lbrace, List: els.List, Rbrace: s.Body.Rbrace},
		Else: &ast.BlockStmt{Lbrace: els.Lbrace, List: s.Body.List, Rbrace: els.Rbrace}}
}

// negate returns the logical negation of a boolean expression.
func negate(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			return unparen(e.X)
		}
	case *ast.BinaryExpr:
		opposite := map[token.Token]token.Token{token.EQL: token.NEQ, token.NEQ: token.EQL,
			token.LSS: token.GEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR}
		if op, ok := opposite[e.Op]; ok {
			return &ast.BinaryExpr{X: e.X, OpPos: e.OpPos, Op: op, Y: e.Y}
		}
		if e.Op == token.LAND || e.Op == token.LOR {
			op := token.LOR
			if e.Op == token.LOR {
				op = token.LAND
			}
			return &ast.BinaryExpr{X: paren(negate(e.X)), Op: op, Y: paren(negate(e.Y))}
		}
	case *ast.ParenExpr:
		return negate(e.X)
	}
	return &ast.UnaryExpr{Op: token.NOT, X: paren(e)}
}

// paren wraps binary expressions in parentheses (go/printer adds none).
func paren(e ast.Expr) ast.Expr {
	if _, ok := e.(*ast.BinaryExpr); ok {
		return &ast.ParenExpr{X: e}
	}
	return e
}

func unparen(e ast.Expr) ast.Expr {
	if p, ok := e.(*ast.ParenExpr); ok {
		return p.X
	}
	return e
}

// guardLiterals parenthesises an if condition holding a composite literal
// (`if (x == T{}) {`), which would otherwise read as the if's block.
func guardLiterals(cond ast.Expr) ast.Expr {
	if _, ok := cond.(*ast.ParenExpr); ok {
		return cond
	}
	found := false
	ast.Inspect(cond, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.CompositeLit:
			found = true
		case *ast.FuncLit, *ast.CallExpr, *ast.IndexExpr:
			return false // already inside brackets
		}
		return !found
	})
	if found {
		return &ast.ParenExpr{X: cond}
	}
	return cond
}
