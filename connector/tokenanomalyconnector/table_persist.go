package tokenanomalyconnector

import "encoding/binary"

// encodeTable encodes the entries of t a slice at a time (m.inSlices: the
// model lock is taken and released between slices), each as its key and
// what put writes of it; the count is filled in at the end.
func encodeTable[T any](m *model, t *table[T], put func(*enc, *T)) []byte {
	e := enc{b: make([]byte, 4)}
	next, count := 0, 0
	m.inSlices(func() bool {
		end := min(t.len(), next+saveSlice)
		for ; next < end; next++ {
			e.u64(t.keys[next])
			put(&e, t.at(int32(next)))
			count++
		}
		return next >= t.len()
	})
	binary.LittleEndian.PutUint32(e.b, uint32(count))
	return e.b
}

// decodeTable adds the entries encodeTable wrote to into; recordBytes is
// one entry's size with its key, get reads one entry after its key.
func decodeTable[T any](data []byte, recordBytes int, into *table[T], get func(*dec, *T)) error {
	d := dec{b: data}
	n := d.count(recordBytes)
	for range n {
		key := d.u64()
		var p T
		get(&d, &p)
		if d.err != nil {
			return d.err
		}
		v, _, _, _ := into.put(key)
		*v = p
	}
	return d.err
}
