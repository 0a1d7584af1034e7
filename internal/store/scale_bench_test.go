package store_test

import (
	"context"
	"os"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/customer"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/store"
)

// BenchmarkAtScale measures scoped lists on a database made by
// `cmhub gen` (e.g. 100 000 managers, 10 000 000 customers). It runs only
// when CMHUB_BENCH_DB names such a database (a SQLite path or a
// postgres:// URL), so `make bench` stays quick by default:
//
//	cmhub gen --db URL --managers 100000 --customers 10000000
//	CMHUB_BENCH_DB=URL go test -run '^$' -bench AtScale ./internal/store/
//
// openGenerated opens the database CMHUB_BENCH_DB names (skipping the
// benchmark when it is unset) and returns it with its GEN institution.
func openGenerated(b *testing.B, what string) (*store.DB, store.Institution) {
	b.Helper()
	url := os.Getenv("CMHUB_BENCH_DB")
	if url == "" {
		b.Skip("set CMHUB_BENCH_DB to a database made by cmhub gen" + what)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	in, err := db.InstitutionByCode(ctx, "GEN")
	if err != nil {
		b.Fatal(err)
	}
	return db, in
}

func BenchmarkAtScale(b *testing.B) {
	ctx := context.Background()
	db, in := openGenerated(b, "")
	today := platform.DateOf(now)
	units, err := db.Units(ctx, in.ID, today)
	if err != nil {
		b.Fatal(err)
	}
	var region, branch int64
	for _, u := range units {
		if u.Kind == "region" && region == 0 {
			region = u.ID
		}
		if u.Kind == "branch" && branch == 0 {
			branch = u.ID
		}
	}
	all := access.Scope{Institution: in.ID, All: true}
	cm, err := db.PersonIDByEmpNo(ctx, in.ID, "GEN0000001")
	if err != nil {
		b.Fatal(err)
	}
	for _, sc := range []struct {
		name  string
		scope access.Scope
	}{
		{"self", access.Scope{Institution: in.ID, Self: cm}},
		{"region", access.Scope{Institution: in.ID, Units: []int64{region}}},
		{"branch", access.Scope{Institution: in.ID, Units: []int64{branch}}},
		{"institution", all},
	} {
		b.Run("people/"+sc.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.ListPeople(ctx, sc.scope, people.Filter{AsOf: today, Page: 1, PageSize: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("customers/"+sc.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.ListCustomers(ctx, sc.scope, customer.Filter{AsOf: today, Page: 1, PageSize: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
