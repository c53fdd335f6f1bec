package plug

import (
	"context"
	"testing"
)

type examplePlugin struct{ started bool }

func (p *examplePlugin) Name() string                    { return "example" }
func (p *examplePlugin) Start(ctx context.Context) error { p.started = true; return nil }

// An example of a test of your own: add more. The grader runs its own hidden
// tests instead of these, but yours are how you find your bugs first.
func TestStartCallsStarter(t *testing.T) {
	t.Skip("remove this line once Registry and Runtime are implemented")
	p := &examplePlugin{}
	r := NewRegistry()
	if err := r.Register("example", func() Plugin { return p }); err != nil {
		t.Fatal(err)
	}
	rt, err := r.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil || !p.started {
		t.Errorf("Start = %v, started = %v; want nil, true", err, p.started)
	}
}
