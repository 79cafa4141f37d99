package tokenanomalyconnector

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// heldBatch is n held items of a batch under Zipf traffic over tokens
// tokens, as ingest leaves them for logHeld.
func heldBatch(n, tokens int, seed uint64) []event {
	r := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(r, 1.1, 1, uint64(tokens-1))
	resources := []string{"GET /v1/orders/{id}", "POST /v1/orders", "GET /v1/customers/{id}", "DELETE /v1/carts/{id}"}
	outcomes := []string{auditattr.OutcomeSuccess, auditattr.OutcomeSuccess, auditattr.OutcomeFailure, auditattr.OutcomeDenied}
	evs := make([]event, n)
	for i := range evs {
		t := z.Uint64()
		ev := &evs[i]
		ev.at = t0.UnixMilli() + int64(i)
		ev.tokenID = fmt.Sprintf("tk_%032x", t)
		ev.tokenType = auditattr.TypeJWT
		ev.principal = fmt.Sprintf("user-%d@example.com", t)
		ev.principalType = auditattr.PrincipalUser
		ev.resource = resources[r.IntN(len(resources))]
		ev.outcome = outcomes[r.IntN(len(outcomes))]
		ev.client = fmt.Sprintf("10.%d.%d.%d", t>>16&255, t>>8&255, t&255)
		ev.issuedAt, ev.expiresAt = ev.at-86_400_000, ev.at+30*86_400_000
		ev.traceID[0], ev.traceID[15], ev.spanID[7] = byte(i), byte(i>>8), byte(i)
		ev.scopeBits = uint64(t % 7)
		ev.hoursSettled = i%9 == 0
		ev.resourceAlerted = i%5 == 0
		ev.lapsed = i%7 == 0
		ev.refusedAuth = i%11 == 0
		if i%3 == 0 {
			ev.verifiedIssuer = fmt.Sprintf("https://idp-%d.example", t%3)
		}
		switch i % 4 { // a log record; a client span; server spans of instrumented callers
		case 1:
			ev.side, ev.pairID = sideClient, ev.spanID
		case 2, 3:
			ev.side, ev.pairID = sideServer, pcommon.SpanID{byte(i), 3, byte(i >> 8)}
		}
	}
	return evs
}

// withoutSides is evs as encodings without the sides of a request (nor
// the resource and lapsed verdict flags, nor the verified issuer) read
// them back.
func withoutSides(evs []event) []event {
	out := withoutIssuers(evs)
	for i := range out {
		out[i].side, out[i].pairID = sideNone, pcommon.SpanID{}
		out[i].resourceAlerted, out[i].lapsed, out[i].refusedAuth = false, false, false
	}
	return out
}

// withoutIssuers is evs as version 3 read them back.
func withoutIssuers(evs []event) []event {
	out := slices.Clone(evs)
	for i := range out {
		out[i].verifiedIssuer = ""
	}
	return out
}

// encodeHeldV3 is the compact encoding before the verified issuer.
func encodeHeldV3(evs []event) []byte {
	b := encodeCompact(withoutIssuers(evs))
	b[4] = 3
	return b
}

// encodeHeldV2 is the compact encoding before the sides of a request
// (version 2): it stored flags without them and no parent span id.
func encodeHeldV2(evs []event) []byte {
	b := encodeCompact(withoutSides(evs))
	b[4] = 2
	return b
}

// encodeHeldV1 is the first encoding, as earlier versions stored it.
func encodeHeldV1(evs []event) []byte {
	e := enc{b: make([]byte, 0, len(evs)*256)}
	e.u32(uint32(len(evs)))
	for i := range evs {
		ev := &evs[i]
		e.i64(ev.at)
		for _, s := range [...]string{ev.tokenID, ev.tokenType, ev.principal, ev.principalType, ev.resource, ev.outcome, ev.client} {
			e.str(s)
		}
		e.i64(ev.issuedAt)
		e.i64(ev.expiresAt)
		e.bytes(ev.traceID[:])
		e.bytes(ev.spanID[:])
		e.u64(ev.scopeBits)
		var flags uint8
		if ev.hoursSettled {
			flags = 1
		}
		e.u8(flags)
	}
	return e.b
}

func encodeCompact(evs []event) []byte {
	var w heldWriter
	for i := range evs {
		w.add(&evs[i])
	}
	return w.take()
}

func decodeAll(t *testing.T, data []byte) []event {
	var got []event
	require.NoError(t, decodeHeldItems(data, func(ev *event) { got = append(got, *ev) }))
	return got
}

// TestHeldEncodingRoundTrips: both encodings read back every field the
// stateful detectors and the alerts use; a writer reused across batches
// starts each one anew.
func TestHeldEncodingRoundTrips(t *testing.T) {
	first, second := heldBatch(500, 200, 1), heldBatch(300, 50, 2)
	second[0].principal, second[1].tokenID = "", ""         // empty strings are strings too
	second[2].at, second[3].issuedAt = second[1].at-5000, 0 // event time going back; no issue date
	var w heldWriter
	for _, tc := range []struct {
		name string
		evs  []event
		data func([]event) []byte
	}{
		{name: "compact", evs: first, data: encodeCompact},
		{name: "first encoding (stored by earlier versions)", evs: withoutSides(first), data: encodeHeldV1},
		{name: "version 2 (stored by earlier versions)", evs: withoutSides(first), data: encodeHeldV2},
		{name: "version 3 (stored by earlier versions)", evs: withoutIssuers(first), data: encodeHeldV3},
		{name: "one writer, first batch", evs: first, data: func(evs []event) []byte {
			for i := range evs {
				w.add(&evs[i])
			}
			return w.take()
		}},
		{name: "one writer, next batch", evs: second, data: func(evs []event) []byte {
			for i := range evs {
				w.add(&evs[i])
			}
			return w.take()
		}},
		{name: "empty", evs: nil, data: encodeCompact},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeAll(t, tc.data(tc.evs))
			require.Len(t, got, len(tc.evs))
			for i := range tc.evs {
				assert.Equal(t, tc.evs[i], got[i], "item %d", i)
			}
		})
	}
}

// TestHeldEncodingIsCompact: under Zipf traffic the compact encoding
// stores a batch's held items in well under half the bytes.
func TestHeldEncodingIsCompact(t *testing.T) {
	evs := heldBatch(1000, 10_000, 3)
	v1, compact := len(encodeHeldV1(evs)), len(encodeCompact(evs))
	t.Logf("1,000 held items: %d bytes, compact %d (%.0f and %.0f per item)", v1, compact, float64(v1)/1000, float64(compact)/1000)
	assert.Less(t, compact, v1*45/100)
}

// TestCorruptHeldItemsAreRejected: stored held items cut short or
// tampered with give an error, never a panic or a giant allocation.
func TestCorruptHeldItemsAreRejected(t *testing.T) {
	good := encodeCompact(heldBatch(20, 5, 4))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{name: "unknown version", data: append(append([]byte{}, good[:4]...), 9)},
		{name: "count beyond the data", data: append(append([]byte{}, good[:5]...), 0xff, 0xff, 0xff, 0xff, 0x0f)},
		{name: "string index beyond those read", data: func() []byte {
			b := append([]byte{}, good[:6]...) // mark, version, count 20
			b = append(b, good[6:12]...)       // Δat of the first item (6 bytes)
			return append(b, 9, 0, 0, 0, 0, 0) // a reference to string 8 of none
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Error(t, decodeHeldItems(tc.data, func(*event) {}))
		})
	}
	for n := 4; n < len(good); n++ {
		assert.Error(t, decodeHeldItems(good[:n], func(*event) {}), "cut at %d of %d bytes", n, len(good))
	}
}

// BenchmarkHeldEntry measures encoding a batch's 1,000 held items (Zipf
// over 10,000 tokens) and the bytes each takes, in the first encoding and
// the compact one.
func BenchmarkHeldEntry(b *testing.B) {
	evs := heldBatch(1000, 10_000, 5)
	for _, tc := range []struct {
		name string
		enc  func([]event) []byte
	}{
		// As logHeld and takeHeld did: one reused buffer, copied out.
		{name: "first", enc: func() func([]event) []byte {
			var buf []byte
			return func(evs []event) []byte {
				buf = append(buf[:0], encodeHeldV1(evs)...)
				return slices.Clone(buf)
			}
		}()},
		{name: "compact", enc: func() func([]event) []byte {
			var w heldWriter
			return func(evs []event) []byte {
				for i := range evs {
					w.add(&evs[i])
				}
				return w.take()
			}
		}()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(tc.enc(evs))
			}
			b.ReportMetric(float64(n)/float64(len(evs)), "B/item")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/item")
		})
	}
}
