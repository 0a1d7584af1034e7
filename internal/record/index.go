package record

import (
	"context"
	"fmt"
	"slices"

	"cmhub/internal/platform"
)

// The importer resolves every row against three indexes built once per
// import from set-based reads: the institution's customers by ID number,
// their attributions overlapping the month, and its people's units over
// the month. They are flat arrays of small integers, not maps of structs,
// so that ten million customers fit in a few hundred megabytes and the
// garbage collector has no pointers to chase.

// customers indexes the institution's customers by the hash of their
// normalised ID number; slot i holds id[i], branch[i] (an index into
// branches) and the attribution rows att[attStart[i]:attStart[i+1]].
type customers struct {
	slot     map[uint64]int32
	id       []int64
	branch   []int32
	branches []int64
	attStart []int32
	att      []attRow
	// collided holds hashes shared by two different ID numbers: such a
	// customer cannot be resolved by hash and is reported, never guessed.
	collided map[uint64]bool
}

// attRow is one attribution row: a person (index into people.ids), a share
// and its validity [from, to) in day numbers.
type attRow struct {
	person   int32
	share    int16
	from, to int32
}

// CustomerKey is what the store streams per customer.
type CustomerKey struct {
	ID       int64
	IDNumber string
	BranchID int64
}

// AttributionSpan is what the store streams per attribution row.
type AttributionSpan struct {
	CustomerID int64
	PersonID   int64
	ShareBP    int
	From, To   platform.Date
}

// Span is a person's unit over [From, To).
type Span struct {
	PersonID int64
	EmpNo    string
	UnitID   int64
	From, To platform.Date
}

// people indexes the managers: their ids, employee numbers and unit spans.
type people struct {
	index map[int64]int32
	ids   []int64
	empNo map[string]int32
	spans [][]span
}

type span struct {
	unit     int64
	from, to int32
}

func newPeople(spans []Span) *people {
	p := &people{index: map[int64]int32{}, empNo: map[string]int32{}}
	for _, s := range spans {
		i, ok := p.index[s.PersonID]
		if !ok {
			i = int32(len(p.ids))
			p.index[s.PersonID] = i
			p.ids = append(p.ids, s.PersonID)
			p.spans = append(p.spans, nil)
			p.empNo[s.EmpNo] = i
		}
		p.spans[i] = append(p.spans[i], span{unit: s.UnitID, from: epochDay(s.From), to: toDay(s.To)})
	}
	return p
}

// toDay converts an exclusive end date; the open end stays far away.
func toDay(d platform.Date) int32 {
	if d.IsZero() || d.IsEndOfTime() {
		return 1 << 30
	}
	return epochDay(d)
}

// unitOn returns the unit of person i on day, or 0 when they had none.
func (p *people) unitOn(i int32, day int32) int64 {
	for _, s := range p.spans[i] {
		if s.from <= day && day < s.to {
			return s.unit
		}
	}
	return 0
}

// person returns the index of a person id, adding one without spans (a
// manager who left before the month but still holds attributions).
func (p *people) person(id int64) int32 {
	if i, ok := p.index[id]; ok {
		return i
	}
	i := int32(len(p.ids))
	p.index[id] = i
	p.ids = append(p.ids, id)
	p.spans = append(p.spans, nil)
	return i
}

// loadCustomers builds the customer index: customers stream in by id, then
// their attributions overlapping the month, also by customer id, are
// merged in.
func loadCustomers(ctx context.Context, st Store, inst int64, month platform.Period, ppl *people, sizeHint int) (*customers, error) {
	c := &customers{slot: make(map[uint64]int32, sizeHint), collided: map[uint64]bool{}}
	branchIdx := map[int64]int32{}
	err := st.EachCustomerKey(ctx, inst, func(k CustomerKey) error {
		h := keyHash(k.IDNumber)
		if _, dup := c.slot[h]; dup {
			c.collided[h] = true
			return nil
		}
		b, ok := branchIdx[k.BranchID]
		if !ok {
			b = int32(len(c.branches))
			branchIdx[k.BranchID] = b
			c.branches = append(c.branches, k.BranchID)
		}
		if n := len(c.id); n > 0 && c.id[n-1] >= k.ID {
			return fmt.Errorf("customers out of order at id %d", k.ID)
		}
		c.slot[h] = int32(len(c.id))
		c.id = append(c.id, k.ID)
		c.branch = append(c.branch, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	c.attStart = make([]int32, len(c.id)+1)
	cur := 0 // the slot whose rows are being read
	err = st.EachAttribution(ctx, inst, month.Start(), month.End(), func(a AttributionSpan) error {
		// Both streams are ordered by customer id: advance to its slot.
		for cur < len(c.id) && c.id[cur] < a.CustomerID {
			cur++
			c.attStart[cur] = int32(len(c.att))
		}
		if cur == len(c.id) || c.id[cur] != a.CustomerID {
			return nil // a customer created after the customers were read
		}
		c.att = append(c.att, attRow{person: ppl.person(a.PersonID), share: int16(a.ShareBP), from: epochDay(a.From), to: toDay(a.To)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attributions: %w", err)
	}
	for cur < len(c.id) {
		cur++
		c.attStart[cur] = int32(len(c.att))
	}
	c.att = slices.Clip(c.att)
	return c, nil
}

// lookup returns the slot of a customer ID number, or -1.
func (c *customers) lookup(h uint64) int32 {
	if c.collided[h] {
		return -1
	}
	if i, ok := c.slot[h]; ok {
		return i
	}
	return -1
}

// owners returns the attribution rows of slot i in force on day.
func (c *customers) owners(i int32, day int32, out []attRow) []attRow {
	out = out[:0]
	for _, a := range c.att[c.attStart[i]:c.attStart[i+1]] {
		if a.from <= day && day < a.to {
			out = append(out, a)
		}
	}
	return out
}
