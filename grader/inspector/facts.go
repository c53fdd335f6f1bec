package main

// The JSON document printed by the inspector. Every file path is relative to
// the module root and uses forward slashes; lines and columns are 1-based.
// Lists are never null. Facts carry Test: true when they come from a
// _test.go file.

// Module is the whole document.
type Module struct {
	// Module is the path on go.mod's module line ("" without a go.mod).
	Module   string     `json:"module"`
	Packages []*Package `json:"packages"`
}

// Package holds the facts of one directory of the module.
type Package struct {
	// Dir is "." for the module root, else a slash-separated relative path.
	Dir string `json:"dir"`
	// Name is the package clause of the non-test files (of the test files,
	// without a "_test" suffix, for a directory holding only tests).
	Name      string   `json:"name"`
	Files     []string `json:"files"`
	TestFiles []string `json:"test_files"`
	Imports   []Import `json:"imports"`
	// Exported lists the exported identifiers declared by non-test files:
	// top-level funcs, types, vars and consts ("Crawl"), methods on exported
	// types ("Cache.Get", type parameters stripped), exported fields of
	// exported struct types ("Options.MaxDepth") and exported methods of
	// exported interface types. Sorted, without duplicates.
	Exported        []string   `json:"exported"`
	Calls           []Call     `json:"calls"`
	PackageMutables []Mutable  `json:"package_mutables"`
	AnyFields       []AnyField `json:"any_fields"`
	Linknames       []Linkname `json:"linknames"`
	Cgo             []Cgo      `json:"cgo"`
	// ParseErrors are "file:line:col: message" strings.
	ParseErrors []string `json:"parse_errors"`
}

// Import is one import spec.
type Import struct {
	Path string `json:"path"`
	// Name is the explicit name of the spec ("_", ".", an alias), if any.
	Name string `json:"name,omitempty"`
	File string `json:"file"`
	Line int    `json:"line"`
	Test bool   `json:"test"`
}

// Call is a use of a member of an imported package.
type Call struct {
	// Target is the import path, a dot and the member: "time.Sleep",
	// "golang.org/x/sync/singleflight.Group".
	Target string `json:"target"`
	// Kind is "call" when the member is called (or converted to), "write"
	// when it is assigned to or its address is taken (os.Stdout = w,
	// &os.Stdout), "ref" for any other use: a method value
	// (f := time.Sleep), a type, a constant, a variable read.
	Kind string `json:"kind"`
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Test bool   `json:"test"`
}

// Mutable is a package-level variable of map or slice type.
type Mutable struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // "map" or "slice"
	File string `json:"file"`
	Line int    `json:"line"`
	Test bool   `json:"test"`
}

// AnyField is a struct field whose type is any / interface{} or holds them
// (a map, slice, array, channel or pointer of any).
type AnyField struct {
	// Struct is the name of the declared type holding the field.
	Struct string `json:"struct"`
	// Field is the field's name; fields of nested struct types are dotted
	// paths from the declared type ("inner.items").
	Field string `json:"field"`
	File  string `json:"file"`
	Line  int    `json:"line"`
	Test  bool   `json:"test"`
}

// Linkname is a //go:linkname directive.
type Linkname struct {
	Text string `json:"text"`
	File string `json:"file"`
	Line int    `json:"line"`
	Test bool   `json:"test"`
}

// Cgo is an import of "C".
type Cgo struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Test bool   `json:"test"`
}
