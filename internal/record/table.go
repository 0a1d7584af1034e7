package record

import "math/bits"

// The importer looks up every row's customer and source id in tables of
// up to tens of millions of 64-bit hashes. Go maps spend a fifth of the
// import's CPU there (they hash the hash again and match control bytes)
// and, being sized by powers of two, up to twice the memory needed. These
// tables probe linearly from a position taken from the hash itself, keep
// each key beside its value (one cache miss per lookup, which is what a
// table of millions of random keys costs) in pointer-free arrays the
// garbage collector never scans, and grow by half at 80% load. The key 0
// marks an empty slot; a real key 0 is kept aside in the last entry.

const maxLoadPct = 80

// slotsFor is the capacity that holds n keys under the maximum load, with
// room for the n-th.
func slotsFor(n int) int {
	return max(16, n*100/maxLoadPct+n/16+1)
}

// home is k's first probe position among n slots: the hash is multiplied
// by an odd constant to spread FNV's weaker high bits, then mapped onto
// the slots without a division (the high word of a 64×64 product).
func home(k uint64, n int) int {
	hi, _ := bits.Mul64(k*0x9E3779B97F4A7C15, uint64(n))
	return int(hi)
}

// idTable maps a hash to an int32 (a customer's slot in the index).
type idTable struct {
	e    []idEntry // len(e)-1 slots, then the zero key's entry
	n    int
	zero bool
}

type idEntry struct {
	key uint64
	val int32
}

func newIDTable(n int) *idTable {
	return &idTable{e: make([]idEntry, slotsFor(n)+1)}
}

// find returns k's index and true, or the empty slot where it belongs.
func (t *idTable) find(k uint64) (int, bool) {
	slots := len(t.e) - 1
	if k == 0 {
		return slots, t.zero
	}
	for i := home(k, slots); ; {
		switch t.e[i].key {
		case k:
			return i, true
		case 0:
			return i, false
		}
		if i++; i == slots {
			i = 0
		}
	}
}

func (t *idTable) get(k uint64) (int32, bool) {
	i, ok := t.find(k)
	return t.e[i].val, ok
}

// peek loads k's home slot and returns its key, for readAhead.
func (t *idTable) peek(k uint64) uint64 {
	return t.e[home(k, len(t.e)-1)].key
}

// add inserts k → v unless k is present; it reports whether it inserted.
func (t *idTable) add(k uint64, v int32) bool {
	if (t.n+1)*100 > (len(t.e)-1)*maxLoadPct {
		t.grow()
	}
	i, ok := t.find(k)
	if ok {
		return false
	}
	t.e[i] = idEntry{key: k, val: v}
	t.zero = t.zero || k == 0
	t.n++
	return true
}

func (t *idTable) grow() {
	old := t.e
	zero := t.zero
	*t = *newIDTable(t.n + t.n/2 + 1)
	for _, e := range old[:len(old)-1] {
		if e.key != 0 {
			t.add(e.key, e.val)
		}
	}
	if zero {
		t.add(0, old[len(old)-1].val)
	}
}

// recordTable maps a source-id hash to what the importer knows of it: the
// content hash stored for the month (when stored) and the file row that
// carried it (0 until seen in this file). One table serves both the
// idempotency check and the duplicate check, so a re-import of a month
// holds each source id once, and a row costs one probe.
type recordTable struct {
	e    []recordEntry
	n    int
	zero bool
}

type recordEntry struct {
	key     uint64
	content uint64
	row     int32
	stored  bool
}

func newRecordTable(n int) *recordTable {
	return &recordTable{e: make([]recordEntry, slotsFor(n)+1)}
}

// entry returns k's entry, inserting it when absent. The pointer is valid
// until the next insertion.
func (t *recordTable) entry(k uint64) *recordEntry {
	if (t.n+1)*100 > (len(t.e)-1)*maxLoadPct {
		t.grow()
	}
	slots := len(t.e) - 1
	if k == 0 {
		if !t.zero {
			t.zero = true
			t.n++
		}
		return &t.e[slots]
	}
	for i := home(k, slots); ; {
		switch t.e[i].key {
		case k:
			return &t.e[i]
		case 0:
			t.e[i].key = k
			t.n++
			return &t.e[i]
		}
		if i++; i == slots {
			i = 0
		}
	}
}

// peek loads k's home slot and returns its key, for readAhead.
func (t *recordTable) peek(k uint64) uint64 {
	return t.e[home(k, len(t.e)-1)].key
}

// store records the content hash stored for k.
func (t *recordTable) store(k, content uint64) {
	e := t.entry(k)
	e.content, e.stored = content, true
}

// see marks k as carried by file row num. It returns the row that carried
// it before (0 when none) and, when it was stored, the content hash stored.
func (t *recordTable) see(k uint64, num int32) (first int32, content uint64, stored bool) {
	e := t.entry(k)
	first = e.row
	if first == 0 {
		e.row = num
	}
	return first, e.content, e.stored
}

func (t *recordTable) grow() {
	old := t.e
	zero := t.zero
	*t = *newRecordTable(t.n + t.n/2 + 1)
	for _, e := range old[:len(old)-1] {
		if e.key != 0 {
			*t.entry(e.key) = e
		}
	}
	if zero {
		*t.entry(0) = old[len(old)-1]
	}
}
