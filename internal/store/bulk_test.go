package store_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

func TestBulkInsert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		const n = 2500 // more than one SQLite batch
		var first int64
		err := db.WithTx(ctx, func(ctx context.Context) error {
			var err error
			if first, err = db.NextID(ctx, "persons"); err != nil {
				return err
			}
			i := 0
			now := platform.TS(now)
			if _, err := db.BulkInsert(ctx, "persons", []string{"id", "institution_id", "emp_no", "name", "hired_on", "created_at", "updated_at"}, func() ([]any, error) {
				if i == n {
					return nil, io.EOF
				}
				i++
				return []any{first + int64(i-1), f.inst, fmt.Sprintf("B%05d", i), "批量", d("2026-01-01"), now, now}, nil
			}); err != nil {
				return err
			}
			j := 0
			if _, err := db.BulkInsert(ctx, "person_records", []string{"person_id", "unit_id", "position", "grade", "status", "valid_from", "valid_to", "reason", "created_at"}, func() ([]any, error) {
				if j == n {
					return nil, io.EOF
				}
				j++
				return []any{first + int64(j-1), f.r2, "sales_cm", "", "active", d("2026-01-01"), platform.EndOfTime(), "", now}, nil
			}); err != nil {
				return err
			}
			return db.SyncIdentity(ctx, "persons")
		})
		if err != nil {
			t.Fatal(err)
		}
		_, total, err := db.ListPeople(ctx, allScope(f), people.Filter{AsOf: d("2026-06-01"), Page: 1, PageSize: 10})
		if err != nil || total != n+1 {
			t.Fatalf("after bulk insert: %d people, %v", total, err)
		}
		// The identity moved past the explicit ids: a normal insert still works.
		err = db.WithTx(ctx, func(ctx context.Context) error {
			x := people.Person{Institution: f.inst, EmpNo: "AFTER", Name: "之后", HiredOn: d("2026-01-01")}
			return db.CreatePerson(ctx, &x, people.Record{UnitID: f.r1, Position: "sales_cm", Status: "active", ValidFrom: d("2026-01-01")})
		})
		if err != nil {
			t.Fatalf("insert after bulk load: %v", err)
		}
		// A failing bulk load rolls back with its transaction.
		err = db.WithTx(ctx, func(ctx context.Context) error {
			k := 0
			_, err := db.BulkInsert(ctx, "persons", []string{"institution_id", "emp_no", "name", "created_at", "updated_at"}, func() ([]any, error) {
				k++
				if k > 3 {
					return nil, io.EOF
				}
				return []any{f.inst, "DUP", "重号", platform.TS(now), platform.TS(now)}, nil
			})
			return err
		})
		if err == nil {
			t.Fatal("duplicate employee numbers loaded")
		}
		taken, _ := db.ExistingEmpNos(ctx, f.inst, []string{"DUP"})
		if taken["DUP"] {
			t.Fatal("a failed bulk load left rows behind")
		}
	})
}
