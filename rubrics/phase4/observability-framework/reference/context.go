package obs

import (
	"context"
	"log/slog"
)

type ctxKey struct{}

// ContextWith returns a copy of ctx that carries attrs after the attributes
// ctx already carries. The handler adds them to every record logged with
// that context (InfoContext and the like).
func ContextWith(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev := contextAttrs(ctx)
	all := make([]slog.Attr, 0, len(prev)+len(attrs))
	all = append(all, prev...)
	all = append(all, attrs...)
	return context.WithValue(ctx, ctxKey{}, all)
}

func contextAttrs(ctx context.Context) []slog.Attr {
	if ctx == nil {
		return nil
	}
	attrs, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	return attrs
}
