package record

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	slot     *idTable
	id       []int64
	branch   []uint16
	branches []int64
	attStart []int32
	att      []attRow
	// collided holds hashes shared by two different ID numbers: such a
	// customer cannot be resolved by hash and is reported, never guessed.
	collided map[uint64]bool
	first    int32 // the month's first day number: attRow days count from it
}

// attRow is one attribution row: a person (index into people.ids), a share
// and its validity [from, to) as days of the month counted from 0 (the
// index covers one month), in eight bytes.
type attRow struct {
	person   int32
	share    int16
	from, to uint8
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

// people indexes the managers: their ids, employee numbers and unit spans,
// and, for the days of the month, each one's unit in a flat table (one
// cache line per lookup; crediting asks once per row).
type people struct {
	index map[int64]int32
	ids   []int64
	empNo map[string]int32
	spans [][]span

	first, days int32   // the month: its first day number and length
	units       []int64 // distinct units; byDay holds index+1, 0 for none
	byDay       []int32 // person i, day d of the month: byDay[i*days+d]
}

type span struct {
	unit     int64
	from, to int32
}

func newPeople(spans []Span, month platform.Period) *people {
	p := &people{index: map[int64]int32{}, empNo: map[string]int32{},
		first: epochDay(month.Start()), days: epochDay(month.End()) - epochDay(month.Start()) + 1}
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
	unitIdx := map[int64]int32{}
	p.byDay = make([]int32, len(p.ids)*int(p.days))
	for i, ss := range p.spans {
		for _, s := range ss {
			u, ok := unitIdx[s.unit]
			if !ok {
				p.units = append(p.units, s.unit)
				u = int32(len(p.units))
				unitIdx[s.unit] = u
			}
			for d := max(s.from, p.first); d < min(s.to, p.first+p.days); d++ {
				p.byDay[i*int(p.days)+int(d-p.first)] = u
			}
		}
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
	if d := day - p.first; d >= 0 && d < p.days && int(i+1)*int(p.days) <= len(p.byDay) {
		if u := p.byDay[int(i)*int(p.days)+int(d)]; u > 0 {
			return p.units[u-1]
		}
		return 0
	}
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

// loadCustomers builds the customer index from one stream of customers by
// id (all of them, or those of ids, sorted), each with its attribution
// rows overlapping the month.
func loadCustomers(ctx context.Context, st Store, inst int64, month platform.Period, ppl *people, ids []int64, sizeHint int) (*customers, error) {
	c := &customers{slot: newIDTable(sizeHint), collided: map[uint64]bool{}}
	branchIdx := map[int64]uint16{}
	first, end := epochDay(month.Start()), epochDay(month.End())+1
	err := st.EachCustomerKey(ctx, inst, ids, month.Start(), month.End(), func(k CustomerKey, a *AttributionSpan) error {
		n := len(c.id)
		if n == 0 || c.id[n-1] != k.ID {
			if n > 0 && c.id[n-1] > k.ID {
				return fmt.Errorf("customers out of order at id %d", k.ID)
			}
			h := keyHash(k.IDNumber)
			if !c.slot.add(h, int32(n)) {
				// Two ID numbers with one hash: the later customer gets a
				// slot nobody can look up, and the hash is reported.
				c.collided[h] = true
			}
			b, ok := branchIdx[k.BranchID]
			if !ok {
				if len(c.branches) > math.MaxUint16 {
					return errors.New("more than 65 535 branches")
				}
				b = uint16(len(c.branches))
				branchIdx[k.BranchID] = b
				c.branches = append(c.branches, k.BranchID)
			}
			c.id = append(c.id, k.ID)
			c.branch = append(c.branch, b)
			c.attStart = append(c.attStart, int32(len(c.att)))
		}
		if a == nil {
			return nil
		}
		from, to := max(epochDay(a.From), first), min(toDay(a.To), end)
		if from >= to {
			return nil // not in force on any day of the month
		}
		c.att = append(c.att, attRow{person: ppl.person(a.PersonID), share: int16(a.ShareBP), from: uint8(from - first), to: uint8(to - first)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	c.attStart = append(c.attStart, int32(len(c.att)))
	c.att = slices.Clip(c.att)
	c.first = first
	return c, nil
}

// lookup returns the slot of a customer ID number, or -1.
func (c *customers) lookup(h uint64) int32 {
	if len(c.collided) > 0 && c.collided[h] {
		return -1
	}
	if i, ok := c.slot.get(h); ok {
		return i
	}
	return -1
}

// owners returns the attribution rows of slot i in force on day (a day
// number inside the month).
func (c *customers) owners(i int32, day int32, out []attRow) []attRow {
	out = out[:0]
	d := uint8(day - c.first)
	for _, a := range c.att[c.attStart[i]:c.attStart[i+1]] {
		if a.from <= d && d < a.to {
			out = append(out, a)
		}
	}
	return out
}
