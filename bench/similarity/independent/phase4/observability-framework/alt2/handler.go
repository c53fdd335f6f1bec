package obs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// HandlerOptions for NewJSONHandler.
type HandlerOptions struct {
	Level     slog.Leveler
	Redact    []string
	AddSource bool
}

type key int

const attrsKey key = 1

// ContextWith adds attributes to ctx for the handler to log.
func ContextWith(ctx context.Context, attrs ...slog.Attr) context.Context {
	old, _ := ctx.Value(attrsKey).([]slog.Attr)
	merged := make([]slog.Attr, 0, len(old)+len(attrs))
	merged = append(append(merged, old...), attrs...)
	return context.WithValue(ctx, attrsKey, merged)
}

type handler struct {
	out      io.Writer
	lock     *sync.Mutex
	level    slog.Leveler
	secret   map[string]bool
	source   bool
	prefix   []byte // pre-rendered attributes
	openings int    // groups opened in prefix
}

// NewJSONHandler returns a handler writing JSON lines.
func NewJSONHandler(w io.Writer, o HandlerOptions) slog.Handler {
	h := &handler{out: w, lock: new(sync.Mutex), level: o.Level, secret: map[string]bool{}, source: o.AddSource}
	if h.level == nil {
		h.level = slog.LevelInfo
	}
	for _, k := range o.Redact {
		h.secret[k] = true
	}
	return h
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *handler) writeAttr(buf *bytes.Buffer, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Key == "" && a.Value.Kind() != slog.KindGroup {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		attrs := a.Value.Group()
		if len(attrs) == 0 {
			return
		}
		if a.Key != "" {
			fmt.Fprintf(buf, ",%s:{", strconv.Quote(a.Key))
		}
		start := buf.Len()
		for _, g := range attrs {
			h.writeAttr(buf, g)
		}
		if a.Key != "" {
			if buf.Len() > start {
				buf.Bytes()[start] = ' '
			}
			buf.WriteString("}")
		}
		return
	}
	buf.WriteString("," + strconv.Quote(a.Key) + ":")
	if h.secret[a.Key] {
		buf.WriteString(`"[REDACTED]"`)
		return
	}
	switch v := a.Value; v.Kind() {
	case slog.KindInt64:
		buf.WriteString(strconv.FormatInt(v.Int64(), 10))
	case slog.KindUint64:
		buf.WriteString(strconv.FormatUint(v.Uint64(), 10))
	case slog.KindFloat64:
		buf.WriteString(strconv.FormatFloat(v.Float64(), 'g', -1, 64))
	case slog.KindBool:
		buf.WriteString(strconv.FormatBool(v.Bool()))
	case slog.KindDuration:
		buf.WriteString(strconv.Quote(v.Duration().String()))
	case slog.KindTime:
		buf.WriteString(strconv.Quote(v.Time().Format(time.RFC3339Nano)))
	default:
		buf.WriteString(strconv.Quote(v.String()))
	}
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{"time":%q,"level":%q,"msg":%q`, r.Time.Format(time.RFC3339Nano), r.Level.String(), r.Message)
	if h.source {
		fs := runtime.CallersFrames([]uintptr{r.PC})
		f, _ := fs.Next()
		fmt.Fprintf(&buf, `,"source":{"function":%q,"file":%q,"line":%d}`, f.Function, f.File, f.Line)
	}
	if extra, ok := ctx.Value(attrsKey).([]slog.Attr); ok {
		for _, a := range extra {
			h.writeAttr(&buf, a)
		}
	}
	buf.Write(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		h.writeAttr(&buf, a)
		return true
	})
	for range h.openings {
		buf.WriteByte('}')
	}
	buf.WriteString("}\n")
	h.lock.Lock()
	defer h.lock.Unlock()
	_, err := h.out.Write(buf.Bytes())
	return err
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	var buf bytes.Buffer
	buf.Write(h.prefix)
	for _, a := range as {
		h.writeAttr(&buf, a)
	}
	n.prefix = buf.Bytes()
	return &n
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.prefix = append(append([]byte{}, h.prefix...), []byte(","+strconv.Quote(name)+":{\"_\":0")...)
	n.openings++
	return &n
}
