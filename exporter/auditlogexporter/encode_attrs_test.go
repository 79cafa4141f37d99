package auditlogexporter

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestAttrIndexIsMapGet: every key the encoders read gives, through the
// index, what Map.Get gives: present or not, the first of duplicates, and
// keys the index does not hold.
func TestAttrIndexIsMapGet(t *testing.T) {
	keys := indexedKeyNames[:]
	slots := map[int]string{}
	for _, k := range keys {
		i := indexedSlot(k)
		if i < 0 || i >= indexedKeys {
			t.Fatalf("%s: slot %d outside 0..%d", k, i, indexedKeys-1)
		}
		if other, dup := slots[i]; dup {
			t.Fatalf("%s and %s share slot %d", k, other, i)
		}
		slots[i] = k
	}
	if len(slots) != indexedKeys {
		t.Fatalf("%d keys indexed, want %d", len(slots), indexedKeys)
	}
	for _, tc := range []struct {
		name  string
		build func(m pcommon.Map)
	}{
		{"empty", func(pcommon.Map) {}},
		{"every key", func(m pcommon.Map) {
			for i, k := range keys {
				m.PutInt(k, int64(i))
			}
		}},
		{"half, with others", func(m pcommon.Map) {
			for i, k := range keys {
				m.PutStr("other."+k, "x")
				m.PutStr(k+"_", "near miss")
				if i%2 == 0 {
					m.PutStr(k, k)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := pcommon.NewMap()
			tc.build(m)
			var x attrIndex
			x.load(m)
			for _, k := range append(keys, "other."+keys[0], "absent", "", "x", auditattr.TokenType, "http.methoD", "url.patH") {
				want, wok := m.Get(k)
				got, gok := x.Get(k)
				if wok != gok || (wok && want.AsString() != got.AsString()) {
					t.Errorf("%s: got %v %v, want %v %v", k, got.AsString(), gok, want.AsString(), wok)
				}
			}
		})
	}
}

// TestAttrIndexFirstDuplicateWins: attributes decoded from the wire may
// repeat a key; the index keeps the one Map.Get finds, the first.
func TestAttrIndexFirstDuplicateWins(t *testing.T) {
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[
		{"key":"tokenaudit.action","value":{"stringValue":"first"}},
		{"key":"tokenaudit.action","value":{"stringValue":"second"}}]}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	if m.Len() != 2 {
		t.Fatalf("%d attributes decoded, want the 2 duplicates", m.Len())
	}
	var x attrIndex
	x.load(m)
	if got := str(&x, auditattr.Action); got != "first" {
		t.Fatalf("got %q, want the first", got)
	}
}
