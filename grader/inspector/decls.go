package main

import (
	"go/ast"
	"go/token"
)

// maxTypeDepth bounds how far named types are followed, guarding against
// (invalid) cycles such as "type A B; type B A".
const maxTypeDepth = 16

// packageMutables records package-level variables of map or slice type.
func (fa *fileAnalysis) packageMutables() {
	for _, decl := range fa.src.file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.VAR {
			continue
		}
		for _, spec := range gen.Specs {
			vs, ok := spec.(*ast.ValueSpec)
			if !ok {
				continue
			}
			for i, name := range vs.Names {
				if name.Name == "_" {
					continue
				}
				kind := ""
				if vs.Type != nil {
					kind = fa.scope.typeKind(vs.Type, 0)
				} else if len(vs.Names) == len(vs.Values) {
					kind = fa.scope.valueKind(vs.Values[i], 0)
				}
				if kind == "" {
					continue
				}
				pos := fa.position(name.Pos())
				fa.pkg.PackageMutables = append(fa.pkg.PackageMutables, Mutable{
					Name: name.Name, Kind: kind, File: fa.src.rel, Line: pos.Line, Test: fa.src.test,
				})
			}
		}
	}
}

// typeKind returns "map" or "slice" when the type expression denotes one
// (directly, or through named types of the package), else "".
func (s *scope) typeKind(e ast.Expr, depth int) string {
	if depth > maxTypeDepth {
		return ""
	}
	switch t := ast.Unparen(e).(type) {
	case *ast.MapType:
		return "map"
	case *ast.ArrayType:
		if t.Len == nil {
			return "slice"
		}
	case *ast.Ident:
		if spec := s.namedType(t); spec != nil {
			return s.typeKind(spec.Type, depth+1)
		}
	case *ast.IndexExpr:
		return s.typeKind(t.X, depth+1)
	case *ast.IndexListExpr:
		return s.typeKind(t.X, depth+1)
	}
	return ""
}

// valueKind returns "map" or "slice" when an initializer evidently makes
// one: a composite literal, make, a conversion, or append to such a value.
func (s *scope) valueKind(e ast.Expr, depth int) string {
	if depth > maxTypeDepth {
		return ""
	}
	switch v := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		return s.typeKind(v.Type, depth+1)
	case *ast.CallExpr:
		fun := ast.Unparen(v.Fun)
		if id, ok := fun.(*ast.Ident); ok && id.Obj == nil && !s.names[id.Name] {
			switch {
			case id.Name == "make" && len(v.Args) > 0:
				return s.typeKind(v.Args[0], depth+1)
			case id.Name == "append" && len(v.Args) > 0:
				return s.valueKind(v.Args[0], depth+1)
			}
			return ""
		}
		return s.typeKind(fun, depth+1) // a conversion such as []byte(nil)
	}
	return ""
}

// namedType returns the declaration of the type id names, when it is
// declared by the package (in any file) or locally in the file.
func (s *scope) namedType(id *ast.Ident) *ast.TypeSpec {
	if id.Obj != nil {
		spec, _ := id.Obj.Decl.(*ast.TypeSpec)
		return spec // nil for type parameters and non-types
	}
	return s.types[id.Name]
}

// anyFields records struct fields of type any (or holding any) in every type
// declaration of the file, including declarations inside functions.
func (fa *fileAnalysis) anyFields() {
	ast.Inspect(fa.src.file, func(n ast.Node) bool {
		if spec, ok := n.(*ast.TypeSpec); ok {
			fa.structFields(spec.Name.Name, "", spec.Type, 0)
		}
		return true
	})
}

// structFields checks the fields of the struct types found in t, a part of
// the declaration of typeName; prefix is the dotted path of enclosing fields.
func (fa *fileAnalysis) structFields(typeName, prefix string, t ast.Expr, depth int) {
	if depth > maxTypeDepth {
		return
	}
	switch tt := ast.Unparen(t).(type) {
	case *ast.StructType:
		if tt.Fields == nil {
			return
		}
		for _, field := range tt.Fields.List {
			names := make([]string, 0, len(field.Names))
			for _, n := range field.Names {
				names = append(names, n.Name)
			}
			if len(field.Names) == 0 {
				names = append(names, baseTypeName(field.Type))
			}
			for _, name := range names {
				path := prefix + name
				if fa.scope.isAny(field.Type, 0) {
					pos := fa.position(field.Pos())
					fa.pkg.AnyFields = append(fa.pkg.AnyFields, AnyField{
						Struct: typeName, Field: path, File: fa.src.rel, Line: pos.Line,
						Test: fa.src.test,
					})
				}
				fa.structFields(typeName, path+".", field.Type, depth+1)
			}
		}
	case *ast.StarExpr:
		fa.structFields(typeName, prefix, tt.X, depth+1)
	case *ast.ArrayType:
		fa.structFields(typeName, prefix, tt.Elt, depth+1)
	case *ast.MapType:
		fa.structFields(typeName, prefix, tt.Key, depth+1)
		fa.structFields(typeName, prefix, tt.Value, depth+1)
	case *ast.ChanType:
		fa.structFields(typeName, prefix, tt.Value, depth+1)
	}
}

// isAny reports whether a type is any / interface{} (also through named
// types and aliases of the package), or a pointer, slice, array, map (key or
// value) or channel of such a type.
func (s *scope) isAny(e ast.Expr, depth int) bool {
	if depth > maxTypeDepth {
		return false
	}
	switch t := ast.Unparen(e).(type) {
	case *ast.Ident:
		if spec := s.namedType(t); spec != nil {
			return s.isAny(spec.Type, depth+1)
		}
		return t.Obj == nil && t.Name == "any"
	case *ast.InterfaceType:
		if t.Methods == nil {
			return true
		}
		for _, m := range t.Methods.List {
			if len(m.Names) > 0 || !s.isAny(m.Type, depth+1) {
				return false // a method, or an embedded non-empty constraint
			}
		}
		return true
	case *ast.StarExpr:
		return s.isAny(t.X, depth+1)
	case *ast.ArrayType:
		return s.isAny(t.Elt, depth+1)
	case *ast.MapType:
		return s.isAny(t.Key, depth+1) || s.isAny(t.Value, depth+1)
	case *ast.ChanType:
		return s.isAny(t.Value, depth+1)
	}
	return false
}
