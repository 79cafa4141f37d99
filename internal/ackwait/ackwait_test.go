package ackwait

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGo: a write joins the group of the request's context, unless there
// is none or its Wait has begun; then the caller writes itself.
func TestGo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ctx    func() (context.Context, *Group)
		joined bool
	}{
		{name: "no group", ctx: func() (context.Context, *Group) { return context.Background(), nil }},
		{name: "open group", ctx: func() (context.Context, *Group) { return With(context.Background()) }, joined: true},
		{name: "detached", ctx: func() (context.Context, *Group) {
			ctx, _ := With(context.Background())
			return Detach(ctx), nil
		}},
		{name: "waited for already", ctx: func() (context.Context, *Group) {
			ctx, g := With(context.Background())
			require.NoError(t, g.Wait())
			return ctx, g
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, g := tc.ctx()
			require.Same(t, g, From(ctx))
			ran := make(chan struct{})
			joined := From(ctx).Go(func() error { close(ran); return nil })
			assert.Equal(t, tc.joined, joined)
			if !joined {
				select {
				case <-ran:
					t.Fatal("a write that did not join ran all the same")
				default:
				}
				return
			}
			require.NoError(t, g.Wait())
			select {
			case <-ran:
			default:
				t.Fatal("Wait returned before the write")
			}
		})
	}
}

// TestWaitWaitsForEveryWrite: Wait returns only after the last write of
// the group returned.
func TestWaitWaitsForEveryWrite(t *testing.T) {
	_, g := With(context.Background())
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	for range 2 {
		require.True(t, g.Go(func() error { started <- struct{}{}; <-release; return nil }))
	}
	<-started
	<-started
	waited := make(chan struct{})
	go func() { _ = g.Wait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("Wait returned while writes were held")
	default:
	}
	close(release)
	<-waited
}

// TestWaitReturnsTheWritesErrors: a write that fails fails the request:
// Wait returns every write's error, and nil when all succeeded.
func TestWaitReturnsTheWritesErrors(t *testing.T) {
	errA, errB := errors.New("disk full"), errors.New("read-only")
	for _, tc := range []struct {
		name   string
		writes []error
		want   []error
	}{
		{name: "none failed", writes: []error{nil, nil}},
		{name: "one failed", writes: []error{nil, errA}, want: []error{errA}},
		{name: "both failed", writes: []error{errA, errB}, want: []error{errA, errB}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, g := With(context.Background())
			for _, err := range tc.writes {
				require.True(t, g.Go(func() error { return err }))
			}
			err := g.Wait()
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w)
			}
		})
	}
}
