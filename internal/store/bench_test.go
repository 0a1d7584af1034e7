package store_test

import (
	"context"
	"fmt"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

// benchOrg builds a branch of 10 regions × 10 teams × 5 groups with
// perGroup people each, and returns the fixture and one region.
func benchOrg(b *testing.B, db *store.DB, perGroup int) (fixture, int64, []int64) {
	b.Helper()
	t := &testing.T{}
	ctx, f := setup(t, db)
	var region int64
	var regionUnits []int64
	n := 0
	err := db.WithTx(ctx, func(ctx context.Context) error {
		mk := func(parent int64, kind org.Kind, code string) (int64, error) {
			u := org.Unit{Institution: f.inst, ParentID: parent, Kind: kind, Code: code, Name: code, OpenedOn: d("2020-01-01")}
			err := db.CreateUnit(ctx, &u)
			return u.ID, err
		}
		for r := 0; r < 10; r++ {
			rid, err := mk(f.branch, org.Region, fmt.Sprintf("BR%d", r))
			if err != nil {
				return err
			}
			if r == 3 {
				region = rid
				regionUnits = append(regionUnits, rid)
			}
			for tm := 0; tm < 10; tm++ {
				tid, err := mk(rid, org.Team, fmt.Sprintf("BR%d-T%d", r, tm))
				if err != nil {
					return err
				}
				if r == 3 {
					regionUnits = append(regionUnits, tid)
				}
				for g := 0; g < 5; g++ {
					gid, err := mk(tid, org.Group, fmt.Sprintf("BR%d-T%d-G%d", r, tm, g))
					if err != nil {
						return err
					}
					if r == 3 {
						regionUnits = append(regionUnits, gid)
					}
					for i := 0; i < perGroup; i++ {
						n++
						x := people.Person{Institution: f.inst, EmpNo: fmt.Sprintf("P%06d", n), Name: fmt.Sprintf("员工%d", n), HiredOn: d("2024-01-01")}
						if err := db.CreatePerson(ctx, &x, people.Record{UnitID: gid, Position: "sales_cm", Status: "active", ValidFrom: d("2024-01-01")}); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil { // steady state: statistics as autovacuum/optimize would keep them
		b.Fatal(err)
	}
	return f, region, regionUnits
}

// BenchmarkPeopleList compares the scoped list (recursive scope CTE, as-of
// join, count + page) with the bare query an engineer would write by hand
// for the same page when the unit list is already known.
func BenchmarkPeopleList(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.Open(b, e)
			f, region, units := benchOrg(b, db, 40) // 20 000 people, 2 000 in the region
			ctx := context.Background()
			today := platform.DateOf(now)
			scope := access.Scope{Institution: f.inst, Units: []int64{region}}
			b.Run("scoped", func(b *testing.B) {
				for b.Loop() {
					items, total, err := db.ListPeople(ctx, scope, people.Filter{AsOf: today, Page: 1, PageSize: 20})
					if err != nil || total != 2000 || len(items) != 20 {
						b.Fatal(total, err)
					}
				}
			})
			b.Run("bare", func(b *testing.B) {
				for b.Loop() {
					if err := db.BareListForBench(ctx, units, today); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("export-scoped-2000", func(b *testing.B) {
				for b.Loop() {
					n := 0
					err := db.EachPerson(ctx, scope, people.Filter{AsOf: today}, func(*people.Person) error { n++; return nil })
					if err != nil || n != 2000 {
						b.Fatal(n, err)
					}
				}
			})
		})
	}
}

func BenchmarkAuditAppend(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.Open(b, e)
			t := &testing.T{}
			_, f := setup(t, db)
			b.ResetTimer()
			for b.Loop() {
				appendN(t, db, f.inst, 1)
			}
		})
	}
}
