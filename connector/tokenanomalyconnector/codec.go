package tokenanomalyconnector

import (
	"encoding/binary"
	"errors"
	"math"
)

// enc and dec are the little-endian encoding of saved state. dec checks
// every length, so saved state that was cut short or tampered with gives
// an error, never a panic or a giant allocation.
type enc struct{ b []byte }

func (e *enc) u8(v uint8)   { e.b = append(e.b, v) }
func (e *enc) u16(v uint16) { e.b = binary.LittleEndian.AppendUint16(e.b, v) }
func (e *enc) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *enc) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *enc) i64(v int64)  { e.u64(uint64(v)) }
func (e *enc) f32(v float32) {
	e.u32(math.Float32bits(v))
}
func (e *enc) bytes(v []byte) { e.b = append(e.b, v...) }
func (e *enc) str(s string) {
	e.u32(uint32(len(s)))
	e.b = append(e.b, s...)
}

var errTruncated = errors.New("saved state is truncated or corrupt")

type dec struct {
	b   []byte
	err error
}

func (d *dec) take(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		d.err = errTruncated
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) u8() uint8 {
	if v := d.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *dec) u16() uint16 {
	if v := d.take(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

func (d *dec) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (d *dec) u64() uint64 {
	if v := d.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (d *dec) i64() int64   { return int64(d.u64()) }
func (d *dec) f32() float32 { return math.Float32frombits(d.u32()) }

func (d *dec) str() string {
	n := d.u32()
	if int64(n) > int64(len(d.b)) {
		d.err = errTruncated
		return ""
	}
	return string(d.take(int(n)))
}

// count reads a element count and checks that at least min bytes per
// element remain, so a corrupt count cannot cause a huge allocation.
func (d *dec) count(minBytes int) int {
	n := int(d.u32())
	if d.err == nil && n*max(minBytes, 1) > len(d.b) {
		d.err = errTruncated
		return 0
	}
	return n
}
