package ocsfcheck

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var loadOnce = sync.OnceValues(LoadOCSF180)

func testSchema(t testing.TB) *Schema {
	t.Helper()
	s, err := loadOnce()
	if err != nil {
		t.Fatalf("LoadOCSF180: %v", err)
	}
	return s
}

// golden decodes a testdata event the way production does (UseNumber).
func golden(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read golden event: %v", err)
	}
	ev, err := decodeEvent(b)
	if err != nil {
		t.Fatalf("decode golden event %s: %v", name, err)
	}
	return ev
}

// set assigns v at a dotted path, creating intermediate objects.
func set(ev map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	cur := ev
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[parts[len(parts)-1]] = v
}

// del removes the attribute at a dotted path.
func del(ev map[string]any, path string) {
	parts := strings.Split(path, ".")
	cur := ev
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return
		}
		cur = next
	}
	delete(cur, parts[len(parts)-1])
}

func num(s string) json.Number { return json.Number(s) }

// hasProblem reports whether errs holds an *Error with that path and kind.
func hasProblem(errs []error, path string, kind Kind) bool {
	for _, err := range errs {
		var e *Error
		if errors.As(err, &e) && e.Path == path && e.Kind == kind {
			return true
		}
	}
	return false
}

func joinErrs(errs []error) string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}
