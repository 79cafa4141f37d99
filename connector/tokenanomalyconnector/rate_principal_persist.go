package tokenanomalyconnector

import "encoding/binary"

// keyPrincipalRates stores rate_surge's owner baselines (principalRate):
// without them a restart would leave a user's young tokens unjudged until
// the owner has learned again.
const keyPrincipalRates = "principal_rates"

// principalRateRecordBytes is one saved owner: key, first and last seen,
// active hours, bucket, peak.
const principalRateRecordBytes = 8 + 4 + 4 + 2 + 4 + 4

// encodePrincipalRates encodes the owner baselines a slice at a time, like
// the hour profiles; the count is filled in at the end.
func (m *model) encodePrincipalRates() []byte {
	e := enc{b: make([]byte, 4)}
	next, count := 0, 0
	m.inSlices(func() bool {
		end := min(m.principalRates.len(), next+saveSlice)
		for ; next < end; next++ {
			p := m.principalRates.at(int32(next))
			e.u64(m.principalRates.keys[next])
			e.u32(p.firstSeen)
			e.u32(p.lastSeen)
			e.u16(p.activeHours)
			e.u32(p.bucket)
			e.f32(p.peak)
			count++
		}
		return next >= m.principalRates.len()
	})
	binary.LittleEndian.PutUint32(e.b, uint32(count))
	return e.b
}

// decodePrincipalRates adds the saved owner baselines in data to into.
func decodePrincipalRates(data []byte, into *table[principalRate]) error {
	d := dec{b: data}
	n := d.count(principalRateRecordBytes)
	for range n {
		key := d.u64()
		var p principalRate
		p.firstSeen, p.lastSeen, p.activeHours = d.u32(), d.u32(), d.u16()
		p.bucket, p.peak = d.u32(), d.f32()
		if d.err != nil {
			return d.err
		}
		v, _, _, _ := into.put(key)
		*v = p
	}
	return d.err
}
