package tokenanomalyconnector

import "go.uber.org/zap"

// keyPrincipalRates stores rate_surge's owner baselines (principalRate):
// without them a restart would leave a user's young tokens unjudged until
// the owner has learned again.
const keyPrincipalRates = "principal_rates"

// principalRateRecordBytes is one saved owner: key, first and last seen,
// active hours, bucket, peak, multi_address spread (not in
// stateVersionNoNewAt).
const principalRateRecordBytes = 8 + 4 + 4 + 2 + 4 + 4 + 1

// encodePrincipalRates encodes the owner baselines a slice at a time, like
// the hour profiles; the count is filled in at the end.
func (m *model) encodePrincipalRates() []byte {
	return encodeTable(m, m.principalRates, func(e *enc, p *principalRate) {
		e.u32(p.firstSeen)
		e.u32(p.lastSeen)
		e.u16(p.activeHours)
		e.u32(p.bucket)
		e.f32(p.peak)
		e.u8(p.multiPeak)
	})
}

// decodePrincipalRates adds the saved owner baselines in data to into.
func decodePrincipalRates(data []byte, into *table[principalRate], version uint32) error {
	size := principalRateRecordBytes
	if version == stateVersionNoNewAt {
		size--
	}
	return decodeTable(data, size, into, func(d *dec, p *principalRate) {
		p.firstSeen, p.lastSeen, p.activeHours = d.u32(), d.u32(), d.u16()
		p.bucket, p.peak = d.u32(), d.f32()
		if version != stateVersionNoNewAt {
			p.multiPeak = d.u8()
		}
	})
}

// keyOwnerResources stores the owners' resource novelty (principalRate's
// res* fields) apart from the baselines, so that state saved before it
// loads as it was and the owners relearn their resources.
const keyOwnerResources = "owner_resources"

// ownerResourceRecordBytes is one saved owner: key, resNovelAt, resQuiet,
// resNovel.
const ownerResourceRecordBytes = 8 + 4 + 2 + 1

func (m *model) encodeOwnerResources() []byte {
	return encodeTable(m, m.principalRates, func(e *enc, p *principalRate) {
		e.u32(p.resNovelAt)
		e.u16(p.resQuiet)
		e.u8(p.resNovel)
	})
}

// decodeOwnerResources sets the saved resource novelty of the owners in
// into (decoded before it); an owner no longer there is skipped.
func decodeOwnerResources(data []byte, into *table[principalRate]) error {
	return decodeOwnerFields(data, ownerResourceRecordBytes, into, func(d *dec, p *principalRate) {
		p.resNovelAt, p.resQuiet, p.resNovel = d.u32(), d.u16(), d.u8()
	})
}

// decodeOwnerFields sets, from data, fields kept apart from the owners'
// baselines on the owners in into (decoded before them): records of
// recordBytes, each an owner's key and what read takes. An owner no
// longer there is read into a scratch owner and dropped; on an error the
// caller learns every owner's fields anew, so a half-read record does no
// harm.
func decodeOwnerFields(data []byte, recordBytes int, into *table[principalRate], read func(*dec, *principalRate)) error {
	d := dec{b: data}
	n := d.count(recordBytes)
	var gone principalRate
	for range n {
		p := into.get(d.u64())
		if p == nil {
			p = &gone
		}
		read(&d, p)
		if d.err != nil {
			return d.err
		}
	}
	return d.err
}

// loadOwnerResources sets the owners' saved resource novelty from data.
// Without it (saved by a version that kept no owner pairs, or unreadable)
// the owners' resources are learned anew from watermark: their (owner,
// resource) pairs are not in the first-seen filter, so an owner that
// looked settled would take its usual routes for news.
func (m *model) loadOwnerResources(data []byte, into *table[principalRate], watermark int64) error {
	m.loadOwnerFields(data, "resources", func() error { return decodeOwnerResources(data, into) },
		func() { relearnOwnerResources(into, watermark) })
	return nil
}

// loadOwnerFields decodes fields saved apart from the owners' baselines;
// without data, or when decode fails (it may have set some owners),
// every owner learns them anew (relearn) and a failure is logged.
func (m *model) loadOwnerFields(data []byte, what string, decode func() error, relearn func()) {
	if data != nil {
		err := decode()
		if err == nil {
			return
		}
		m.logger.Warn("Ignored the saved owners' "+what+"; they are learned anew", zap.Error(err))
	}
	relearn()
}

// relearnOwnerResources makes every owner's resources new from at (unix
// ms): none is judged by its owner before learning_period has passed.
func relearnOwnerResources(t *table[principalRate], at int64) {
	for i := range t.len() {
		p := t.at(int32(i))
		p.resNovelAt, p.resQuiet, p.resNovel = uint32(max(at, 0)/1000), 0, 0
	}
}

// keyOwnerLongRates stores the owners' hour scale (principalRate's long*
// fields) apart from the baselines, so that state saved before it loads as
// it was and the owners learn their hour peaks anew.
const keyOwnerLongRates = "owner_long_rates"

// ownerLongRecordBytes is one saved owner: key, longPeak, longPending,
// longWaiting, longWindow, longFrom.
const ownerLongRecordBytes = 8 + 4 + 4 + 4 + 4 + 4

func (m *model) encodeOwnerLongRates() []byte {
	return encodeTable(m, m.principalRates, func(e *enc, p *principalRate) {
		e.f32(p.longPeak)
		e.f32(p.longPending)
		e.f32(p.longWaiting)
		e.u32(p.longWindow)
		e.u32(p.longFrom)
	})
}

// loadOwnerLongRates sets the owners' saved hour scale from data (the
// owners decoded before it; one no longer there is skipped). Without it,
// or unreadable, every owner learns its hour peak anew from watermark: an
// owner whose peak is 0 would take its tokens' usual hours for surges.
func (m *model) loadOwnerLongRates(data []byte, into *table[principalRate], watermark int64) error {
	// Every owner learns anew first: one the saved data does not cover (its
	// slot was reused between the save of the baselines and of this) must
	// not be judged at once on a peak of 0.
	relearn := func() {
		for i := range into.len() {
			p := into.at(int32(i))
			p.longPeak, p.longPending, p.longWaiting, p.longWindow, p.longFrom = 0, 0, 0, 0, uint32(max(watermark, 0)/1000)
		}
	}
	relearn()
	if data != nil {
		m.loadOwnerFields(data, "hour rates", func() error { return decodeOwnerLongRates(data, into) }, relearn)
	}
	return nil
}

func decodeOwnerLongRates(data []byte, into *table[principalRate]) error {
	return decodeOwnerFields(data, ownerLongRecordBytes, into, func(d *dec, p *principalRate) {
		p.longPeak, p.longPending, p.longWaiting, p.longWindow, p.longFrom = d.f32(), d.f32(), d.f32(), d.u32(), d.u32()
	})
}

// keyOwnerMinuteRates stores the owners' open minute bucket and waiting
// surge (principalRate's open* and surge* fields) apart from the
// baselines, so that state saved before them loads as it was.
const keyOwnerMinuteRates = "owner_minute_rates"

// ownerMinuteRecordBytes is one saved owner: key, openBucket, openMax,
// openSurged, surgeMax, surgeAt.
const ownerMinuteRecordBytes = 8 + 4 + 4 + 1 + 4 + 4

func (m *model) encodeOwnerMinuteRates() []byte {
	return encodeTable(m, m.principalRates, func(e *enc, p *principalRate) {
		var surged uint8
		if p.openSurged {
			surged = 1
		}
		e.u32(p.openBucket)
		e.f32(p.openMax)
		e.u8(surged)
		e.f32(p.surgeMax)
		e.u32(p.surgeAt)
	})
}

// loadOwnerMinuteRates sets the owners' saved open minute and last surge
// episode from data. Without it, or unreadable, each owner starts a new
// open bucket with no surge episode: at most a minute's count and one
// surge go unlearned.
// The owners were just decoded with these fields at zero, so only a
// failed decode has anything to clear.
func (m *model) loadOwnerMinuteRates(data []byte, into *table[principalRate]) error {
	m.loadOwnerFields(data, "minute rates", func() error { return decodeOwnerMinuteRates(data, into) }, func() {
		for i := range into.len() {
			p := into.at(int32(i))
			p.openBucket, p.openMax, p.openSurged, p.surgeMax, p.surgeAt = 0, 0, false, 0, 0
		}
	})
	return nil
}

func decodeOwnerMinuteRates(data []byte, into *table[principalRate]) error {
	return decodeOwnerFields(data, ownerMinuteRecordBytes, into, func(d *dec, p *principalRate) {
		p.openBucket, p.openMax, p.openSurged, p.surgeMax, p.surgeAt = d.u32(), d.f32(), d.u8() != 0, d.f32(), d.u32()
	})
}
