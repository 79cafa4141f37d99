package sharedcomponent

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
)

// counter records how often the shared component was started and stopped.
type counter struct {
	starts, stops int
	startErr      error
}

func (c *counter) Start(context.Context, component.Host) error {
	if c.startErr != nil {
		return c.startErr
	}
	c.starts++
	return nil
}

func (c *counter) Shutdown(context.Context) error {
	c.stops++
	return nil
}

func TestLifecycle(t *testing.T) {
	ctx, host := context.Background(), componenttest.NewNopHost()
	// Each step acts on instance i: 's' starts it, 'x' shuts it down.
	type step struct {
		op byte
		i  int
	}
	tests := []struct {
		name       string
		instances  int
		steps      []step
		wantStarts int
		wantStops  int
		wantKeys   int
	}{
		{"one instance", 1, []step{{'s', 0}, {'x', 0}}, 1, 1, 0},
		{"first starts, last stops", 3, []step{{'s', 0}, {'s', 1}, {'s', 2}, {'x', 0}, {'x', 1}}, 1, 0, 1},
		{"all shut down", 3, []step{{'s', 0}, {'s', 1}, {'s', 2}, {'x', 2}, {'x', 0}, {'x', 1}}, 1, 1, 0},
		{"started twice, shut down twice", 2, []step{{'s', 0}, {'s', 0}, {'s', 1}, {'x', 0}, {'x', 0}}, 1, 0, 1},
		{"never started", 2, []step{{'x', 0}, {'x', 1}}, 0, 0, 0},
		{"one never started", 2, []step{{'s', 1}, {'x', 0}, {'x', 1}}, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMap[string, *counter]()
			created := 0
			var insts []*Component[*counter]
			for range tt.instances {
				c, err := m.LoadOrStore("id", func() (*counter, error) { created++; return &counter{}, nil })
				if err != nil {
					t.Fatal(err)
				}
				insts = append(insts, c)
			}
			if created != 1 {
				t.Fatalf("created %d components for one key, want 1", created)
			}
			for _, s := range tt.steps {
				var err error
				if s.op == 's' {
					err = insts[s.i].Start(ctx, host)
				} else {
					err = insts[s.i].Shutdown(ctx)
				}
				if err != nil {
					t.Fatalf("%c %d: %v", s.op, s.i, err)
				}
			}
			v := insts[0].Unwrap()
			if v.starts != tt.wantStarts || v.stops != tt.wantStops {
				t.Errorf("starts, stops = %d, %d; want %d, %d", v.starts, v.stops, tt.wantStarts, tt.wantStops)
			}
			if m.Len() != tt.wantKeys {
				t.Errorf("Len = %d, want %d", m.Len(), tt.wantKeys)
			}
		})
	}
}

func TestKeysAreSeparate(t *testing.T) {
	m := NewMap[string, *counter]()
	a, _ := m.LoadOrStore("a", func() (*counter, error) { return &counter{}, nil })
	b, _ := m.LoadOrStore("b", func() (*counter, error) { return &counter{}, nil })
	if a.Unwrap() == b.Unwrap() {
		t.Fatal("two keys share a component")
	}
}

func TestCreateAndStartErrors(t *testing.T) {
	ctx := context.Background()
	m := NewMap[string, *counter]()
	boom := errors.New("boom")
	if _, err := m.LoadOrStore("a", func() (*counter, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("create error = %v, want boom", err)
	}
	if m.Len() != 0 {
		t.Fatal("a failed create was kept")
	}
	c, _ := m.LoadOrStore("a", func() (*counter, error) { return &counter{startErr: boom}, nil })
	if err := c.Start(ctx, componenttest.NewNopHost()); !errors.Is(err, boom) {
		t.Fatalf("start error = %v, want boom", err)
	}
	// A failed start leaves nothing running to stop.
	if err := c.Shutdown(ctx); err != nil || c.Unwrap().stops != 0 {
		t.Fatalf("Shutdown after a failed start: err %v, stops %d", err, c.Unwrap().stops)
	}
}
