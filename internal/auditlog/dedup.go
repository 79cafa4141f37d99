package auditlog

// recentSet remembers the last n record ids, so that a batch replayed after
// a crash is not written twice. A ring keeps memory fixed.
type recentSet struct {
	ids  map[string]struct{}
	ring []string
	next int
}

func newRecentSet(n int) *recentSet {
	if n <= 0 {
		return &recentSet{}
	}
	return &recentSet{ids: make(map[string]struct{}, n), ring: make([]string, n)}
}

func (s *recentSet) has(id string) bool {
	_, ok := s.ids[id]
	return ok
}

func (s *recentSet) add(id string) {
	if len(s.ring) == 0 || id == "" {
		return
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.ids[id] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
}
