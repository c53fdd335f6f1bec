package main

import (
	"go/ast"
	"go/types"
	"math/rand/v2"
	"strings"
)

// Words a student might rename to. New names are drawn from these, alone,
// with a second word or with a digit, and are never already used.
var nameWords = []string{
	"acc", "amount", "arg", "aux", "bag", "base", "box", "buf", "bucket", "cell",
	"chunk", "count", "cur", "data", "dst", "elem", "entry", "field", "flag", "head",
	"holder", "idx", "info", "input", "item", "key", "last", "limit", "list", "lookup",
	"mark", "mem", "msg", "next", "node", "num", "obj", "out", "part", "piece",
	"pos", "prev", "ptr", "rec", "ref", "res", "ret", "row", "seg", "size",
	"slot", "src", "state", "step", "store", "sum", "tab", "tail", "target", "temp",
	"thing", "tmp", "token", "total", "unit", "val", "value", "work", "x", "y",
}

// nameMaker hands out fresh identifiers that collide with nothing in use.
type nameMaker struct {
	rng   *rand.Rand
	taken map[string]bool
}

func newNameMaker(rng *rand.Rand, files []*ast.File) *nameMaker {
	nm := &nameMaker{rng: rng, taken: map[string]bool{}}
	for _, name := range types.Universe.Names() {
		nm.taken[name] = true
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				nm.taken[id.Name] = true
			}
			return true
		})
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			nm.taken[p[strings.LastIndex(p, "/")+1:]] = true
		}
	}
	for _, kw := range []string{"break", "case", "chan", "const", "continue", "default", "defer", "else",
		"fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
		"return", "select", "struct", "switch", "type", "var"} {
		nm.taken[kw] = true
	}
	return nm
}

// fresh returns a new unused name; short asks for a short one (for
// one-letter originals such as loop indexes).
func (nm *nameMaker) fresh(short bool) string {
	for attempt := 0; ; attempt++ {
		w := nameWords[nm.rng.IntN(len(nameWords))]
		var name string
		switch {
		case short && attempt < 20:
			name = w[:1+nm.rng.IntN(min(2, len(w)))]
		case attempt < 10 && nm.rng.IntN(2) == 0:
			name = w
		case attempt < 40:
			v := nameWords[nm.rng.IntN(len(nameWords))]
			name = w + strings.ToUpper(v[:1]) + v[1:]
		default:
			name = w + string(rune('0'+nm.rng.IntN(10))) + string(rune('a'+nm.rng.IntN(26)))
		}
		if !nm.taken[name] {
			nm.taken[name] = true
			return name
		}
	}
}

// Rename gives every unexported identifier declared in the module (locals,
// parameters, receivers, unexported functions, methods, types, fields,
// constants, type parameters, labels) a new name. One old name maps to one
// new name throughout a package, so methods keep satisfying interfaces and
// embedded fields keep the name of their type. Exported names, the API the
// tests call, are kept.
func Rename(m *Module, rng *rand.Rand) (*Module, bool, error) {
	return EditPackages(m, func(p *Package) (bool, error) {
		nm := newNameMaker(rng, p.Files)
		renamed := map[string]string{}
		qualifies := func(obj types.Object) bool {
			if obj == nil || obj.Pkg() != p.Types || obj.Exported() || obj.Name() == "_" {
				return false
			}
			switch o := obj.(type) {
			case *types.PkgName, *types.Builtin, *types.Nil:
				return false
			case *types.Func:
				if o.Parent() == p.Types.Scope() && (o.Name() == "init" || o.Name() == "main") {
					return false
				}
			}
			return true
		}
		newName := func(old string) string {
			if n, ok := renamed[old]; ok {
				return n
			}
			n := nm.fresh(len(old) <= 2)
			renamed[old] = n
			return n
		}
		// Type switch guards (`switch v := x.(type)`) define no object of
		// their own; their name follows the implicit objects of the clauses.
		guards := map[*ast.Ident]*ast.TypeSwitchStmt{}
		for _, f := range p.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if ts, ok := n.(*ast.TypeSwitchStmt); ok {
					if as, ok := ts.Assign.(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
						if id, ok := as.Lhs[0].(*ast.Ident); ok {
							guards[id] = ts
						}
					}
				}
				return true
			})
		}
		guardQualifies := func(ts *ast.TypeSwitchStmt) bool {
			for _, clause := range ts.Body.List {
				if qualifies(p.Info.Implicits[clause]) {
					return true
				}
			}
			return false
		}
		changed := false
		for _, f := range p.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				id, ok := n.(*ast.Ident)
				if !ok || id == f.Name {
					return true
				}
				obj := p.Info.Defs[id]
				if obj == nil {
					obj = p.Info.Uses[id]
				}
				if qualifies(obj) || (obj == nil && guards[id] != nil && guardQualifies(guards[id])) {
					id.Name = newName(id.Name)
					changed = true
				}
				return true
			})
		}
		return changed, nil
	})
}
