package tokenanomalyconnector

import (
	"encoding/binary"
	"fmt"
)

// The compact encoding of held items, written with every batch's outbox
// entry (before the batch is acknowledged, so its bytes go through the
// storage's write and fsync on the request's path): event times as the
// difference to the previous item, numbers as varints, and each string
// once per encoding, then referred to by its index. Under Zipf traffic a
// batch repeats its tokens, principals, clients and resources, so an
// item takes about a third of the first encoding's ≈ 170 bytes.
//
//	u32 heldCompactMark | u8 heldCompactVersion | uvarint count | items
//	item: varint Δat | 7 × str | varint issuedAt | varint expiresAt |
//	      16 bytes trace and span id | uvarint scopeBits | u8 flags |
//	      8 bytes parent span id (a server span's, flags bit 2; version 3) |
//	      str verified issuer (flags bit 6; version 4)
//	flags: bit 0 off_hours given; bits 1–2 the side of the request (pairs.go);
//	       bit 3 a scope or restricted verdict, bit 4 an expired, revoked or
//	       not-yet-valid verdict, bit 5 refused at authentication, bit 6 a
//	       verified issuer follows (older entries never set them)
//	str:  uvarint 0, uvarint length, bytes (a new string) | uvarint index+1
const (
	// heldCompactMark starts the compact encoding; the first encoding
	// starts with its item count, which cannot be this large.
	heldCompactMark    = 0xffff_ffff
	heldCompactVersion = 4 // 2 (no sides) and 3 (no verified issuer) are read too
	// heldCompactMin is the least an item takes.
	heldCompactMin = 1 + 7 + 1 + 1 + 16 + 1 + 1
)

// heldWriter encodes held items compactly; its zero value is ready.
type heldWriter struct {
	b      []byte
	n      int
	prevAt int64
	dict   map[string]uint32 // strings written, by index
	// last is each field's previous string and its index: types and
	// outcomes mostly repeat, and need no map lookup then.
	last    [8]string
	lastRef [8]uint32
}

// add appends one held item. Its strings may point into the batch: they
// are kept only until take.
func (w *heldWriter) add(ev *event) {
	if w.dict == nil {
		w.dict = make(map[string]uint32)
	}
	w.b = binary.AppendVarint(w.b, ev.at-w.prevAt)
	w.prevAt = ev.at
	for f, s := range heldStrings(ev) {
		w.str(f, *s)
	}
	w.b = binary.AppendVarint(w.b, ev.issuedAt)
	w.b = binary.AppendVarint(w.b, ev.expiresAt)
	w.b = append(w.b, ev.traceID[:]...)
	w.b = append(w.b, ev.spanID[:]...)
	w.b = binary.AppendUvarint(w.b, ev.scopeBits)
	flags := ev.side << 1
	if ev.hoursSettled {
		flags |= 1
	}
	if ev.resourceAlerted {
		flags |= 1 << 3
	}
	if ev.lapsed {
		flags |= 1 << 4
	}
	if ev.refusedAuth {
		flags |= 1 << 5
	}
	if ev.verifiedIssuer != "" {
		flags |= 1 << 6
	}
	w.b = append(w.b, flags)
	if ev.side == sideServer {
		w.b = append(w.b, ev.pairID[:]...)
	}
	if ev.verifiedIssuer != "" {
		w.str(7, ev.verifiedIssuer) // after the seven of heldStrings
	}
	w.n++
}

func (w *heldWriter) str(field int, s string) {
	i, ok := w.lastRef[field], w.n > 0 && s == w.last[field]
	if !ok {
		i, ok = w.dict[s]
	}
	if !ok {
		i = uint32(len(w.dict))
		w.dict[s] = i
		w.b = append(w.b, 0)
		w.b = binary.AppendUvarint(w.b, uint64(len(s)))
		w.b = append(w.b, s...)
	} else {
		w.b = binary.AppendUvarint(w.b, uint64(i)+1)
	}
	w.last[field], w.lastRef[field] = s, i
}

// take returns the encoding of the items added since the last take and
// starts anew, keeping its buffers.
func (w *heldWriter) take() []byte {
	out := make([]byte, 0, 5+binary.MaxVarintLen64+len(w.b))
	out = binary.LittleEndian.AppendUint32(out, heldCompactMark)
	out = append(out, heldCompactVersion)
	out = binary.AppendUvarint(out, uint64(w.n))
	out = append(out, w.b...)
	w.b, w.n, w.prevAt = w.b[:0], 0, 0
	clear(w.dict) // its keys may point into the batch
	clear(w.last[:])
	return out
}

func isCompactHeld(data []byte) bool {
	return len(data) >= 4 && binary.LittleEndian.Uint32(data) == heldCompactMark
}

// heldReader reads the compact encoding, checking every length and index
// (dec's checks, and the varints' and string references').
type heldReader struct {
	dec
	dict []string
}

func decodeCompactHeld(data []byte, each func(*event)) error {
	r := heldReader{dec: dec{b: data[4:]}}
	version := r.u8()
	if r.err == nil && (version < 2 || version > heldCompactVersion) {
		return fmt.Errorf("held items: encoding version %d, want 2 to %d", version, heldCompactVersion)
	}
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)/heldCompactMin) {
		return fmt.Errorf("held items: %d items in %d bytes: %w", n, len(r.b), errTruncated)
	}
	var at int64
	for range n {
		var ev event
		at += r.varint()
		ev.at = at
		for _, s := range heldStrings(&ev) {
			*s = r.str()
		}
		ev.issuedAt = r.varint()
		ev.expiresAt = r.varint()
		copy(ev.traceID[:], r.take(len(ev.traceID)))
		copy(ev.spanID[:], r.take(len(ev.spanID)))
		ev.scopeBits = r.uvarint()
		flags := r.u8()
		ev.hoursSettled = flags&1 != 0
		ev.resourceAlerted = flags&(1<<3) != 0
		ev.lapsed = flags&(1<<4) != 0
		ev.refusedAuth = flags&(1<<5) != 0
		switch ev.side = flags >> 1 & 3; ev.side {
		case sideClient:
			ev.pairID = ev.spanID
		case sideServer:
			copy(ev.pairID[:], r.take(len(ev.pairID)))
		}
		if version >= 4 && flags&(1<<6) != 0 {
			ev.verifiedIssuer = r.str()
		}
		if r.err != nil {
			return fmt.Errorf("held items: %w", r.err)
		}
		each(&ev)
	}
	if r.err != nil {
		return fmt.Errorf("held items: %w", r.err)
	}
	return nil
}

func (r *heldReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err = errTruncated
		return 0
	}
	r.b = r.b[k:]
	return v
}

// varint undoes binary.AppendVarint's zigzag encoding.
func (r *heldReader) varint() int64 {
	u := r.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (r *heldReader) str() string {
	ref := r.uvarint()
	if r.err != nil {
		return ""
	}
	if ref > 0 {
		if ref > uint64(len(r.dict)) {
			r.err = fmt.Errorf("string %d of %d: %w", ref-1, len(r.dict), errTruncated)
			return ""
		}
		return r.dict[ref-1]
	}
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)) {
		r.err = errTruncated
		return ""
	}
	s := string(r.take(int(n)))
	r.dict = append(r.dict, s)
	return s
}
