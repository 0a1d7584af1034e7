package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/internal/target"
	"cmhub/presets"
)

var _ target.Store = (*store.DB)(nil)

// targetFixture is setup's institution with the preset metrics and a
// second person, E2, who moves from region 1 to region 2 on 2026-11-15.
func targetFixture(t *testing.T, db *store.DB) (context.Context, fixture, int64) {
	t.Helper()
	ctx, f := setup(t, db)
	p, err := presets.Load("securities-branch")
	if err != nil {
		t.Fatal(err)
	}
	var e2 int64
	err = db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := db.SeedMetrics(ctx, f.inst, p.Metrics); err != nil {
			return err
		}
		x := people.Person{Institution: f.inst, EmpNo: "E2", Name: "李四", HiredOn: d("2025-01-01")}
		if err := db.CreatePerson(ctx, &x, people.Record{UnitID: f.r1, Position: "sales_cm", Status: "active", ValidFrom: d("2025-01-01")}); err != nil {
			return err
		}
		e2 = x.ID
		return db.MovePerson(ctx, e2, people.Record{UnitID: f.r2, Position: "sales_cm", Status: "active", ValidFrom: d("2026-11-15"), Reason: "调动"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, f, e2
}

func newTarget(inst int64, period, metricKey string, sub target.Subject, value int64) *target.Target {
	return &target.Target{Institution: inst, Period: period, Metric: metricKey, Subject: sub, Unit: "count", Value: value, SetBy: "test", SetByID: 1}
}

func saveTargets(t *testing.T, db *store.DB, ctx context.Context, ts ...*target.Target) {
	t.Helper()
	if err := db.WithTx(ctx, func(ctx context.Context) error { return db.SaveTargets(ctx, ts) }); err != nil {
		t.Fatal(err)
	}
}

func TestTargetsUpsertBumpsVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f, _ := targetFixture(t, db)
		branch := newTarget(f.inst, "2026-11", "new_accounts", target.Subject{UnitID: f.branch}, 300)
		person := newTarget(f.inst, "2026-11", "new_accounts", target.Subject{PersonID: f.person}, 40)
		saveTargets(t, db, ctx, branch, person)
		if branch.ID == 0 || branch.Version != 1 || person.ID == 0 || person.Version != 1 || !branch.SetAt.Equal(now) {
			t.Fatalf("created: %+v %+v", branch, person)
		}
		firstID := branch.ID

		// The same subject, period and metric again: the same row, a new version.
		db.SetClock(platform.FixedClock{T: now.Add(time.Hour)})
		again := newTarget(f.inst, "2026-11", "new_accounts", target.Subject{UnitID: f.branch}, 320)
		again.Note = "追加"
		saveTargets(t, db, ctx, again)
		if again.ID != firstID || again.Version != 2 || !again.SetAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("upsert: %+v", again)
		}
		// Another period, another metric, or another subject is another target.
		others := []*target.Target{
			newTarget(f.inst, "2026-12", "new_accounts", target.Subject{UnitID: f.branch}, 1),
			newTarget(f.inst, "2026-Q4", "new_accounts", target.Subject{UnitID: f.branch}, 2),
			newTarget(f.inst, "2026-11", "visits_made", target.Subject{UnitID: f.branch}, 3),
			newTarget(f.inst, "2026-11", "new_accounts", target.Subject{UnitID: f.r1}, 4),
		}
		saveTargets(t, db, ctx, others...)
		for _, o := range others {
			if o.ID == firstID || o.Version != 1 {
				t.Fatalf("distinct target reused a row: %+v", o)
			}
		}

		all := access.Scope{Institution: f.inst, All: true}
		got, err := db.Targets(ctx, all, target.Selection{Institution: f.inst, Period: "2026-11", Metric: "new_accounts", AsOf: d("2026-11-01"), Units: []int64{f.r1}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("targets: %+v", got)
		}
		if got[0].UnitID != f.branch || got[0].Value != 320 || got[0].Version != 2 || got[0].Note != "追加" || got[0].Unit != "count" || got[0].SetBy != "test" {
			t.Errorf("branch target: %+v", got[0])
		}
		if got[1].UnitID != f.r1 || got[2].PersonID != f.person || got[2].PersonUnitID != f.r1 || got[2].Value != 40 {
			t.Errorf("region and person targets: %+v", got[1:])
		}
		// Every metric of the period when none is named.
		got, err = db.Targets(ctx, all, target.Selection{Institution: f.inst, Period: "2026-11", AsOf: d("2026-11-01")})
		if err != nil || len(got) != 3 {
			t.Fatalf("all metrics: %+v %v", got, err)
		}
		// Another institution has no targets.
		got, err = db.Targets(ctx, access.Scope{Institution: f.inst + 1, All: true}, target.Selection{Institution: f.inst + 1, Period: "2026-11", AsOf: d("2026-11-01"), Units: []int64{f.r1}})
		if err != nil || len(got) != 0 {
			t.Fatalf("other institution: %+v %v", got, err)
		}

		// Deleting checks the version.
		err = db.WithTx(ctx, func(ctx context.Context) error { return db.DeleteTarget(ctx, target.Target{ID: firstID, Version: 1}) })
		var ce *platform.ConflictError
		if !errors.As(err, &ce) || ce.Code != "stale" {
			t.Fatalf("delete with an old version: %v", err)
		}
		if err := db.WithTx(ctx, func(ctx context.Context) error { return db.DeleteTarget(ctx, target.Target{ID: firstID, Version: 2}) }); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTargetsOnePerSubject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f, _ := targetFixture(t, db)
		saveTargets(t, db, ctx, newTarget(f.inst, "2026-11", "new_accounts", target.Subject{UnitID: f.r1}, 10),
			newTarget(f.inst, "2026-11", "new_accounts", target.Subject{PersonID: f.person}, 5))
		ins := func(unit, person, metricKey string, value int) string {
			return fmt.Sprintf(`INSERT INTO targets (institution_id, period_key, metric_key, unit_id, person_id, measure_unit, value, set_by, set_at, created_at)
				VALUES (%d, '2026-11', '%s', %s, %s, 'count', %d, 'x', '2026-11-22T09:00:00.000000Z', '2026-11-22T09:00:00.000000Z')`, f.inst, metricKey, unit, person, value)
		}
		for _, tc := range []struct {
			name   string
			sql    string
			unique bool
		}{
			{"a second target of the unit", ins(fmt.Sprint(f.r1), "NULL", "new_accounts", 11), true},
			{"a second target of the person", ins("NULL", fmt.Sprint(f.person), "new_accounts", 6), true},
			{"both a unit and a person", ins(fmt.Sprint(f.r2), fmt.Sprint(f.person), "visits_made", 1), false},
			{"neither a unit nor a person", ins("NULL", "NULL", "visits_made", 1), false},
			{"a negative value", ins(fmt.Sprint(f.r2), "NULL", "visits_made", -1), false},
			{"a metric the institution does not have", ins(fmt.Sprint(f.r2), "NULL", "no_such_metric", 1), false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := db.WithTx(ctx, func(ctx context.Context) error { return db.ExecForTest(ctx, tc.sql) })
				if err == nil {
					t.Fatal("accepted")
				}
				if tc.unique != store.IsUniqueViolation(err) {
					t.Fatalf("unique violation = %v: %v", store.IsUniqueViolation(err), err)
				}
			})
		}
	})
}

func TestTargetsPlacedAsOfPeriodStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f, e2 := targetFixture(t, db)
		// E2 is in region 1 on 2026-11-01 and in region 2 from 2026-11-15.
		saveTargets(t, db, ctx,
			newTarget(f.inst, "2026-11", "new_accounts", target.Subject{PersonID: e2}, 7),
			newTarget(f.inst, "2026-12", "new_accounts", target.Subject{PersonID: e2}, 8),
			newTarget(f.inst, "2026-11", "new_accounts", target.Subject{PersonID: f.person}, 9))
		all := access.Scope{Institution: f.inst, All: true}
		r1 := access.Scope{Institution: f.inst, Units: []int64{f.r1}}
		r2 := access.Scope{Institution: f.inst, Units: []int64{f.r2}}
		self := access.Scope{Institution: f.inst, Self: e2}
		personal := func(s access.Scope, period, asOf string, units []int64, subtree bool) map[int64]int64 {
			t.Helper()
			ts, err := db.Targets(ctx, s, target.Selection{Institution: f.inst, Period: period, Metric: "new_accounts", AsOf: d(asOf), Units: units, Subtree: subtree})
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]int64{}
			for _, x := range ts {
				if x.PersonID != 0 {
					out[x.PersonID] = x.PersonUnitID
				}
			}
			return out
		}
		for _, tc := range []struct {
			name         string
			scope        access.Scope
			period, asOf string
			units        []int64
			subtree      bool
			want         map[int64]int64 // person → unit on the period start
		}{
			{"November in region 1", all, "2026-11", "2026-11-01", []int64{f.r1}, false, map[int64]int64{e2: f.r1, f.person: f.r1}},
			{"November in region 2", all, "2026-11", "2026-11-01", []int64{f.r2}, false, map[int64]int64{}},
			{"December in region 2", all, "2026-12", "2026-12-01", []int64{f.r2}, false, map[int64]int64{e2: f.r2}},
			{"December in region 1", all, "2026-12", "2026-12-01", []int64{f.r1}, false, map[int64]int64{}},
			{"the branch directly", all, "2026-11", "2026-11-01", []int64{f.branch}, false, map[int64]int64{}},
			{"the branch's subtree", all, "2026-11", "2026-11-01", []int64{f.branch}, true, map[int64]int64{e2: f.r1, f.person: f.r1}},
			{"region 1's scope in November", r1, "2026-11", "2026-11-01", []int64{f.branch}, true, map[int64]int64{e2: f.r1, f.person: f.r1}},
			{"region 2's scope in November", r2, "2026-11", "2026-11-01", []int64{f.branch}, true, map[int64]int64{}},
			{"region 2's scope in December", r2, "2026-12", "2026-12-01", []int64{f.branch}, true, map[int64]int64{e2: f.r2}},
			{"E2 sees only their own", self, "2026-11", "2026-11-01", []int64{f.branch}, true, map[int64]int64{e2: f.r1}},
			{"the zero scope sees nobody", access.Scope{}, "2026-11", "2026-11-01", []int64{f.branch}, true, map[int64]int64{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := personal(tc.scope, tc.period, tc.asOf, tc.units, tc.subtree)
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}

		// Members follow the same rule.
		ids := func(ms []target.Member) []int64 {
			var out []int64
			for _, m := range ms {
				out = append(out, m.PersonID)
			}
			return out
		}
		ms, err := db.TargetMembers(ctx, all, f.inst, []int64{f.r1}, false, d("2026-11-01"))
		if err != nil || !slices.Equal(ids(ms), []int64{f.person, e2}) || ms[1].UnitID != f.r1 || ms[1].Name != "李四" {
			t.Fatalf("members of region 1 in November: %+v %v", ms, err)
		}
		ms, err = db.TargetMembers(ctx, r2, f.inst, []int64{f.branch}, true, d("2026-12-01"))
		if err != nil || !slices.Equal(ids(ms), []int64{e2}) || ms[0].UnitID != f.r2 {
			t.Fatalf("members of the branch in region 2's scope in December: %+v %v", ms, err)
		}
		if m, err := db.TargetMember(ctx, r1, e2, d("2026-11-01")); err != nil || m.UnitID != f.r1 || m.EmpNo != "E2" {
			t.Fatalf("member in November: %+v %v", m, err)
		}
		if _, err := db.TargetMember(ctx, r1, e2, d("2026-12-01")); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("region 1 must not find E2 in December: %v", err)
		}
		if _, err := db.TargetMember(ctx, all, e2, d("2024-12-01")); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("before hire: %v", err)
		}
	})
}

func TestTargetsSaveManyInFewStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f, _ := targetFixture(t, db)
		const n = 450 // more than two chunks
		ids := make([]int64, n)
		err := db.WithTx(ctx, func(ctx context.Context) error {
			for i := range ids {
				x := people.Person{Institution: f.inst, EmpNo: fmt.Sprintf("M%04d", i), Name: "经理", HiredOn: d("2025-01-01")}
				if err := db.CreatePerson(ctx, &x, people.Record{UnitID: f.r2, Position: "sales_cm", Status: "active", ValidFrom: d("2025-01-01")}); err != nil {
					return err
				}
				ids[i] = x.ID
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ts := make([]*target.Target, 0, n+1)
		for i, id := range ids {
			ts = append(ts, newTarget(f.inst, "2026-11", "new_accounts", target.Subject{PersonID: id}, int64(i)))
		}
		ts = append(ts, newTarget(f.inst, "2026-11", "new_accounts", target.Subject{UnitID: f.r2}, 200_000))
		saveTargets(t, db, ctx, ts...)
		// Update half of them and add nothing: versions move only where written.
		for _, x := range ts[:n/2] {
			x.Value++
		}
		saveTargets(t, db, ctx, ts[:n/2]...)
		got, err := db.Targets(ctx, access.Scope{Institution: f.inst, Units: []int64{f.r2}}, target.Selection{
			Institution: f.inst, Period: "2026-11", Metric: "new_accounts", AsOf: d("2026-11-01"), Units: []int64{f.r2}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n+1 {
			t.Fatalf("%d targets", len(got))
		}
		byPerson := map[int64]target.Target{}
		for _, x := range got {
			byPerson[x.PersonID] = x
		}
		for i, id := range ids {
			x := byPerson[id]
			wantV, wantVer := int64(i), 1
			if i < n/2 {
				wantV, wantVer = wantV+1, 2
			}
			if x.Value != wantV || x.Version != wantVer || x.ID != ts[i].ID || ts[i].Version != wantVer {
				t.Fatalf("person %d: %+v (saved %+v)", i, x, ts[i])
			}
		}
	})
}

func TestTargetRulesAndLocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f, _ := targetFixture(t, db)
		rules, err := db.TargetRules(ctx, f.inst)
		if err != nil || len(rules) != 0 {
			t.Fatalf("no rules yet: %v %v", rules, err)
		}
		r := target.Rule{Metric: "new_accounts", Mode: target.ModeExact, UpdatedBy: "admin"}
		for want := 1; want <= 2; want++ {
			if err := db.WithTx(ctx, func(ctx context.Context) error { return db.SaveTargetRule(ctx, f.inst, &r) }); err != nil {
				t.Fatal(err)
			}
			if r.Version != want || !r.UpdatedAt.Equal(now) {
				t.Fatalf("rule: %+v", r)
			}
		}
		rules, err = db.TargetRules(ctx, f.inst)
		if err != nil || rules["new_accounts"].Mode != target.ModeExact || rules["new_accounts"].Version != 2 || rules["new_accounts"].UpdatedBy != "admin" {
			t.Fatalf("rules: %v %v", rules, err)
		}
		bad := target.Rule{Metric: "new_accounts", Mode: "roughly", UpdatedBy: "admin"}
		if err := db.WithTx(ctx, func(ctx context.Context) error { return db.SaveTargetRule(ctx, f.inst, &bad) }); err == nil {
			t.Fatal("an unknown mode was stored")
		}
		// The lock row is created, then bumped, in the caller's transaction.
		for range 2 {
			if err := db.WithTx(ctx, func(ctx context.Context) error { return db.LockTargets(ctx, f.inst, "2026-11", "new_accounts") }); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.LockTargets(ctx, f.inst, "2026-11", "new_accounts"); err == nil {
			t.Fatal("locking outside a transaction must fail")
		}
	})
}
