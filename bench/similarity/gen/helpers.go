package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"math/rand/v2"
	"sort"
	"strings"
)

// Helpers inlines small helper functions (a single return of one
// expression) at their call sites, deleting those no longer called, and
// extracts expressions (conditions, right-hand sides, results) into new
// helper functions that take the local variables they use as parameters.
func Helpers(m *Module, rng *rand.Rand) (*Module, bool, error) {
	inlined, changedInline, err := EditPackages(m, func(p *Package) (bool, error) { return inline(p, rng), nil })
	if err != nil {
		return nil, false, err
	}
	out, changedExtract, err := EditPackages(inlined, func(p *Package) (bool, error) { return extract(p, rng), nil })
	if err != nil {
		return nil, false, err
	}
	return out, changedInline || changedExtract, nil
}

// source returns the text of n in its file.
func source(p *Package, file int, n ast.Node) string {
	tf := p.Fset.File(n.Pos())
	return string(p.Srcs[file][tf.Offset(n.Pos()):tf.Offset(n.End())])
}

func fileIndex(p *Package, pos token.Pos) int {
	for i, f := range p.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return i
		}
	}
	return -1
}

func inline(p *Package, rng *rand.Rand) bool {
	type candidate struct {
		decl   *ast.FuncDecl
		file   int
		obj    *types.Func
		params []*types.Var
		result ast.Expr
		uses   int
	}
	byObj := map[types.Object]*candidate{}
	var order []*candidate
	for fi, f := range p.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Type.TypeParams != nil || fd.Body == nil || len(fd.Body.List) != 1 {
				continue
			}
			ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
			obj, _ := p.Info.Defs[fd.Name].(*types.Func)
			if !ok || len(ret.Results) != 1 || obj == nil || obj.Exported() {
				continue
			}
			sig := obj.Type().(*types.Signature)
			if sig.Variadic() || sig.Results().Len() != 1 {
				continue
			}
			if t := typeOf(p, ret.Results[0]); t == nil || !types.Identical(t, sig.Results().At(0).Type()) {
				continue
			}
			if hasFuncLit(ret.Results[0]) {
				continue
			}
			c := &candidate{decl: fd, file: fi, obj: obj, result: ret.Results[0]}
			for i := 0; i < sig.Params().Len(); i++ {
				c.params = append(c.params, sig.Params().At(i))
			}
			byObj[obj] = c
			order = append(order, c)
		}
	}
	if len(order) == 0 {
		return false
	}
	for _, obj := range p.Info.Uses {
		if c := byObj[obj]; c != nil {
			c.uses++
		}
	}
	inlinedAt := map[*candidate]int{}
	changed := false
	for fi, f := range p.Files {
		replace(f, func(e ast.Expr) ast.Expr {
			call, ok := e.(*ast.CallExpr)
			if !ok || call.Ellipsis.IsValid() {
				return nil
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok {
				return nil
			}
			c := byObj[p.Info.Uses[id]]
			if c == nil || len(call.Args) != len(c.params) || rng.IntN(5) == 0 {
				return nil
			}
			if text, ok := inlineText(p, fi, c.file, c.result, c.params, call); ok {
				inlinedAt[c]++
				changed = true
				return paren(parseExpr(text))
			}
			return nil
		})
	}
	// Helpers no longer called anywhere are deleted.
	for _, c := range order {
		if inlinedAt[c] > 0 && inlinedAt[c] == c.uses {
			f := p.Files[c.file]
			for i, d := range f.Decls {
				if d == c.decl {
					f.Decls = append(f.Decls[:i:i], f.Decls[i+1:]...)
					break
				}
			}
		}
	}
	return changed
}

// inlineText returns the helper's result expression with the call's
// arguments in place of its parameters, if that keeps the meaning.
func inlineText(p *Package, callFile, declFile int, result ast.Expr, params []*types.Var, call *ast.CallExpr) (string, bool) {
	paramIndex := map[types.Object]int{}
	for i, v := range params {
		paramIndex[v] = i
		at := typeOf(p, call.Args[i])
		if at == nil || !(types.Identical(at, v.Type()) ||
			(isUntyped(at) && types.Identical(types.Default(at), v.Type()))) {
			return "", false
		}
	}
	scope := p.Types.Scope().Innermost(call.Pos())
	if scope == nil {
		return "", false
	}
	useCount := map[int]int{}
	type sub struct {
		start, end int
		text       string
	}
	var subs []sub
	tf := p.Fset.File(result.Pos())
	base := tf.Offset(result.Pos())
	ok := checkIdents(p, result, scope, call.Pos(), paramIndex, useCount, func(id *ast.Ident, i int) {
		subs = append(subs, sub{tf.Offset(id.Pos()) - base, tf.Offset(id.End()) - base, "(" + source(p, callFile, call.Args[i]) + ")"})
	})
	if !ok {
		return "", false
	}
	for i, n := range useCount {
		if n > 1 && !isSimple(call.Args[i]) {
			return "", false
		}
	}
	text := source(p, declFile, result)
	sort.Slice(subs, func(i, j int) bool { return subs[i].start > subs[j].start })
	for _, s := range subs {
		text = text[:s.start] + s.text + text[s.end:]
	}
	return text, true
}

// checkIdents checks the identifiers of e (outside selectors' right-hand
// sides): a parameter is substituted, any other name must mean the same
// thing at the call site.
func checkIdents(p *Package, e ast.Expr, scope *types.Scope, pos token.Pos, params map[types.Object]int,
	useCount map[int]int, substitute func(*ast.Ident, int)) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ok = ok && checkIdents(p, n.X, scope, pos, params, useCount, substitute)
			return false
		case *ast.Ident:
			obj := p.Info.Uses[n]
			if obj == nil {
				ok = false
				return false
			}
			if i, isParam := params[obj]; isParam {
				useCount[i]++
				substitute(n, i)
				return false
			}
			if _, found := scope.LookupParent(n.Name, pos); found != obj {
				ok = false
			}
		}
		return ok
	})
	return ok
}

func isUntyped(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Info()&types.IsUntyped != 0
}

func hasFuncLit(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			found = true
		}
		return !found
	})
	return found
}

// replace walks f and replaces each expression for which fn returns a
// non-nil one (without descending into the replacement).
func replace(f *ast.File, fn func(ast.Expr) ast.Expr) {
	var visit func(n ast.Node) bool
	try := func(e *ast.Expr) {
		if *e == nil {
			return
		}
		if r := fn(*e); r != nil {
			*e = r
			return
		}
		ast.Inspect(*e, visit)
	}
	tryList := func(list []ast.Expr) {
		for i := range list {
			try(&list[i])
		}
	}
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			tryList(n.Lhs)
			tryList(n.Rhs)
			return false
		case *ast.ReturnStmt:
			tryList(n.Results)
			return false
		case *ast.ExprStmt:
			try(&n.X)
			return false
		case *ast.IfStmt:
			if n.Init != nil {
				ast.Inspect(n.Init, visit)
			}
			try(&n.Cond)
			ast.Inspect(n.Body, visit)
			if n.Else != nil {
				ast.Inspect(n.Else, visit)
			}
			return false
		case *ast.CallExpr:
			try(&n.Fun)
			tryList(n.Args)
			return false
		case *ast.BinaryExpr:
			try(&n.X)
			try(&n.Y)
			return false
		case *ast.UnaryExpr:
			try(&n.X)
			return false
		case *ast.ParenExpr:
			try(&n.X)
			return false
		case *ast.IndexExpr:
			try(&n.X)
			try(&n.Index)
			return false
		case *ast.KeyValueExpr:
			try(&n.Value)
			return false
		case *ast.SendStmt:
			try(&n.Value)
			return false
		case *ast.ValueSpec:
			tryList(n.Values)
			return false
		}
		return true
	}
	ast.Inspect(f, visit)
}

// Verbs for the names of extracted helpers.
var helperVerbs = []string{"check", "calc", "get", "compute", "is", "has", "eval", "find", "make", "do"}

func extract(p *Package, rng *rand.Rand) bool {
	nm := newNameMaker(rng, p.Files)
	imported := make([]map[string]string, len(p.Files)) // package path -> name, per file
	for fi, f := range p.Files {
		imported[fi] = map[string]string{}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			name := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imported[fi][path] = name
		}
	}
	// walk calls fn on every expression of the package's non-generic
	// functions, replacing those for which it returns an expression.
	walk := func(fn func(fi int, e ast.Expr) ast.Expr) {
		for fi, f := range p.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				body := &ast.File{Name: ast.NewIdent("p"), Decls: []ast.Decl{&ast.FuncDecl{Name: fd.Name, Type: &ast.FuncType{}, Body: fd.Body}}}
				replace(body, func(e ast.Expr) ast.Expr { return fn(fi, e) })
			}
		}
	}
	// First the candidates, then a few of them, chosen at random.
	var candidates []ast.Expr
	walk(func(fi int, e ast.Expr) ast.Expr {
		if extractable(e) {
			if helper, _ := extractExpr(p, fi, e, imported[fi], nm); helper != "" {
				candidates = append(candidates, e)
			}
		}
		return nil
	})
	chosen := map[ast.Expr]bool{}
	for _, i := range rng.Perm(len(candidates))[:min(len(candidates), 3+len(candidates)/20)] {
		chosen[candidates[i]] = true
	}
	changed := false
	walk(func(fi int, e ast.Expr) ast.Expr {
		if !chosen[e] {
			return nil
		}
		helper, call := extractExpr(p, fi, e, imported[fi], nm)
		if helper == "" {
			return nil
		}
		p.Appended[fi] = append(p.Appended[fi], helper)
		changed = true
		return call
	})
	return changed
}

// extractable reports whether e is worth a helper: a comparison, a logical
// or arithmetic expression, or a call with arguments.
func extractable(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BinaryExpr:
		return true
	case *ast.CallExpr:
		return len(e.Args) > 0
	}
	return false
}

// extractExpr builds `func name(free vars) T { return e }` and the call
// that replaces e, or returns "" when e cannot move out of its function.
func extractExpr(p *Package, file int, e ast.Expr, imported map[string]string, nm *nameMaker) (string, ast.Expr) {
	tv, ok := p.Info.Types[e]
	if !ok || tv.Value != nil || !tv.IsValue() {
		return "", nil
	}
	if _, isTuple := tv.Type.(*types.Tuple); isTuple {
		return "", nil
	}
	qualifier := func(pkg *types.Package) string {
		if pkg == p.Types {
			return ""
		}
		if name, ok := imported[pkg.Path()]; ok {
			return name
		}
		ok = false
		return pkg.Name()
	}
	var free []*types.Var
	seen := map[types.Object]bool{}
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.CompositeLit:
			ok = false
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				ok = false
			}
		case *ast.Ident:
			obj := p.Info.Uses[n]
			v, isVar := obj.(*types.Var)
			if !isVar {
				// Constants and types declared in the function cannot
				// be named from the helper.
				if _, isPkg := obj.(*types.PkgName); obj != nil && !isPkg && obj.Parent() != nil &&
					obj.Parent() != p.Types.Scope() && obj.Parent() != types.Universe {
					ok = false
				}
				return true
			}
			if v.IsField() || v.Pkg() != p.Types || v.Parent() == p.Types.Scope() || seen[v] {
				return true
			}
			seen[v] = true
			free = append(free, v)
		}
		return ok
	})
	if !ok || len(free) > 4 {
		return "", nil
	}
	result := tv.Type
	if isUntyped(result) {
		result = types.Default(result)
	}
	var params []string
	var args []ast.Expr
	for _, v := range free {
		if local(v.Type()) {
			return "", nil
		}
		params = append(params, v.Name()+" "+types.TypeString(v.Type(), qualifier))
		args = append(args, ast.NewIdent(v.Name()))
	}
	resultText := types.TypeString(result, qualifier)
	if !ok || local(result) {
		return "", nil
	}
	var name string
	for name == "" || nm.taken[name] {
		verb := helperVerbs[nm.rng.IntN(len(helperVerbs))]
		word := nameWords[nm.rng.IntN(len(nameWords))]
		name = verb + strings.ToUpper(word[:1]) + word[1:]
	}
	nm.taken[name] = true
	src := "package p\nfunc " + name + "(" + strings.Join(params, ", ") + ") " + resultText + " {\n\treturn " + source(p, file, e) + "\n}\n"
	if parseFuncDecl(src) == nil {
		return "", nil
	}
	return src[len("package p\n"):], &ast.CallExpr{Fun: ast.NewIdent(name), Args: args}
}

// local reports whether t mentions a type declared inside a function, or a
// type parameter: neither can be named at package level.
func local(t types.Type) bool {
	switch t := t.(type) {
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() != nil && obj.Parent() != obj.Pkg().Scope() {
			return true
		}
		for i := 0; i < t.TypeArgs().Len(); i++ {
			if local(t.TypeArgs().At(i)) {
				return true
			}
		}
	case *types.TypeParam:
		return true
	case *types.Pointer:
		return local(t.Elem())
	case *types.Slice:
		return local(t.Elem())
	case *types.Array:
		return local(t.Elem())
	case *types.Chan:
		return local(t.Elem())
	case *types.Map:
		return local(t.Key()) || local(t.Elem())
	case *types.Signature:
		for _, tuple := range []*types.Tuple{t.Params(), t.Results()} {
			for i := 0; i < tuple.Len(); i++ {
				if local(tuple.At(i).Type()) {
					return true
				}
			}
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if local(t.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

// parseFuncDecl parses the one function declared in src (a whole file)
// into a node without positions, or returns nil.
func parseFuncDecl(src string) *ast.FuncDecl {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil || len(f.Decls) != 1 {
		return nil
	}
	fd, _ := f.Decls[0].(*ast.FuncDecl)
	if fd != nil {
		clearPositions(fd)
	}
	return fd
}
