package report

import "sort"

// topMap keeps at most about 2×limit keys: when it reaches that, it keeps
// the limit keys with the highest counts and folds the rest into
// DroppedKeys/DroppedCount. A key dropped and seen again starts from zero,
// so kept counts are lower bounds once anything was dropped.
type topMap[V any] struct {
	m            map[string]*V
	limit        int
	count        func(*V) int64
	droppedKeys  int64
	droppedCount int64
}

func newTopMap[V any](limit int, count func(*V) int64) *topMap[V] {
	return &topMap[V]{m: map[string]*V{}, limit: max(limit, 1), count: count}
}

// get returns the value of key, creating it (and pruning) when new.
func (t *topMap[V]) get(key string) *V {
	if v, ok := t.m[key]; ok {
		return v
	}
	if len(t.m) >= 2*t.limit {
		t.prune()
	}
	v := new(V)
	t.m[key] = v
	return v
}

// prune keeps the limit highest counts.
func (t *topMap[V]) prune() {
	keys := t.sorted()
	for _, k := range keys[t.limit:] {
		t.droppedKeys++
		t.droppedCount += t.count(t.m[k])
		delete(t.m, k)
	}
}

// sorted lists the keys by count, highest first, then by key.
func (t *topMap[V]) sorted() []string {
	keys := make([]string, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ci, cj := t.count(t.m[keys[i]]), t.count(t.m[keys[j]])
		if ci != cj {
			return ci > cj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// top returns at most limit keys, highest counts first.
func (t *topMap[V]) top() []string {
	keys := t.sorted()
	if len(keys) > t.limit {
		return keys[:t.limit]
	}
	return keys
}

// rest is what top leaves out: dropped keys plus kept keys past limit.
func (t *topMap[V]) rest() (keys, count int64) {
	keys, count = t.droppedKeys, t.droppedCount
	sorted := t.sorted()
	for _, k := range sorted[min(len(sorted), t.limit):] {
		keys++
		count += t.count(t.m[k])
	}
	return keys, count
}

func (t *topMap[V]) size() int { return len(t.m) }

// counter is a topMap of plain counts.
type counter struct{ *topMap[int64] }

func newCounter(limit int) counter {
	return counter{newTopMap(limit, func(n *int64) int64 { return *n })}
}

func (c counter) add(key string, n int64) { *c.get(key) += n }

// Count is one key of a capped counter in the report.
type Count struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// Counts is a capped counter in the report: the top keys and what the cap
// left out.
type Counts struct {
	Top        []Count `json:"top"`
	OtherKeys  int64   `json:"other_keys,omitempty"`
	OtherCount int64   `json:"other_count,omitempty"`
}

func (c counter) report() Counts {
	var out Counts
	for _, k := range c.top() {
		out.Top = append(out.Top, Count{k, *c.m[k]})
	}
	out.OtherKeys, out.OtherCount = c.rest()
	return out
}

// sortByCount sorts keys by their count, highest first, then by key.
func sortByCount(keys []string, n map[string]int64) {
	sort.Slice(keys, func(i, j int) bool {
		if n[keys[i]] != n[keys[j]] {
			return n[keys[i]] > n[keys[j]]
		}
		return keys[i] < keys[j]
	})
}
