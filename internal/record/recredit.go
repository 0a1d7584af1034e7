package record

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// DayNumber is a date as the stored rows count days: since 1970-01-01.
func DayNumber(d platform.Date) int32 { return epochDay(d) }

// Recredit credits the imported records of the given customers dated on or
// after from again, from their attributions as they stand now. A transfer
// or a change of shares may be dated back into a month whose records were
// already imported; a record credits the managers who owned the customer
// on its date (SPEC §4), so those records follow the change. It runs in
// the caller's transaction — the change and the re-credit commit together
// — and the caller has authorised the change. Records that name their
// manager keep him. Each record whose credits change gets an audit entry
// (record.recredit) with the credits before and after. It returns how many
// records changed.
func (s *Service) Recredit(ctx context.Context, institution int64, customerIDs []int64, from platform.Date) (int, error) {
	if len(customerIDs) == 0 {
		return 0, nil
	}
	st := s.Store
	old, err := st.CustomerRecordRows(ctx, institution, customerIDs, from)
	if err != nil || len(old) == 0 {
		return 0, err
	}
	// Imports of the months touched queue behind this transaction.
	first, last := old[0].Day, old[0].Day
	months := map[int]bool{}
	for _, r := range old {
		first, last = min(first, r.Day), max(last, r.Day)
		if !months[r.Month] {
			months[r.Month] = true
			if err := st.LockRecordMonth(ctx, institution, monthKey(r.Month)); err != nil {
				return 0, err
			}
		}
	}
	start, end := dayOf(first), dayOf(last)
	spans, err := st.ManagerSpans(ctx, institution, start, end)
	if err != nil {
		return 0, fmt.Errorf("people: %w", err)
	}
	ppl := newPeople(spans, platform.Period{Kind: platform.Month, Year: start.Year(), N: int(start.Month())})
	type cust struct {
		branch int64
		att    []AttributionSpan
	}
	custs := map[int64]*cust{}
	err = st.EachCustomerKey(ctx, institution, customerIDs, start, end, func(k CustomerKey, a *AttributionSpan) error {
		c := custs[k.ID]
		if c == nil {
			c = &cust{branch: k.BranchID}
			custs[k.ID] = c
		}
		if a != nil {
			c.att = append(c.att, *a)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("attributions: %w", err)
	}

	// Group the stored rows by record (month, source id), in stored order.
	type key struct {
		month int
		id    string
	}
	var order []key
	byRecord := map[key][]Row{}
	for _, r := range old {
		k := key{r.Month, r.SourceID}
		if _, ok := byRecord[k]; !ok {
			order = append(order, k)
		}
		byRecord[k] = append(byRecord[k], r)
	}
	var fresh []Row
	var changes []audit.Change
	for _, k := range order {
		rows := byRecord[k]
		base := rows[0]
		var next []Row
		c := custs[base.CustomerID]
		switch {
		case base.Explicit || c == nil:
			next = rows // the file named the manager; or the customer is gone
		default:
			for _, a := range c.att {
				if epochDay(a.From) <= base.Day && base.Day < toDay(a.To) {
					r := base
					r.PersonID, r.ShareBP, r.Explicit = a.PersonID, a.ShareBP, false
					if r.UnitID = ppl.unitOn(ppl.person(a.PersonID), base.Day); r.UnitID == 0 {
						r.UnitID = c.branch // the manager had left: the branch keeps their share
					}
					next = append(next, r)
				}
			}
			if len(next) == 0 {
				r := base
				r.PersonID, r.UnitID, r.ShareBP = 0, c.branch, 10000
				next = append(next, r)
			}
		}
		fresh = append(fresh, next...)
		if !sameCredits(rows, next) {
			changes = append(changes, audit.Change{Action: "record.recredit", ObjectType: "business_record",
				ObjectID: monthKey(k.month) + "/" + k.id, Reason: "客户归属变更后重新计入 credited again after an attribution change",
				Before: map[string]any{"credits": creditList(rows)}, After: map[string]any{"credits": creditList(next)}})
		}
	}
	if len(changes) == 0 {
		return 0, nil
	}
	if _, err := st.DeleteCustomerRecords(ctx, institution, customerIDs, from); err != nil {
		return 0, fmt.Errorf("re-credit: %w", err)
	}
	i := 0
	if _, err := st.LoadCredits(ctx, func() (*Row, bool) {
		if i == len(fresh) {
			return nil, false
		}
		i++
		return &fresh[i-1], true
	}); err != nil {
		return 0, fmt.Errorf("re-credit: %w", err)
	}
	if err := s.Audit.RecordMany(ctx, changes); err != nil {
		return 0, err
	}
	return len(changes), nil
}

func monthKey(m int) string {
	return fmt.Sprintf("%04d-%02d", m/100, m%100)
}

type creditKey struct {
	person, unit int64
	share        int
}

func creditKeys(rows []Row) []creditKey {
	ks := make([]creditKey, len(rows))
	for i, r := range rows {
		ks[i] = creditKey{r.PersonID, r.UnitID, r.ShareBP}
	}
	slices.SortFunc(ks, func(a, b creditKey) int {
		return cmp.Or(cmp.Compare(a.person, b.person), cmp.Compare(a.unit, b.unit), cmp.Compare(a.share, b.share))
	})
	return ks
}

func sameCredits(a, b []Row) bool {
	return slices.Equal(creditKeys(a), creditKeys(b))
}

func creditList(rows []Row) []map[string]any {
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = map[string]any{"personId": r.PersonID, "unitId": r.UnitID, "shareBp": r.ShareBP}
	}
	return out
}
