package tokenanomalyconnector

import "encoding/binary"

// keyPrincipals stores off_hours' owner profiles (principalHours): without
// them a restart would leave a user's new token unjudged for a learning
// period.
const keyPrincipals = "principals"

// principalRecordBytes is one saved principal: key, first and last seen,
// total, profile.
const principalRecordBytes = 8 + 4 + 4 + 2 + hourSlots/2

// encodePrincipals encodes the owner profiles a slice at a time, like the
// findings; the count is filled in at the end.
func (m *model) encodePrincipals() []byte {
	e := enc{b: make([]byte, 4)}
	next, count := 0, 0
	m.inSlices(func() bool {
		end := min(m.principals.len(), next+saveSlice)
		for ; next < end; next++ {
			p := m.principals.at(int32(next))
			e.u64(m.principals.keys[next])
			e.u32(p.firstSeen)
			e.u32(p.lastSeen)
			e.u16(p.total)
			e.bytes(p.hours[:])
			count++
		}
		return next >= m.principals.len()
	})
	binary.LittleEndian.PutUint32(e.b, uint32(count))
	return e.b
}

// decodePrincipals adds the saved owner profiles in data to into.
func decodePrincipals(data []byte, into *table[principalHours]) error {
	d := dec{b: data}
	n := d.count(principalRecordBytes)
	for range n {
		key := d.u64()
		var p principalHours
		p.firstSeen, p.lastSeen, p.total = d.u32(), d.u32(), d.u16()
		copy(p.hours[:], d.take(len(p.hours)))
		if d.err != nil {
			return d.err
		}
		v, _, _, _ := into.put(key)
		*v = p
	}
	return d.err
}
