package plug

// Inject sets the exported fields of the struct dst points to from cfg.
// A field takes part when it has a tag `plug:"key"` or
// `plug:"key,required"`; see the README for the conversions and errors.
func Inject(dst any, cfg map[string]any) error {
	panic("not implemented")
}
