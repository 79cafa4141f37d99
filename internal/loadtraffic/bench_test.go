package loadtraffic

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// BenchmarkRequest: what one 1,000-span request costs the load generator
// to make, as pdata marshalled to protobuf (what it did before) and
// encoded straight from the draws (what it sends now).
func BenchmarkRequest(b *testing.B) {
	tr, err := New(10_000, []byte(testSecret), "demo", time.Now(), 1)
	if err != nil {
		b.Fatal(err)
	}
	s := tr.Stream(1)
	b.Run("pdata+marshal", func(b *testing.B) {
		for b.Loop() {
			req, err := ptraceotlp.NewExportRequestFromTraces(s.Request(1000, time.Now())).MarshalProto()
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(req)))
		}
	})
	b.Run("append", func(b *testing.B) {
		var req []byte
		for b.Loop() {
			req = s.AppendRequest(req[:0], 1000, time.Now())
			b.SetBytes(int64(len(req)))
		}
	})
}
