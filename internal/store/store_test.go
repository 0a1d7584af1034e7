package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/presets"
)

// This file is the conformance suite: every test runs on SQLite and on
// PostgreSQL, against the same migrations and queries.

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func d(s string) platform.Date {
	x, err := platform.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

// fixture is a tiny institution: root → branch → two regions, one person.
type fixture struct {
	inst, root, branch, r1, r2 int64
	person                     int64
}

func setup(t *testing.T, db *store.DB) (context.Context, fixture) {
	t.Helper()
	db.SetClock(platform.FixedClock{T: now})
	ctx := context.Background()
	p, err := presets.Load("securities-branch")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	err = db.WithTx(ctx, func(ctx context.Context) error {
		in, err := db.CreateInstitution(ctx, p, "T", "测试机构", d("2020-01-01"))
		if err != nil {
			return err
		}
		f.inst, f.root = in.ID, in.RootUnit
		mk := func(parent int64, kind org.Kind, code string) int64 {
			u := org.Unit{Institution: f.inst, ParentID: parent, Kind: kind, Code: code, Name: code, OpenedOn: d("2020-01-01")}
			if err == nil {
				err = db.CreateUnit(ctx, &u)
			}
			return u.ID
		}
		f.branch = mk(f.root, org.Branch, "B")
		f.r1 = mk(f.branch, org.Region, "R1")
		f.r2 = mk(f.branch, org.Region, "R2")
		if err != nil {
			return err
		}
		x := people.Person{Institution: f.inst, EmpNo: "E1", Name: "张三", HiredOn: d("2025-01-01")}
		if err := db.CreatePerson(ctx, &x, people.Record{UnitID: f.r1, Position: "sales_cm", Status: "active", ValidFrom: d("2025-01-01")}); err != nil {
			return err
		}
		f.person = x.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, f
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		ok, err := db.Migrated(ctx)
		if err != nil || !ok {
			t.Fatalf("migrated = %v, %v", ok, err)
		}
	})
}

func TestEffectiveDating(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		err := db.WithTx(ctx, func(ctx context.Context) error {
			return db.MovePerson(ctx, f.person, people.Record{UnitID: f.r2, Position: "group_lead", Grade: "star2", Status: "active", ValidFrom: d("2026-07-01"), Reason: "调动"})
		})
		if err != nil {
			t.Fatal(err)
		}
		all := access.Scope{Institution: f.inst, All: true}
		r1 := access.Scope{Institution: f.inst, Units: []int64{f.r1}}
		for _, tc := range []struct {
			on   string
			unit int64
			pos  string
		}{{"2025-01-01", f.r1, "sales_cm"}, {"2026-06-30", f.r1, "sales_cm"}, {"2026-07-01", f.r2, "group_lead"}, {"2026-11-22", f.r2, "group_lead"}} {
			x, err := db.Person(ctx, all, f.person, d(tc.on))
			if err != nil {
				t.Fatal(err)
			}
			if x.UnitID != tc.unit || x.Position != tc.pos {
				t.Errorf("as of %s: unit %d %s, want %d %s", tc.on, x.UnitID, x.Position, tc.unit, tc.pos)
			}
			// Region 1's scope sees the person exactly while they were there.
			_, err = db.Person(ctx, r1, f.person, d(tc.on))
			if (tc.unit == f.r1) != (err == nil) {
				t.Errorf("as of %s: region-1 scope err=%v", tc.on, err)
			}
		}
		if _, err := db.Person(ctx, access.Scope{}, f.person, d("2026-01-01")); !errors.Is(err, platform.ErrNotFound) {
			t.Errorf("the zero scope must see nobody, got %v", err)
		}
		if _, err := db.Person(ctx, access.Scope{Institution: f.inst + 1, All: true}, f.person, d("2026-01-01")); !errors.Is(err, platform.ErrNotFound) {
			t.Errorf("another institution must see nobody, got %v", err)
		}
		// History is scoped like the person: region 1 no longer sees them, the zero scope never does.
		for _, sc := range []access.Scope{r1, {}} {
			if _, err := db.History(ctx, sc, f.person, d("2026-11-22")); !errors.Is(err, platform.ErrNotFound) {
				t.Errorf("history outside scope %+v: %v", sc, err)
			}
		}
		h, err := db.History(ctx, all, f.person, d("2026-11-22"))
		if err != nil || len(h) != 2 || h[0].ValidTo == nil || h[0].ValidTo.String() != "2026-06-30" || h[1].ValidTo != nil {
			t.Fatalf("history: %+v %v", h, err)
		}
		// Before hire: no record in force; before 2025 the person is absent from lists.
		list, total, err := db.ListPeople(ctx, all, people.Filter{AsOf: d("2024-12-31"), Page: 1, PageSize: 10})
		if err != nil || total != 0 || len(list) != 0 {
			t.Fatalf("list before hire: %d %v", total, err)
		}
	})
}

func TestUnitTreeAsOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		var team int64
		err := db.WithTx(ctx, func(ctx context.Context) error {
			u := org.Unit{Institution: f.inst, ParentID: f.r1, Kind: org.Team, Code: "TEAM", Name: "TEAM", OpenedOn: d("2021-01-01")}
			if err := db.CreateUnit(ctx, &u); err != nil {
				return err
			}
			team = u.ID
			return db.MoveUnit(ctx, team, f.r2, d("2026-01-01"), "划转")
		})
		if err != nil {
			t.Fatal(err)
		}
		parentOn := func(on string) int64 {
			us, err := db.Units(ctx, f.inst, d(on))
			if err != nil {
				t.Fatal(err)
			}
			return org.NewTree(us).Get(team).ParentID
		}
		if parentOn("2025-12-31") != f.r1 || parentOn("2026-01-01") != f.r2 {
			t.Fatalf("team parent: %d then %d", parentOn("2025-12-31"), parentOn("2026-01-01"))
		}
		// The chain upwards follows the same dates: team → region → branch → institution.
		for on, region := range map[string]int64{"2025-12-31": f.r1, "2026-01-01": f.r2} {
			chain, err := db.UnitChain(ctx, f.inst, d(on), team)
			tr := org.NewTree(chain)
			if err != nil || len(chain) != 4 || tr.Get(team).ParentID != region || tr.NearestOfKind(team, org.Branch) != f.branch || tr.Path(team) != "B / "+tr.Get(region).Name+" / TEAM" {
				t.Fatalf("chain on %s: %+v %v", on, chain, err)
			}
		}
		// A move dated before the latest one is refused.
		err = db.WithTx(ctx, func(ctx context.Context) error { return db.MoveUnit(ctx, team, f.r1, d("2025-06-01"), "倒插") })
		var ce *platform.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("back-dated unit move: %v", err)
		}
	})
}

func TestRollbackLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		boom := errors.New("boom")
		err := db.WithTx(ctx, func(ctx context.Context) error {
			x := people.Person{Institution: f.inst, EmpNo: "E2", Name: "李四", HiredOn: d("2026-01-01")}
			if err := db.CreatePerson(ctx, &x, people.Record{UnitID: f.r1, Position: "sales_cm", Status: "active", ValidFrom: d("2026-01-01")}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		taken, err := db.ExistingEmpNos(ctx, f.inst, []string{"E1", "E2"})
		if err != nil || !taken["E1"] || taken["E2"] {
			t.Fatalf("after rollback: %v %v", taken, err)
		}
		// Writes outside a transaction are refused outright.
		if err := db.UpdatePerson(ctx, people.Person{ID: f.person}); err == nil {
			t.Fatal("write outside a transaction succeeded")
		}
		// A duplicate employee number is a conflict, not a 500.
		err = db.WithTx(ctx, func(ctx context.Context) error {
			x := people.Person{Institution: f.inst, EmpNo: "E1", Name: "重号", HiredOn: d("2026-01-01")}
			return db.CreatePerson(ctx, &x, people.Record{UnitID: f.r1, Position: "sales_cm", Status: "active", ValidFrom: d("2026-01-01")})
		})
		var ce *platform.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("duplicate: %v", err)
		}
	})
}

func appendN(t *testing.T, db *store.DB, inst int64, n int) {
	t.Helper()
	lg := audit.Log{A: db, Clock: platform.FixedClock{T: now}}
	ctx := access.WithPrincipal(context.Background(), access.System(inst, "test"))
	for i := 0; i < n; i++ {
		err := db.WithTx(ctx, func(ctx context.Context) error {
			return lg.Record(ctx, audit.Change{Action: "test", ObjectType: "thing", ObjectID: fmt.Sprint(i), After: map[string]int{"i": i}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		appendN(t, db, f.inst, 10)
		n, p, err := audit.Verify(ctx, db)
		if err != nil || p != nil || n != 10 {
			t.Fatalf("intact chain: %d %v %v", n, p, err)
		}
		// The log refuses updates and deletes.
		err = db.WithTx(ctx, func(ctx context.Context) error {
			return db.ExecForTest(ctx, `UPDATE audit_log SET actor_name = 'x' WHERE seq = 3`)
		})
		if err == nil {
			t.Fatal("audit_log accepted an UPDATE")
		}
		err = db.WithTx(ctx, func(ctx context.Context) error { return db.ExecForTest(ctx, `DELETE FROM audit_log WHERE seq = 3`) })
		if err == nil {
			t.Fatal("audit_log accepted a DELETE")
		}
		// Someone with direct database access drops the guard and alters entry 4.
		tamper := func(sql string) {
			t.Helper()
			if err := db.WithTx(ctx, func(ctx context.Context) error {
				if err := db.DropAuditGuardForTest(ctx); err != nil {
					return err
				}
				return db.ExecForTest(ctx, sql)
			}); err != nil {
				t.Fatal(err)
			}
		}
		tamper(`UPDATE audit_log SET after_json = '{"i":999}' WHERE seq = 4`)
		_, p, err = audit.Verify(ctx, db)
		if err != nil || p == nil || p.Seq != 4 {
			t.Fatalf("altered entry: %+v %v", p, err)
		}
		tamper(`DELETE FROM audit_log WHERE seq = 2`)
		_, p, err = audit.Verify(ctx, db)
		if err != nil || p == nil || p.Seq != 2 {
			t.Fatalf("removed entry: %+v %v", p, err)
		}
	})
}

func TestAuditTailRemoval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		appendN(t, db, f.inst, 5)
		if err := db.WithTx(ctx, func(ctx context.Context) error {
			if err := db.DropAuditGuardForTest(ctx); err != nil {
				return err
			}
			return db.ExecForTest(ctx, `DELETE FROM audit_log WHERE seq = 5`)
		}); err != nil {
			t.Fatal(err)
		}
		_, p, err := audit.Verify(ctx, db)
		if err != nil || p == nil || p.Seq != 5 {
			t.Fatalf("removed last entry: %+v %v", p, err)
		}
	})
}

// Concurrent writers must still produce one unbroken chain.
func TestAuditConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				appendN(t, db, f.inst, 10)
			}()
		}
		wg.Wait()
		n, p, err := audit.Verify(ctx, db)
		if err != nil || p != nil || n != 40 {
			t.Fatalf("concurrent chain: %d %+v %v", n, p, err)
		}
	})
}

func allScope(f fixture) access.Scope { return access.Scope{Institution: f.inst, All: true} }

// A batch takes its sequence numbers in one step and chains like single entries.
func TestAuditBatchAppend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		lg := audit.Log{A: db, Clock: platform.FixedClock{T: now}}
		actx := access.WithPrincipal(ctx, access.System(f.inst, "test"))
		appendN(t, db, f.inst, 3)
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cs := make([]audit.Change, 700) // more than one SQLite batch
				for i := range cs {
					cs[i] = audit.Change{Action: "test.batch", ObjectType: "thing", ObjectID: fmt.Sprint(i)}
				}
				if err := db.WithTx(actx, func(ctx context.Context) error { return lg.RecordMany(ctx, cs) }); err != nil {
					t.Error(err)
				}
			}()
			appendN(t, db, f.inst, 2)
		}
		wg.Wait()
		n, p, err := audit.Verify(ctx, db)
		if err != nil || p != nil || n != 3+3*700+3*2 {
			t.Fatalf("chain after batches: %d %+v %v", n, p, err)
		}
		// A batch that rolls back leaves no entries and no gap.
		boom := errors.New("boom")
		err = db.WithTx(actx, func(ctx context.Context) error {
			if err := lg.RecordMany(ctx, []audit.Change{{Action: "a", ObjectType: "x", ObjectID: "1"}, {Action: "b", ObjectType: "x", ObjectID: "2"}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		appendN(t, db, f.inst, 1)
		if n, p, err := audit.Verify(ctx, db); err != nil || p != nil || n != 3+3*700+3*2+1 {
			t.Fatalf("chain after a rolled-back batch: %d %+v %v", n, p, err)
		}
	})
}
