package target_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/period"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/internal/target"
	"cmhub/presets"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func d(s string) platform.Date {
	x, err := platform.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

// env is an institution with branch 邢州营业部 (XZ): a marketing department
// (MKT), region 第一区域 (R1) with teams T11 (group G111 below it) and T12
// and a channel, and region 第二区域 (R2) with team T21. People: E1, E2 and
// E9 (left in June) in T11, E3 in G111, E4 in T21, the regional manager E5
// directly in R1, E6 in T12 until 2026-11-14 and in T11 from 2026-11-15,
// M1 in MKT.
type env struct {
	db                                 *store.DB
	svc                                *target.Service
	periods                            *period.Service
	inst, root, xz, mkt, r1, r2        int64
	t11, t12, t21, g111, ch            int64
	e1, e2, e3, e4, e5, e6, e9, m1     int64
	admin, mktdir, rm1, rm2, tl11, cm1 *access.Principal
	cmw, nobody                        *access.Principal
}

func (e *env) as(p *access.Principal) context.Context {
	return access.WithPrincipal(context.Background(), p)
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	clock := platform.FixedClock{T: now}
	db.SetClock(clock)
	ctx := context.Background()
	pre, err := presets.Load("securities-branch")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db}
	err = db.WithTx(ctx, func(ctx context.Context) error {
		in, err := db.CreateInstitution(ctx, pre, "HQ", "测试证券", d("2020-01-01"))
		if err != nil {
			return err
		}
		e.inst, e.root = in.ID, in.RootUnit
		if _, err := db.SeedMetrics(ctx, e.inst, pre.Metrics); err != nil {
			return err
		}
		mk := func(parent int64, kind org.Kind, code, name string) int64 {
			u := org.Unit{Institution: e.inst, ParentID: parent, Kind: kind, Code: code, Name: name, OpenedOn: d("2020-01-01")}
			if err == nil {
				err = db.CreateUnit(ctx, &u)
			}
			return u.ID
		}
		e.xz = mk(e.root, org.Branch, "XZ", "邢州营业部")
		e.mkt = mk(e.xz, org.Department, "MKT", "市场营销部")
		e.r1 = mk(e.xz, org.Region, "R1", "第一区域")
		e.r2 = mk(e.xz, org.Region, "R2", "第二区域")
		e.t11 = mk(e.r1, org.Team, "T11", "一区一队")
		e.t12 = mk(e.r1, org.Team, "T12", "一区二队")
		e.ch = mk(e.r1, org.Channel, "C1", "工行驻点")
		e.g111 = mk(e.t11, org.Group, "G111", "一区一队一组")
		e.t21 = mk(e.r2, org.Team, "T21", "二区一队")
		if err != nil {
			return err
		}
		for _, p := range []struct {
			no, name string
			unit     int64
			dst      *int64
		}{{"E1", "张三", e.t11, &e.e1}, {"E2", "李四", e.t11, &e.e2}, {"E3", "王五", e.g111, &e.e3}, {"E4", "赵六", e.t21, &e.e4},
			{"E5", "钱七", e.r1, &e.e5}, {"E6", "孙八", e.t12, &e.e6}, {"E9", "周九", e.t11, &e.e9}, {"M1", "吴一", e.mkt, &e.m1}} {
			x := people.Person{Institution: e.inst, EmpNo: p.no, Name: p.name, HiredOn: d("2025-01-01")}
			if err := db.CreatePerson(ctx, &x, people.Record{UnitID: p.unit, Position: "sales_cm", Status: "active", ValidFrom: d("2025-01-01")}); err != nil {
				return err
			}
			*p.dst = x.ID
		}
		if err := db.MovePerson(ctx, e.e9, people.Record{UnitID: e.t11, Position: "sales_cm", Status: "terminated", ValidFrom: d("2026-06-01"), Reason: "离职"}); err != nil {
			return err
		}
		return db.MovePerson(ctx, e.e6, people.Record{UnitID: e.t11, Position: "sales_cm", Status: "active", ValidFrom: d("2026-11-15"), Reason: "调动"})
	})
	if err != nil {
		t.Fatal(err)
	}
	lg := audit.Log{A: db, Clock: clock}
	e.periods = &period.Service{Store: db, Audit: lg, Clock: clock}
	e.svc = &target.Service{Store: db, Audit: lg, Clock: clock, Periods: e.periods}
	rw := []access.Permission{access.TargetRead, access.TargetManage}
	pr := func(id int64, name string, perms []access.Permission, s access.Scope, person, unit int64) *access.Principal {
		s.Institution = e.inst
		return &access.Principal{UserID: id, Username: name, Institution: e.inst, Permissions: perms, Scope: s, PersonID: person, UnitID: unit}
	}
	e.admin = pr(1, "admin", access.AllPermissions(), access.Scope{All: true}, 0, 0)
	e.mktdir = pr(2, "mktdir", rw, access.Scope{Units: []int64{e.xz}}, e.m1, e.mkt)
	e.rm1 = pr(3, "rm1", rw, access.Scope{Units: []int64{e.r1}, Self: e.e5}, e.e5, e.r1)
	e.rm2 = pr(4, "rm2", rw, access.Scope{Units: []int64{e.r2}}, 0, 0)
	e.tl11 = pr(5, "tl11", rw, access.Scope{Units: []int64{e.t11}}, 0, 0)
	e.cm1 = pr(6, "cm1", []access.Permission{access.TargetRead}, access.Scope{Self: e.e1}, e.e1, e.t11)
	e.cmw = pr(7, "cmw", rw, access.Scope{Self: e.e1}, e.e1, e.t11)
	e.nobody = pr(8, "nobody", nil, access.Scope{All: true}, 0, 0)
	return e
}

const nov = "2026-11"

func unitIn(id int64, v string) target.SetInput {
	return target.SetInput{Period: nov, Metric: "new_accounts", UnitID: id, Value: target.Decimal(v)}
}

func personIn(id int64, v string) target.SetInput {
	return target.SetInput{Period: nov, Metric: "new_accounts", PersonID: id, Value: target.Decimal(v)}
}

func (e *env) set(t *testing.T, p *access.Principal, in target.SetInput) target.SetResult {
	t.Helper()
	r, err := e.svc.Set(e.as(p), in)
	if err != nil {
		t.Fatalf("set %+v as %s: %v", in, p.Username, err)
	}
	return r
}

func conflictCode(err error) string {
	var ce *platform.ConflictError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

func fieldErr(err error, field string) string {
	var ve *platform.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields[field]
	}
	return ""
}

func TestSetChecksTheDecompositionRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, mode := range []string{target.ModeAtMost, target.ModeExact} {
			t.Run(mode, func(t *testing.T) {
				e := newEnv(t, storetest.Open(t, db.Engine()))
				if _, err := e.svc.SetRule(e.as(e.admin), "new_accounts", target.RuleInput{Mode: mode}); err != nil {
					t.Fatal(err)
				}
				partly := map[string]string{target.ModeAtMost: target.StatusWithin, target.ModeExact: target.StatusIncomplete}[mode]
				for _, st := range []struct {
					name   string
					who    *access.Principal
					in     target.SetInput
					code   string   // expected conflict, "" for success
					msg    []string // the conflict message names these
					status string   // the parent's status after a successful write
					remain int64
				}{
					{"the branch's target", e.mktdir, unitIn(e.xz, "300"), "", nil, "", 0},
					{"region 1 takes part", e.mktdir, unitIn(e.r1, "200"), "", nil, partly, 100},
					{"region 2 makes it up", e.mktdir, unitIn(e.r2, "100"), "", nil, target.StatusComplete, 0},
					{"region 2 would exceed the branch", e.mktdir, unitIn(e.r2, "101"), "exceeds_parent", []string{"邢州营业部", "301", "超出 1 个", "by 1 count"}, "", 0},
					{"the branch below its regions", e.mktdir, unitIn(e.xz, "250"), "below_children", []string{"邢州营业部", "300", "差 50 个"}, "", 0},
					{"the branch raised", e.mktdir, unitIn(e.xz, "400"), "", nil, "", 0},
					{"a team of region 1", e.rm1, unitIn(e.t11, "150"), "", nil, partly, 50},
					{"a second team would exceed region 1", e.rm1, unitIn(e.t12, "60"), "exceeds_parent", []string{"第一区域", "210", "超出 10 个"}, "", 0},
					{"the regional manager's own share", e.rm1, personIn(e.e5, "50"), "", nil, target.StatusComplete, 0},
					{"region 1 below its teams and people", e.mktdir, unitIn(e.r1, "199"), "below_children", []string{"第一区域", "200"}, "", 0},
					{"a manager of team 1", e.tl11, personIn(e.e1, "100"), "", nil, partly, 50},
					{"a second manager would exceed team 1", e.tl11, personIn(e.e2, "60"), "exceeds_parent", []string{"一区一队", "160", "超出 10 个"}, "", 0},
					{"a group makes team 1 up", e.tl11, unitIn(e.g111, "50"), "", nil, target.StatusComplete, 0},
					{"the manager lowered again", e.tl11, personIn(e.e1, "90"), "", nil, partly, 10},
				} {
					r, err := e.svc.Set(e.as(st.who), st.in)
					if st.code != "" {
						if conflictCode(err) != st.code {
							t.Fatalf("%s: got %v, want conflict %s", st.name, err, st.code)
						}
						for _, m := range st.msg {
							if !strings.Contains(err.Error(), m) {
								t.Errorf("%s: message %q does not name %q", st.name, err, m)
							}
						}
						continue
					}
					if err != nil {
						t.Fatalf("%s: %v", st.name, err)
					}
					if st.status == "" {
						continue
					}
					if r.Parent == nil || r.Parent.Status != st.status || r.Parent.Remaining == nil || *r.Parent.Remaining != st.remain {
						t.Fatalf("%s: parent %+v, want %s with %d remaining", st.name, r.Parent, st.status, st.remain)
					}
				}
			})
		}
	})
}

func TestSetValidatesAndVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		first := e.set(t, e.mktdir, target.SetInput{Period: nov, Metric: "deposits_in", UnitID: e.r1, Value: "1234.56", Note: "初定"})
		if first.Target.Value != 123456 || first.Target.Amount != "1234.56" || first.Target.Unit != "yuan" || first.Target.Version != 1 ||
			first.Target.SetBy != "mktdir" || first.Target.SetByID != 2 || !first.Target.SetAt.Equal(now) || first.Target.Note != "初定" {
			t.Fatalf("first: %+v", first.Target)
		}
		if first.Parent == nil || first.Parent.UnitID != e.xz || first.Parent.Status != target.StatusNoTarget || first.Parent.Remaining != nil {
			t.Fatalf("a child without its parent's target: %+v", first.Parent)
		}
		// The same value and note again changes nothing; another value bumps the version.
		same := e.set(t, e.mktdir, target.SetInput{Period: nov, Metric: "deposits_in", UnitID: e.r1, Value: "1234.560", Note: "初定"})
		if same.Target.Version != 1 || same.Target.ID != first.Target.ID {
			t.Fatalf("unchanged: %+v", same.Target)
		}
		second := e.set(t, e.mktdir, target.SetInput{Period: nov, Metric: "deposits_in", UnitID: e.r1, Value: "2000", Version: 1})
		if second.Target.Version != 2 || second.Target.ID != first.Target.ID || second.Target.Value != 200000 {
			t.Fatalf("second: %+v", second.Target)
		}
		_, err := e.svc.Set(e.as(e.mktdir), target.SetInput{Period: nov, Metric: "deposits_in", UnitID: e.r1, Value: "1", Version: 1})
		if conflictCode(err) != "stale" {
			t.Fatalf("stale version: %v", err)
		}
		// A quarter key is canonicalised.
		q := e.set(t, e.mktdir, target.SetInput{Period: "2026-q4", Metric: "new_accounts", UnitID: e.xz, Value: "900"})
		if q.Target.Period != "2026-Q4" {
			t.Fatalf("quarter key %q", q.Target.Period)
		}

		if _, err := e.db.MetricByKey(context.Background(), e.inst, "visits_made"); err != nil {
			t.Fatal(err)
		}
		err = e.db.WithTx(context.Background(), func(ctx context.Context) error {
			m, err := e.db.MetricByKey(ctx, e.inst, "visits_made")
			if err != nil {
				return err
			}
			return e.db.DeactivateMetric(ctx, &m)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, field string
			in          target.SetInput
		}{
			{"a fraction of an account", "value", unitIn(e.xz, "1.5")},
			{"a thousandth of a yuan", "value", target.SetInput{Period: nov, Metric: "deposits_in", UnitID: e.xz, Value: "1.001"}},
			{"a negative target", "value", unitIn(e.xz, "-3")},
			{"no value", "value", unitIn(e.xz, "")},
			{"an unknown metric", "metric", target.SetInput{Period: nov, Metric: "nope", UnitID: e.xz, Value: "1"}},
			{"an inactive metric", "metric", target.SetInput{Period: nov, Metric: "visits_made", UnitID: e.xz, Value: "1"}},
			{"a bad period", "period", target.SetInput{Period: "2026-13", Metric: "new_accounts", UnitID: e.xz, Value: "1"}},
			{"no subject", "unitId", target.SetInput{Period: nov, Metric: "new_accounts", Value: "1"}},
			{"two subjects", "unitId", target.SetInput{Period: nov, Metric: "new_accounts", UnitID: e.xz, PersonID: e.e1, Value: "1"}},
			{"a channel", "unitId", unitIn(e.ch, "1")},
			{"a long note", "note", target.SetInput{Period: nov, Metric: "new_accounts", UnitID: e.xz, Value: "1", Note: strings.Repeat("长", 201)}},
		} {
			_, err := e.svc.Set(e.as(e.admin), tc.in)
			if fieldErr(err, tc.field) == "" {
				t.Errorf("%s: got %v, want a %s error", tc.name, err, tc.field)
			}
		}
	})
}

func TestScopeOfWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.set(t, e.mktdir, unitIn(e.xz, "300"))
		e.set(t, e.mktdir, unitIn(e.r2, "100"))
		dec := func(parent int64, cs ...target.ChildValue) target.DecomposeInput {
			return target.DecomposeInput{Period: nov, Metric: "new_accounts", ParentUnitID: parent, Children: cs}
		}
		for _, tc := range []struct {
			name string
			who  *access.Principal
			do   func(ctx context.Context) error
			want error
		}{
			{"region 1 sets a team of region 2", e.rm1, func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.t21, "1")); return err }, platform.ErrNotFound},
			{"region 1 sets region 2", e.rm1, func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.r2, "1")); return err }, platform.ErrNotFound},
			{"region 1 sets a manager of region 2", e.rm1, func(ctx context.Context) error { _, err := e.svc.Set(ctx, personIn(e.e4, "1")); return err }, platform.ErrNotFound},
			{"region 1 decomposes region 2", e.rm1, func(ctx context.Context) error {
				_, err := e.svc.Decompose(ctx, dec(e.r2, target.ChildValue{UnitID: e.t21, Value: "1"}))
				return err
			}, platform.ErrNotFound},
			{"region 2 sets a team of region 1", e.rm2, func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.t11, "1")); return err }, platform.ErrNotFound},
			{"a regional manager changes their own region's target", e.rm1, func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.r1, "1")); return err }, platform.ErrForbidden},
			{"a regional manager changes the branch's", e.rm1, func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.xz, "1")); return err }, platform.ErrForbidden},
			{"a regional manager decomposes the branch", e.rm1, func(ctx context.Context) error {
				_, err := e.svc.Decompose(ctx, dec(e.xz, target.ChildValue{UnitID: e.r1, Value: "1"}))
				return err
			}, platform.ErrForbidden},
			{"a team lead changes their team's target", e.tl11, func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.t11, "1")); return err }, platform.ErrForbidden},
			{"a manager sets their own target", e.cmw, func(ctx context.Context) error { _, err := e.svc.Set(ctx, personIn(e.e1, "1")); return err }, platform.ErrForbidden},
			{"a manager sets a colleague's", e.cmw, func(ctx context.Context) error { _, err := e.svc.Set(ctx, personIn(e.e2, "1")); return err }, platform.ErrNotFound},
			{"the branch sets the institution's", e.mktdir, func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.root, "1000")); return err }, platform.ErrForbidden},
			{"reading without target:read", e.nobody, func(ctx context.Context) error {
				_, err := e.svc.Tree(ctx, target.TreeQuery{Period: nov, Metric: "new_accounts"})
				return err
			}, platform.ErrForbidden},
			{"writing without target:manage", e.cm1, func(ctx context.Context) error { _, err := e.svc.Set(ctx, personIn(e.e1, "1")); return err }, platform.ErrForbidden},
			{"decomposing without target:manage", e.cm1, func(ctx context.Context) error {
				_, err := e.svc.Decompose(ctx, dec(e.t11, target.ChildValue{PersonID: e.e1, Value: "1"}))
				return err
			}, platform.ErrForbidden},
			{"a rule without metric:manage", e.mktdir, func(ctx context.Context) error {
				_, err := e.svc.SetRule(ctx, "new_accounts", target.RuleInput{Mode: target.ModeExact})
				return err
			}, platform.ErrForbidden},
			{"region 1 decomposes to its teams and people", e.rm1, func(ctx context.Context) error {
				_, err := e.svc.Decompose(ctx, dec(e.r1, target.ChildValue{UnitID: e.t11, Value: "1"}, target.ChildValue{PersonID: e.e5, Value: "1"}))
				return err
			}, nil},
			{"a team lead sets a manager of the team", e.tl11, func(ctx context.Context) error { _, err := e.svc.Set(ctx, personIn(e.e1, "1")); return err }, nil},
			{"the institution-wide administrator sets the institution's", e.admin, func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.root, "1000")); return err }, nil},
		} {
			err := tc.do(e.as(tc.who))
			if !errors.Is(err, tc.want) && (tc.want != nil || err != nil) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			}
		}
	})
}

func TestDecompose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.set(t, e.mktdir, unitIn(e.xz, "300"))
		in := func(parent int64, cs ...target.ChildValue) target.DecomposeInput {
			return target.DecomposeInput{Period: nov, Metric: "new_accounts", ParentUnitID: parent, Children: cs, Note: "十一月分解"}
		}
		u := func(id int64, v string) target.ChildValue {
			return target.ChildValue{UnitID: id, Value: target.Decimal(v)}
		}
		pe := func(id int64, v string) target.ChildValue {
			return target.ChildValue{PersonID: id, Value: target.Decimal(v)}
		}
		values := func(p *access.Principal, root int64) map[string]int64 {
			t.Helper()
			v, err := e.svc.Tree(e.as(p), target.TreeQuery{Period: nov, Metric: "new_accounts", RootUnitID: root})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int64{}
			var walk func(n *target.Node)
			walk = func(n *target.Node) {
				if n.Target != nil {
					out[n.Name] = n.Target.Value
				}
				for _, c := range n.Children {
					walk(c)
				}
			}
			walk(v.Root)
			return out
		}

		got, err := e.svc.Decompose(e.as(e.mktdir), in(e.xz, u(e.r1, "200"), u(e.r2, "100")))
		if err != nil {
			t.Fatal(err)
		}
		if got.Written != 2 || got.Status != target.StatusComplete || got.Sum != 300 || *got.Remaining != 0 || len(got.Children) != 2 || got.Children[0].Note != "十一月分解" {
			t.Fatalf("branch decomposition: %+v", got)
		}

		// All or nothing: one child too many refuses the whole set.
		_, err = e.svc.Decompose(e.as(e.rm1), in(e.r1, u(e.t11, "100"), u(e.t12, "50"), pe(e.e5, "60")))
		if conflictCode(err) != "exceeds_parent" || !strings.Contains(err.Error(), "210") || !strings.Contains(err.Error(), "超出 10 个") {
			t.Fatalf("exceeding set: %v", err)
		}
		if v := values(e.rm1, e.r1); v["一区一队"] != 0 || v["一区二队"] != 0 || v["钱七"] != 0 {
			t.Fatalf("a refused decomposition wrote %v", v)
		}
		got, err = e.svc.Decompose(e.as(e.rm1), in(e.r1, u(e.t11, "100"), u(e.t12, "50"), pe(e.e5, "50")))
		if err != nil || got.Written != 3 || got.Status != target.StatusComplete {
			t.Fatalf("region decomposition: %+v %v", got, err)
		}

		// An even split over every direct child of team 1 on 2026-11-01: the
		// group, then E1 and E2 — not E9, who had left, nor E6, who came later.
		got, err = e.svc.Decompose(e.as(e.tl11), target.DecomposeInput{Period: nov, Metric: "new_accounts", ParentUnitID: e.t11, Even: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Children) != 3 || got.Children[0].UnitID != e.g111 || got.Children[0].Value != 34 ||
			got.Children[1].PersonID != e.e1 || got.Children[1].Value != 33 || got.Children[2].PersonID != e.e2 || got.Children[2].Value != 33 ||
			got.Sum != 100 || got.Status != target.StatusComplete {
			t.Fatalf("even split: %+v", got)
		}
		if got.Children[1].PersonUnitID != e.t11 {
			t.Fatalf("a personal target carries its unit: %+v", got.Children[1])
		}
		// Evenly over some children while the others keep theirs: 50+50+34 > 100.
		_, err = e.svc.Decompose(e.as(e.tl11), target.DecomposeInput{Period: nov, Metric: "new_accounts", ParentUnitID: e.t11, Even: true,
			Children: []target.ChildValue{{PersonID: e.e1}, {PersonID: e.e2}}})
		if conflictCode(err) != "exceeds_parent" || !strings.Contains(err.Error(), "134") {
			t.Fatalf("even over part: %v", err)
		}
		// A unit child below what it has already decomposed.
		_, err = e.svc.Decompose(e.as(e.rm1), in(e.r1, u(e.t11, "90")))
		if conflictCode(err) != "below_children" || !strings.Contains(err.Error(), "一区一队") {
			t.Fatalf("child below its children: %v", err)
		}
		// A dry run computes without writing.
		got, err = e.svc.Decompose(e.as(e.rm1), target.DecomposeInput{Period: nov, Metric: "new_accounts", ParentUnitID: e.r1, DryRun: true,
			Children: []target.ChildValue{u(e.t12, "40")}})
		if err != nil || !got.DryRun || got.Written != 1 || got.Sum != 190 || *got.Remaining != 10 || got.Status != target.StatusWithin {
			t.Fatalf("dry run: %+v %v", got, err)
		}
		if v := values(e.rm1, e.r1); v["一区二队"] != 50 {
			t.Fatalf("a dry run wrote: %v", v)
		}
		// Rewriting the same values writes nothing.
		got, err = e.svc.Decompose(e.as(e.rm1), in(e.r1, u(e.t11, "100"), u(e.t12, "50")))
		if err != nil || got.Written != 0 {
			t.Fatalf("unchanged: %+v %v", got, err)
		}
		// Even needs the parent's target.
		_, err = e.svc.Decompose(e.as(e.rm2), target.DecomposeInput{Period: nov, Metric: "new_accounts", ParentUnitID: e.t21, Even: true})
		if fieldErr(err, "even") == "" {
			t.Fatalf("even without a parent target: %v", err)
		}
		for _, tc := range []struct {
			name, field string
			who         *access.Principal
			in          target.DecomposeInput
		}{
			{"a grandchild", "children[0].personId", e.tl11, in(e.t11, pe(e.e3, "1"))},
			{"someone who joined after the period began", "children[0].personId", e.tl11, in(e.t11, pe(e.e6, "1"))},
			{"a team of the other region", "children[0].unitId", e.mktdir, in(e.r1, u(e.t21, "1"))},
			{"a channel", "children[0].unitId", e.rm1, in(e.r1, u(e.ch, "1"))},
			{"the same child twice", "children[1].personId", e.tl11, in(e.t11, pe(e.e1, "1"), pe(e.e1, "2"))},
			{"a bad value", "children[1].value", e.tl11, in(e.t11, pe(e.e1, "1"), pe(e.e2, "x"))},
			{"no children", "children", e.tl11, in(e.t11)},
		} {
			_, err := e.svc.Decompose(e.as(tc.who), tc.in)
			if fieldErr(err, tc.field) == "" && fieldErr(err, strings.Replace(tc.field, "personId", "unitId", 1)) == "" {
				t.Errorf("%s: got %v, want a %s error", tc.name, err, tc.field)
			}
		}
		// Nothing above was written by the refused requests; audit has one entry per written decomposition.
		entries, _, err := e.db.ListAudit(ctx, access.Scope{Institution: e.inst, All: true}, audit.Filter{ObjectType: "target", Page: 1, PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		var decs int
		for _, en := range entries {
			if en.Action == "target.decompose" {
				decs++
			}
		}
		if decs != 3 {
			t.Fatalf("%d decomposition entries", decs)
		}
	})
}

func TestExactRuleKeepsDraftsAndReportsThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r, err := e.svc.SetRule(e.as(e.admin), "new_accounts", target.RuleInput{Mode: target.ModeExact, Reason: "总部要求分解到人"})
		if err != nil || r.Version != 1 || r.Mode != target.ModeExact || r.Default {
			t.Fatalf("rule: %+v %v", r, err)
		}
		e.set(t, e.mktdir, unitIn(e.xz, "300"))
		got, err := e.svc.Decompose(e.as(e.mktdir), target.DecomposeInput{Period: nov, Metric: "new_accounts", ParentUnitID: e.xz,
			Children: []target.ChildValue{{UnitID: e.r1, Value: "120"}, {UnitID: e.r2, Value: "100"}}})
		if err != nil || got.Status != target.StatusIncomplete || *got.Remaining != 80 {
			t.Fatalf("a draft: %+v %v", got, err)
		}
		view, err := e.svc.Tree(e.as(e.mktdir), target.TreeQuery{Period: nov, Metric: "new_accounts", RootUnitID: e.xz})
		if err != nil || view.Mode != target.ModeExact || view.Root.Status != target.StatusIncomplete || *view.Root.Remaining != 80 || view.Root.RemainingAmount != "80" {
			t.Fatalf("tree: %+v %v", view.Root, err)
		}
		// Back to at_most: the same decomposition is within its parent.
		if _, err := e.svc.SetRule(e.as(e.admin), "new_accounts", target.RuleInput{Mode: target.ModeAtMost, Version: 2}); conflictCode(err) != "stale" {
			t.Fatalf("stale rule version: %v", err)
		}
		if _, err := e.svc.SetRule(e.as(e.admin), "new_accounts", target.RuleInput{Mode: target.ModeAtMost, Version: 1}); err != nil {
			t.Fatal(err)
		}
		view, err = e.svc.Tree(e.as(e.mktdir), target.TreeQuery{Period: nov, Metric: "new_accounts", RootUnitID: e.xz})
		if err != nil || view.Root.Status != target.StatusWithin {
			t.Fatalf("tree under at_most: %+v %v", view.Root, err)
		}
		if _, err := e.svc.SetRule(e.as(e.admin), "new_accounts", target.RuleInput{Mode: "roughly"}); fieldErr(err, "mode") == "" {
			t.Fatalf("unknown mode: %v", err)
		}
		if _, err := e.svc.SetRule(e.as(e.admin), "nope", target.RuleInput{Mode: target.ModeExact}); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("unknown metric: %v", err)
		}
		rules, err := e.svc.Rules(e.as(e.cm1))
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]target.Rule{}
		for _, r := range rules {
			byKey[r.Metric] = r
		}
		if r := byKey["new_accounts"]; r.Mode != target.ModeAtMost || r.Default || r.Version != 2 {
			t.Errorf("stored rule: %+v", r)
		}
		if r := byKey["deposits_in"]; r.Mode != target.ModeAtMost || !r.Default {
			t.Errorf("default rule: %+v", r)
		}
		if r := byKey["valid_account_rate"]; r.Mode != target.ModeIndependent || !r.Default {
			t.Errorf("a ratio's default rule: %+v", r)
		}
	})
}

func TestIndependentRatioTargets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rate := func(unit int64, v string) target.SetInput {
			return target.SetInput{Period: nov, Metric: "valid_account_rate", UnitID: unit, Value: target.Decimal(v)}
		}
		// Every level has its own conversion-rate target of 60%: no sums.
		for _, in := range []target.SetInput{rate(e.xz, "0.6"), rate(e.r1, "0.6"), rate(e.r2, "0.65"), rate(e.t11, "0.7")} {
			who := e.mktdir
			if in.UnitID == e.t11 {
				who = e.rm1
			}
			r := e.set(t, who, in)
			if r.Target.Unit != "percent" || (in.UnitID == e.xz && r.Target.Value != 6000) {
				t.Fatalf("rate target: %+v", r.Target)
			}
		}
		view, err := e.svc.Tree(e.as(e.mktdir), target.TreeQuery{Period: nov, Metric: "valid_account_rate", RootUnitID: e.xz})
		if err != nil || view.Mode != target.ModeIndependent || view.Root.ChildrenSum != nil || view.Root.Status != "" || view.Scale != 10000 {
			t.Fatalf("independent tree: %+v %v", view, err)
		}
	})
}

func TestClosedPeriodsRefuseWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oct := func(in target.SetInput) target.SetInput { in.Period = "2026-10"; return in }
		e.set(t, e.mktdir, oct(unitIn(e.xz, "300")))
		e.set(t, e.mktdir, oct(unitIn(e.r1, "100")))
		if _, err := e.periods.Close(e.as(e.admin), "2026-10"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			do   func(ctx context.Context) error
			code string
		}{
			{"set in the closed month", func(ctx context.Context) error { _, err := e.svc.Set(ctx, oct(unitIn(e.r2, "1"))); return err }, "period_closed"},
			{"the quarter that starts in it", func(ctx context.Context) error {
				_, err := e.svc.Set(ctx, target.SetInput{Period: "2026-Q4", Metric: "new_accounts", UnitID: e.xz, Value: "1"})
				return err
			}, "period_closed"},
			{"decompose in it", func(ctx context.Context) error {
				_, err := e.svc.Decompose(ctx, target.DecomposeInput{Period: "2026-10", Metric: "new_accounts", ParentUnitID: e.xz, Even: true})
				return err
			}, "period_closed"},
			{"delete in it", func(ctx context.Context) error {
				return e.svc.Delete(ctx, target.DeleteInput{Period: "2026-10", Metric: "new_accounts", UnitID: e.r1})
			}, "period_closed"},
			{"the next month is open", func(ctx context.Context) error { _, err := e.svc.Set(ctx, unitIn(e.xz, "1")); return err }, ""},
			{"the year starts in an open month", func(ctx context.Context) error {
				_, err := e.svc.Set(ctx, target.SetInput{Period: "2026", Metric: "new_accounts", UnitID: e.xz, Value: "3600"})
				return err
			}, ""},
		} {
			err := tc.do(e.as(e.mktdir))
			if conflictCode(err) != tc.code || (tc.code == "" && err != nil) {
				t.Errorf("%s: got %v, want %q", tc.name, err, tc.code)
			}
		}
		// Reading a closed period still works.
		if v, err := e.svc.Tree(e.as(e.mktdir), target.TreeQuery{Period: "2026-10", Metric: "new_accounts", RootUnitID: e.xz}); err != nil || v.Root.Target.Value != 300 {
			t.Fatalf("reading a closed period: %v", err)
		}
	})
}

func TestDeleteAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.set(t, e.mktdir, unitIn(e.r1, "200"))
		e.set(t, e.rm1, unitIn(e.t11, "100"))
		p := e.set(t, e.tl11, target.SetInput{Period: nov, Metric: "new_accounts", PersonID: e.e1, Value: "40", Note: "新人"})
		e.set(t, e.tl11, personIn(e.e1, "45"))

		err := e.svc.Delete(e.as(e.rm1), target.DeleteInput{Period: nov, Metric: "new_accounts", UnitID: e.t11})
		if conflictCode(err) != "has_children" {
			t.Fatalf("deleting a decomposed target: %v", err)
		}
		if err := e.svc.Delete(e.as(e.tl11), target.DeleteInput{Period: nov, Metric: "new_accounts", PersonID: e.e1, Version: 1}); conflictCode(err) != "stale" {
			t.Fatalf("stale delete: %v", err)
		}
		if err := e.svc.Delete(e.as(e.tl11), target.DeleteInput{Period: nov, Metric: "new_accounts", PersonID: e.e1, Version: 2, Reason: "重新分解"}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Delete(e.as(e.tl11), target.DeleteInput{Period: nov, Metric: "new_accounts", PersonID: e.e1}); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("deleting again: %v", err)
		}
		if err := e.svc.Delete(e.as(e.rm1), target.DeleteInput{Period: nov, Metric: "new_accounts", UnitID: e.t11}); err != nil {
			t.Fatal(err)
		}

		entries, _, err := e.db.ListAudit(ctx, access.Scope{Institution: e.inst, All: true}, audit.Filter{ObjectType: "target", Page: 1, PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(entries) - 1; i >= 0; i-- { // oldest first
			en := entries[i]
			got = append(got, en.Action+" "+en.ActorName)
		}
		want := []string{"target.set mktdir", "target.set rm1", "target.set tl11", "target.set tl11", "target.delete tl11", "target.delete rm1"}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Fatalf("audit:\n got %v\nwant %v", got, want)
		}
		// The entry about a personal target belongs to the person's unit and says before → after.
		var upd audit.Entry
		for _, en := range entries {
			if en.Action == "target.set" && en.ObjectID == "2026-11/new_accounts/person:"+itoa(e.e1) && len(en.Before) > 0 {
				upd = en
			}
		}
		var before, after map[string]any
		if err := json.Unmarshal(upd.Before, &before); err != nil {
			t.Fatalf("entry %+v: %v", upd, err)
		}
		if err := json.Unmarshal(upd.After, &after); err != nil {
			t.Fatal(err)
		}
		if upd.UnitID != e.t11 || before["amount"] != "40" || before["note"] != "新人" || after["amount"] != "45" || upd.ActorID != 5 {
			t.Fatalf("entry: unit %d, %v → %v", upd.UnitID, before, after)
		}
		if p.Target.PersonUnitID != e.t11 {
			t.Fatalf("set result: %+v", p.Target)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestTreeHonoursScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.set(t, e.mktdir, unitIn(e.xz, "300"))
		e.set(t, e.mktdir, unitIn(e.r1, "200"))
		e.set(t, e.mktdir, unitIn(e.r2, "100"))
		e.set(t, e.rm1, unitIn(e.t11, "100"))
		e.set(t, e.rm1, unitIn(e.t12, "50"))
		e.set(t, e.rm1, personIn(e.e5, "50"))
		e.set(t, e.tl11, personIn(e.e1, "40"))
		e.set(t, e.tl11, personIn(e.e2, "30"))
		e.set(t, e.tl11, unitIn(e.g111, "20"))
		e.set(t, e.rm2, personIn(e.e4, "60"))

		tree := func(p *access.Principal, root int64, depth int) *target.Node {
			t.Helper()
			v, err := e.svc.Tree(e.as(p), target.TreeQuery{Period: nov, Metric: "new_accounts", RootUnitID: root, Depth: depth})
			if err != nil {
				t.Fatal(err)
			}
			if v.AsOf.String() != "2026-11-01" || v.Unit != "count" || v.Scale != 1 || v.Mode != target.ModeAtMost || v.MetricName != "新开户数" {
				t.Fatalf("view: %+v", v)
			}
			return v.Root
		}
		// outline writes a tree as "name[=target][ sum/status][ (context)]" lines, indented.
		var outline func(n *target.Node, indent string) string
		outline = func(n *target.Node, indent string) string {
			s := indent + n.Name
			if n.Target != nil {
				s += "=" + n.Target.Amount
			}
			if n.ChildrenSum != nil {
				s += " Σ" + n.ChildrenSumAmount + " " + n.Status
			}
			if n.Remaining != nil {
				s += " rem " + n.RemainingAmount
			}
			if n.Context {
				s += " (context)"
			}
			if n.More {
				s += " …"
			}
			s += "\n"
			for _, c := range n.Children {
				s += outline(c, indent+"  ")
			}
			return s
		}
		for _, tc := range []struct {
			name  string
			who   *access.Principal
			root  int64
			depth int
			want  string
		}{
			{"the marketing department sees the branch in full", e.mktdir, 0, 0, `测试证券 (context)
  邢州营业部=300 Σ300 complete rem 0
    市场营销部
      吴一
    第一区域=200 Σ200 complete rem 0
      一区一队=100 Σ90 within rem 10
        一区一队一组=20 Σ0 not_decomposed rem 20
          王五
        张三=40
        李四=30
      一区二队=50 Σ0 not_decomposed rem 50
        孙八
      钱七=50
    第二区域=100 Σ0 not_decomposed rem 100
      二区一队 Σ60 no_target
        赵六=60
`},
			{"a regional manager sees their region, and the branch for context", e.rm1, 0, 0, `测试证券 (context)
  邢州营业部=300 (context)
    第一区域=200 Σ200 complete rem 0
      一区一队=100 Σ90 within rem 10
        一区一队一组=20 Σ0 not_decomposed rem 20
          王五
        张三=40
        李四=30
      一区二队=50 Σ0 not_decomposed rem 50
        孙八
      钱七=50
`},
			{"a customer manager sees their own target and the chain above", e.cm1, 0, 0, `测试证券 (context)
  邢州营业部=300 (context)
    第一区域=200 (context)
      一区一队=100 (context)
        张三=40
`},
			{"one level at a time", e.mktdir, e.xz, 1, `邢州营业部=300 Σ300 complete rem 0
  市场营销部 …
  第一区域=200 Σ200 complete rem 0 …
  第二区域=100 Σ0 not_decomposed rem 100 …
`},
			{"a team lead from their team", e.tl11, e.t11, 0, `一区一队=100 Σ90 within rem 10
  一区一队一组=20 Σ0 not_decomposed rem 20
    王五
  张三=40
  李四=30
`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := outline(tree(tc.who, tc.root, tc.depth), ""); got != tc.want {
					t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
				}
			})
		}
		for _, tc := range []struct {
			name string
			who  *access.Principal
			root int64
		}{{"region 2 from region 1", e.rm2, e.r1}, {"a manager from a colleague's group", e.cm1, e.g111}, {"a team lead from the other team", e.tl11, e.t12}} {
			if _, err := e.svc.Tree(e.as(tc.who), target.TreeQuery{Period: nov, Metric: "new_accounts", RootUnitID: tc.root}); !errors.Is(err, platform.ErrNotFound) {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	})
}

func TestTreeAsOfPeriodStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dec := func(in target.SetInput) target.SetInput { in.Period = "2026-12"; return in }
		// E6 was in team 2 on 2026-11-01 and is in team 1 from 2026-11-15.
		e.set(t, e.rm1, unitIn(e.t12, "10"))
		e.set(t, e.rm1, personIn(e.e6, "10"))
		if _, err := e.svc.Set(e.as(e.tl11), personIn(e.e6, "5")); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("team 1 setting E6's November target: %v", err)
		}
		e.set(t, e.rm1, dec(unitIn(e.t11, "10")))
		e.set(t, e.tl11, dec(personIn(e.e6, "8")))
		if _, err := e.svc.Set(e.as(e.tl11), dec(personIn(e.e1, "3"))); conflictCode(err) != "exceeds_parent" {
			t.Fatalf("December's team 1 counts E6: %v", err)
		}
		where := func(period string) map[string]string {
			v, err := e.svc.Tree(e.as(e.rm1), target.TreeQuery{Period: period, Metric: "new_accounts", RootUnitID: e.r1})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, team := range v.Root.Children {
				for _, c := range team.Children {
					if c.Type == target.NodePerson {
						amount := ""
						if c.Target != nil {
							amount = c.Target.Amount
						}
						out[c.Name] = team.Name + "=" + amount
					}
				}
			}
			return out
		}
		if w := where("2026-11"); w["孙八"] != "一区二队=10" {
			t.Fatalf("November: %v", w)
		}
		if w := where("2026-12"); w["孙八"] != "一区一队=8" || w["张三"] != "一区一队=" {
			t.Fatalf("December: %v", w)
		}
	})
}

func TestUnitChangeOfAMetricIsReported(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.set(t, e.mktdir, target.SetInput{Period: nov, Metric: "valid_account_rate", UnitID: e.xz, Value: "0.6"})
		err := e.db.WithTx(context.Background(), func(ctx context.Context) error {
			m, err := e.db.MetricByKey(ctx, e.inst, "valid_account_rate")
			if err != nil {
				return err
			}
			m.Unit = "count"
			return e.db.UpdateMetric(ctx, &m)
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Set(e.as(e.mktdir), target.SetInput{Period: nov, Metric: "valid_account_rate", UnitID: e.r1, Value: "1"})
		if conflictCode(err) != "unit_changed" {
			t.Fatalf("mixing units: %v", err)
		}
	})
}

func TestConcurrentSiblingsCannotOvershoot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.set(t, e.mktdir, unitIn(e.xz, "100"))
		// Three children of the branch at 40 each, written at the same time:
		// only two fit, whatever the interleaving.
		children := []int64{e.mkt, e.r1, e.r2}
		errs := make(chan error, len(children))
		start := make(chan struct{})
		for _, c := range children {
			go func() {
				<-start
				_, err := e.svc.Set(e.as(e.mktdir), unitIn(c, "40"))
				errs <- err
			}()
		}
		close(start)
		var ok, refused int
		for range children {
			switch err := <-errs; {
			case err == nil:
				ok++
			case conflictCode(err) == "exceeds_parent":
				refused++
			default:
				t.Fatalf("unexpected: %v", err)
			}
		}
		v, err := e.svc.Tree(e.as(e.mktdir), target.TreeQuery{Period: nov, Metric: "new_accounts", RootUnitID: e.xz, Depth: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ok != 2 || refused != 1 || *v.Root.ChildrenSum != 80 || v.Root.Status != target.StatusWithin {
			t.Fatalf("%d written, %d refused, children sum %d (%s)", ok, refused, *v.Root.ChildrenSum, v.Root.Status)
		}
	})
}
