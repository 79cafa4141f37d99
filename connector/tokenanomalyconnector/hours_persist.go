package tokenanomalyconnector

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
	return encodeTable(m, m.principals, func(e *enc, p *principalHours) {
		e.u32(p.firstSeen)
		e.u32(p.lastSeen)
		e.u16(p.total)
		e.bytes(p.hours[:])
	})
}

// decodePrincipals adds the saved owner profiles in data to into.
func decodePrincipals(data []byte, into *table[principalHours]) error {
	return decodeTable(data, principalRecordBytes, into, func(d *dec, p *principalHours) {
		p.firstSeen, p.lastSeen, p.total = d.u32(), d.u32(), d.u16()
		p.requests = p.total // not saved (see principalHours)
		copy(p.hours[:], d.take(len(p.hours)))
	})
}
