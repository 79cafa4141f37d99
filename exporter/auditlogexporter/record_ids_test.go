package auditlogexporter

import (
	"fmt"
	"strings"
	"testing"
)

// TestIDBlocksKeepEveryString: ids interned batch after batch keep their
// bytes while later batches fill the same block and the batch's buffer is
// overwritten, and batches too large for a block get their own string.
func TestIDBlocksKeepEveryString(t *testing.T) {
	var x idBlocks
	var buf []byte
	var got, want []string
	for i, n := range []int{1, 1, 3, 2, 64, 65, 1, 200, 5} {
		buf = buf[:0]
		for k := range n {
			buf = fmt.Appendf(buf, "%032x", i*1000+k)
		}
		got = append(got, x.intern(buf))
		want = append(want, string(buf))
		for k := range buf {
			buf[k] = 'X' // the batch's buffer is reused
		}
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("batch %d: %q, want %q", i, got[i], want[i])
		}
	}
	if x.intern(nil) != "" || strings.Contains(strings.Join(got, ""), "X") {
		t.Fatal("an id string shares bytes with the batch's buffer")
	}
}

// TestIDBlocksAllocateOncePerBlock: a pooled batch of one record, batch
// after batch, allocates once per block, not once per batch.
func TestIDBlocksAllocateOncePerBlock(t *testing.T) {
	var x idBlocks
	id := []byte(strings.Repeat("ab", uidLen/2))
	for range 10 {
		x.intern(id) // grow to full blocks
	}
	kept := make([]string, 0, 2000) // as the log's replay window keeps them
	if n := testing.AllocsPerRun(1000, func() { kept = append(kept, x.intern(id)) }); n > 0.05 {
		t.Fatalf("%.3f allocations per batch, want one per %d batches", n, idBlockSize/uidLen)
	}
}
