package stats_test

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/metric"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/stats"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/internal/target"
	"cmhub/presets"
)

var now = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func d(s string) platform.Date {
	x, err := platform.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

// env is a securities branch XZ (邢州营业部) with a marketing department
// MKT, region R1 (teams T11 with group G111, and T12) and region R2 (team
// T21). People: A and B in T11, F in T12, D in T12 who moves to T21 on
// 2026-11-15, E in T21, the regional manager RM in R1, M in MKT, and Z in
// T11 who left in June. The catalogue is the securities preset's plus
// avg_deposits, the average daily balance of deposit_balance records.
type env struct {
	db                                    *store.DB
	svc                                   *stats.Service
	inst, root, xz, mkt, r1, r2           int64
	t11, t12, t21, g111                   int64
	a, b, dd, e, f, rm, m, z              int64
	gm, rm1, rm2, cmA, noExport, outsider *access.Principal
}

func (e *env) as(p *access.Principal) context.Context {
	return access.WithPrincipal(context.Background(), p)
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	db.SetClock(platform.FixedClock{T: now})
	ctx := context.Background()
	pre, err := presets.Load("securities-branch")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, svc: &stats.Service{Store: db}}
	err = db.WithTx(ctx, func(ctx context.Context) error {
		in, err := db.CreateInstitution(ctx, pre, "HQ", "测试证券", d("2020-01-01"))
		if err != nil {
			return err
		}
		e.inst, e.root = in.ID, in.RootUnit
		if _, err := db.SeedMetrics(ctx, e.inst, pre.Metrics); err != nil {
			return err
		}
		if err := db.CreateMetric(ctx, &metric.Metric{Institution: e.inst, Key: "avg_deposits", NameZh: "存款日均", Unit: metric.UnitYuan,
			Aggregation: metric.AggAvgDailyBalance, SourceKind: metric.SourceRecord, RecordType: "deposit_balance", Field: metric.FieldAmount, Active: true}); err != nil {
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
		e.g111 = mk(e.t11, org.Group, "G111", "一区一队一组")
		e.t21 = mk(e.r2, org.Team, "T21", "二区一队")
		if err != nil {
			return err
		}
		for _, p := range []struct {
			no, name string
			unit     int64
			dst      *int64
		}{{"E01", "张三", e.t11, &e.a}, {"E02", "李四", e.t11, &e.b}, {"E03", "王五", e.t12, &e.dd}, {"E04", "赵六", e.t21, &e.e},
			{"E05", "钱七", e.t12, &e.f}, {"E06", "孙八", e.r1, &e.rm}, {"E07", "周九", e.mkt, &e.m}, {"E08", "吴十", e.t11, &e.z}} {
			x := people.Person{Institution: e.inst, EmpNo: p.no, Name: p.name, HiredOn: d("2025-01-01")}
			if err := db.CreatePerson(ctx, &x, people.Record{UnitID: p.unit, Position: "sales_cm", Status: "active", ValidFrom: d("2025-01-01")}); err != nil {
				return err
			}
			*p.dst = x.ID
		}
		if err := db.MovePerson(ctx, e.z, people.Record{UnitID: e.t11, Position: "sales_cm", Status: people.StatusTerminated, ValidFrom: d("2026-06-01"), Reason: "离职"}); err != nil {
			return err
		}
		return db.MovePerson(ctx, e.dd, people.Record{UnitID: e.t21, Position: "sales_cm", Status: "active", ValidFrom: d("2026-11-15"), Reason: "调动"})
	})
	if err != nil {
		t.Fatal(err)
	}
	read := []access.Permission{access.StatsRead, access.StatsExport}
	pr := func(name string, perms []access.Permission, s access.Scope, person int64) *access.Principal {
		s.Institution = e.inst
		return &access.Principal{Username: name, Institution: e.inst, Permissions: perms, Scope: s, PersonID: person}
	}
	e.gm = pr("gm", read, access.Scope{Units: []int64{e.xz}}, 0)
	e.rm1 = pr("rm1", read, access.Scope{Units: []int64{e.r1}, Self: e.rm}, e.rm)
	e.rm2 = pr("rm2", read, access.Scope{Units: []int64{e.r2}}, 0)
	e.cmA = pr("cmA", read, access.Scope{Self: e.a}, e.a)
	e.noExport = pr("noexport", []access.Permission{access.StatsRead}, access.Scope{All: true}, 0)
	e.outsider = pr("outsider", []access.Permission{access.TargetRead}, access.Scope{All: true}, 0)
	return e
}

// rec is one row of business_records: a record as credited to one manager
// (person 0: nobody).
type rec struct {
	src      string
	date     string
	customer int64
	typ      string
	amount   int64 // fen
	qty      int64 // thousandths
	product  string
	person   int64
	unit     int64
	share    int64
}

// insertRecords writes rows straight into business_records through the
// store's bulk path (the test does not go through the importer).
func insertRecords(t testing.TB, db *store.DB, inst int64, rs []rec) {
	t.Helper()
	err := db.WithTx(context.Background(), func(ctx context.Context) error {
		i := 0
		var row record.Row
		_, err := db.LoadCredits(ctx, func() (*record.Row, bool) {
			if i == len(rs) {
				return nil, false
			}
			r := rs[i]
			i++
			day := d(r.date)
			row = record.Row{Institution: inst, Month: day.Year()*100 + int(day.Month()), SourceID: r.src, Day: record.DayNumber(day),
				CustomerID: r.customer, RecordType: r.typ, Amount: r.amount, Quantity: r.qty, Product: r.product,
				PersonID: r.person, UnitID: r.unit, ShareBP: int(r.share), ContentHash: int64(i), ImportID: 1}
			return &row, true
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// november is the test month's records; see the expected figures in the tests.
func (e *env) november(t *testing.T) {
	t.Helper()
	A, B, D, E, F := e.a, e.b, e.dd, e.e, e.f
	T11, T12, T21 := e.t11, e.t12, e.t21
	rs := []rec{
		// New accounts: c1 shared 70/30, c3 credited to nobody (kept with
		// the branch), D opens c4 in T12 before the move and c5 in T21 after.
		{"N1", "2026-11-02", 1, "account_opened", 0, 0, "", A, T11, 7000},
		{"N1", "2026-11-02", 1, "account_opened", 0, 0, "", B, T11, 3000},
		{"N2", "2026-11-03", 2, "account_opened", 0, 0, "", A, T11, 10000},
		{"N3", "2026-11-04", 3, "account_opened", 0, 0, "", 0, e.xz, 10000},
		{"N4", "2026-11-05", 4, "account_opened", 0, 0, "", D, T12, 10000},
		{"N5", "2026-11-20", 5, "account_opened", 0, 0, "", D, T21, 10000},
		{"N6", "2026-11-06", 6, "account_opened", 0, 0, "", E, T21, 10000},
		{"N7", "2026-11-07", 7, "account_opened", 0, 0, "", F, T12, 10000},
		// Deposits in: 1000.05 yuan shared 70/30.
		{"I1", "2026-11-08", 1, "deposit_in", 100005, 0, "", A, T11, 7000},
		{"I1", "2026-11-08", 1, "deposit_in", 100005, 0, "", B, T11, 3000},
		// Futures: a 50-ton contract is 10/3 standard lots.
		{"F1", "2026-11-09", 2, "futures_trade", 0, 3000, "bitumen_50t", A, T11, 10000},
		{"F2", "2026-11-10", 2, "futures_trade", 0, 1000, "bitumen_15t", A, T11, 10000},
		{"F3", "2026-11-11", 10, "futures_trade", 0, 1000, "bitumen_50t", B, T11, 10000},
		{"R1", "2026-11-12", 2, "net_revenue", 11000, 0, "", A, T11, 10000},
		{"R2", "2026-11-12", 10, "net_revenue", 1000, 0, "", B, T11, 10000},
		// Asset snapshots (latest per customer): c1's latest is S3 (same
		// day as S2, greater source id); c8 moved from D to E, E has the latest.
		{"S1", "2026-11-10", 1, "asset_snapshot", 100000, 0, "", A, T11, 7000},
		{"S1", "2026-11-10", 1, "asset_snapshot", 100000, 0, "", B, T11, 3000},
		{"S2", "2026-11-25", 1, "asset_snapshot", 200000, 0, "", A, T11, 7000},
		{"S2", "2026-11-25", 1, "asset_snapshot", 200000, 0, "", B, T11, 3000},
		{"S3", "2026-11-25", 1, "asset_snapshot", 250000, 0, "", A, T11, 7000},
		{"S3", "2026-11-25", 1, "asset_snapshot", 250000, 0, "", B, T11, 3000},
		{"S0", "2026-11-03", 2, "asset_snapshot", 50000, 0, "", A, T11, 10000},
		{"S4", "2026-11-05", 8, "asset_snapshot", 30000, 0, "", D, T12, 10000},
		{"S5", "2026-11-28", 8, "asset_snapshot", 40000, 0, "", E, T21, 10000},
		// Daily balances: c2 3000 from the 1st, 6000 from the 11th, 9000
		// from the 21st (B3b, the day's last record); c1 1500 from the 16th
		// shared 70/30; c9 100 on the 30th only.
		{"B1", "2026-11-01", 2, "deposit_balance", 300000, 0, "", A, T11, 10000},
		{"B2", "2026-11-11", 2, "deposit_balance", 600000, 0, "", A, T11, 10000},
		{"B3a", "2026-11-21", 2, "deposit_balance", 100000, 0, "", A, T11, 10000},
		{"B3b", "2026-11-21", 2, "deposit_balance", 900000, 0, "", A, T11, 10000},
		{"B4", "2026-11-16", 1, "deposit_balance", 150000, 0, "", A, T11, 7000},
		{"B4", "2026-11-16", 1, "deposit_balance", 150000, 0, "", B, T11, 3000},
		{"B5", "2026-11-30", 9, "deposit_balance", 10000, 0, "", E, T21, 10000},
		// Valid accounts (distinct customers): c1 twice shared, c2 twice,
		// c3 credited to nobody, c4 by D in T12 and again in T21.
		{"V1", "2026-11-02", 1, "account_validated", 0, 0, "", A, T11, 7000},
		{"V1", "2026-11-02", 1, "account_validated", 0, 0, "", B, T11, 3000},
		{"V2", "2026-11-09", 1, "account_validated", 0, 0, "", A, T11, 7000},
		{"V2", "2026-11-09", 1, "account_validated", 0, 0, "", B, T11, 3000},
		{"V3", "2026-11-03", 2, "account_validated", 0, 0, "", A, T11, 10000},
		{"V4", "2026-11-13", 2, "account_validated", 0, 0, "", A, T11, 10000},
		{"V5", "2026-11-04", 3, "account_validated", 0, 0, "", 0, e.xz, 10000},
		{"V6", "2026-11-06", 4, "account_validated", 0, 0, "", D, T12, 10000},
		{"V7", "2026-11-22", 4, "account_validated", 0, 0, "", D, T21, 10000},
		// October: one account by A.
		{"O1", "2026-10-15", 11, "account_opened", 0, 0, "", A, T11, 10000},
	}
	insertRecords(t, e.db, e.inst, rs)
	var ts []*target.Target
	for _, x := range []struct {
		unit, person   int64
		metric, unitOf string
		value          int64
	}{
		{T11, 0, "new_accounts", "count", 4}, {T12, 0, "new_accounts", "count", 2}, {T21, 0, "new_accounts", "count", 8},
		{0, A, "new_accounts", "count", 2}, {0, D, "new_accounts", "count", 4}, {0, E, "new_accounts", "count", 2},
		{0, A, "deposits_in", "yuan", 100000},
	} {
		ts = append(ts, &target.Target{Institution: e.inst, Period: "2026-11", Metric: x.metric,
			Subject: target.Subject{UnitID: x.unit, PersonID: x.person}, Unit: x.unitOf, Value: x.value, SetBy: "test"})
	}
	if err := e.db.WithTx(context.Background(), func(ctx context.Context) error { return e.db.SaveTargets(ctx, ts) }); err != nil {
		t.Fatal(err)
	}
}

func (e *env) monthly(t *testing.T, p *access.Principal, level string, unit int64, metrics ...string) stats.Monthly {
	t.Helper()
	m, err := e.svc.Monthly(e.as(p), stats.MonthlyQuery{Month: "2026-11", Level: level, UnitID: unit, Metrics: metrics})
	if err != nil {
		t.Fatalf("monthly %s as %s: %v", level, p.Username, err)
	}
	return m
}

// row returns the row of a subject, failing when it is missing.
func row(t *testing.T, m stats.Monthly, id int64) stats.Row {
	t.Helper()
	for _, r := range m.Rows {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no row %d in %s rows %v", id, m.Level, ids(m))
	return stats.Row{}
}

func ids(m stats.Monthly) []int64 {
	var out []int64
	for _, r := range m.Rows {
		out = append(out, r.ID)
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

func num(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// want checks the actual of several subjects for one metric.
func want(t *testing.T, m stats.Monthly, metricKey string, actual map[int64]string) {
	t.Helper()
	for id, v := range actual {
		if got := str(row(t, m, id).Values[metricKey].Actual); got != v {
			t.Errorf("%s %s of %d: %s, want %s", m.Level, metricKey, id, got, v)
		}
	}
}

func TestMonthlyFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.november(t)
		mgr := e.monthly(t, e.gm, stats.LevelManager, 0)
		// Who is listed: everyone credited, and the current managers of
		// regions, teams and groups; not M (a department), not Z (left).
		if got := len(mgr.Rows); got != 6 {
			t.Errorf("manager rows %v, want A B D E F RM", ids(mgr))
		}
		for _, r := range mgr.Rows {
			if r.ID == e.m || r.ID == e.z {
				t.Errorf("row for %s", r.Name)
			}
		}
		if r := row(t, mgr, e.dd); r.EmpNo != "E03" || r.Path != "邢州营业部 / 第二区域 / 二区一队" || r.SubjectType != stats.SubjectPerson {
			t.Errorf("D's row: %+v", r)
		}
		// Shares: the 70/30 customer counts 0.7 and 0.3; D keeps both his accounts.
		want(t, mgr, "new_accounts", map[int64]string{e.a: "1.7", e.b: "0.3", e.dd: "2", e.e: "1", e.f: "1", e.rm: "0"})
		// Money: exact shares, rounded half away from zero only when written.
		want(t, mgr, "deposits_in", map[int64]string{e.a: "700.04", e.b: "300.02", e.e: "0.00"})
		// Standard lots: 3 × 10/3 + 1 for A, 10/3 for B.
		want(t, mgr, "standard_lots", map[int64]string{e.a: "11.000", e.b: "3.333"})
		// Latest value per customer: c1's S3 (2500 × 0.7) + c2's 500; c8's
		// latest snapshot is E's, so D has none.
		want(t, mgr, "customer_assets", map[int64]string{e.a: "2250.00", e.b: "750.00", e.dd: "0.00", e.e: "400.00"})
		// Average daily balance over 30 days: (10×3000 + 10×6000 + 10×9000)/30
		// + 15×1500/30 × 0.7 for A; one day of 100 for E.
		want(t, mgr, "avg_deposits", map[int64]string{e.a: "6525.00", e.b: "225.00", e.e: "3.33"})
		// Distinct customers: each customer once per manager at its largest share.
		want(t, mgr, "new_valid_accounts", map[int64]string{e.a: "1.7", e.b: "0.3", e.dd: "1", e.e: "0"})
		// Formulas from the subject's own values; 0/0 has no value.
		want(t, mgr, "valid_account_rate", map[int64]string{e.a: "1.0000", e.dd: "0.5000", e.e: "0.0000", e.rm: "null"})
		want(t, mgr, "net_revenue_per_lot", map[int64]string{e.a: "10.00", e.b: "3.00", e.e: "null"})

		// Ranks with ties (competition ranking) and completion against targets.
		na := func(id int64) stats.Cell { return row(t, mgr, id).Values["new_accounts"] }
		for id, w := range map[int64][2]int{e.dd: {1, 2}, e.a: {2, 1}, e.e: {3, 2}, e.f: {3, 0}, e.b: {5, 0}, e.rm: {6, 0}} {
			if c := na(id); num(c.Rank) != w[0] || num(c.CompletionRank) != w[1] {
				t.Errorf("new_accounts ranks of %d: %d/%d, want %d/%d", id, num(c.Rank), num(c.CompletionRank), w[0], w[1])
			}
		}
		if c := na(e.a); str(c.Target) != "2" || str(c.Completion) != "85.00" {
			t.Errorf("A's new accounts: %s of %s = %s", str(c.Actual), str(c.Target), str(c.Completion))
		}
		if c := na(e.f); c.Target != nil || c.Completion != nil || c.CompletionRank != nil {
			t.Errorf("F has no target: %+v", c)
		}
		if c := row(t, mgr, e.a).Values["deposits_in"]; str(c.Target) != "1000.00" || str(c.Completion) != "70.00" {
			t.Errorf("A's deposits in: %s of %s = %s", str(c.Actual), str(c.Target), str(c.Completion))
		}
		if c := row(t, mgr, e.rm).Values["valid_account_rate"]; c.Actual != nil || c.Rank != nil {
			t.Errorf("a formula without value has no rank: %+v", c)
		}

		// Teams: each team gets the rows dated while D was in it.
		teams := e.monthly(t, e.gm, stats.LevelTeam, 0)
		if got := ids(teams); len(got) != 3 || got[0] != e.t11 || got[1] != e.t12 || got[2] != e.t21 {
			t.Errorf("team rows %v", got)
		}
		if r := row(t, teams, e.t12); r.SubjectType != stats.SubjectUnit || r.Path != "邢州营业部 / 第一区域" || r.Name != "一区二队" {
			t.Errorf("T12's row: %+v", r)
		}
		want(t, teams, "new_accounts", map[int64]string{e.t11: "2", e.t12: "2", e.t21: "2"})
		want(t, teams, "deposits_in", map[int64]string{e.t11: "1000.05"})
		want(t, teams, "standard_lots", map[int64]string{e.t11: "14.333"})
		want(t, teams, "net_revenue_per_lot", map[int64]string{e.t11: "8.37"})
		want(t, teams, "customer_assets", map[int64]string{e.t11: "3000.00", e.t12: "0.00", e.t21: "400.00"})
		want(t, teams, "new_valid_accounts", map[int64]string{e.t11: "2", e.t12: "1", e.t21: "1"})
		for id, w := range map[int64][2]string{e.t11: {"50.00", "2"}, e.t12: {"100.00", "1"}, e.t21: {"25.00", "3"}} {
			c := row(t, teams, id).Values["new_accounts"]
			if str(c.Completion) != w[0] || num(c.CompletionRank) != map[string]int{"1": 1, "2": 2, "3": 3}[w[1]] {
				t.Errorf("team %d completion %s rank %d, want %s %s", id, str(c.Completion), num(c.CompletionRank), w[0], w[1])
			}
		}
		if c := row(t, teams, e.t11).Values["new_accounts"]; num(c.Rank) != 1 || num(row(t, teams, e.t21).Values["new_accounts"].Rank) != 1 {
			t.Errorf("three teams tied at 2 share rank 1: %+v", c)
		}
		// Regions and the branch; a customer counts once per unit however
		// many of its managers or teams have it.
		regions := e.monthly(t, e.gm, stats.LevelRegion, 0)
		want(t, regions, "new_accounts", map[int64]string{e.r1: "4", e.r2: "2"})
		want(t, regions, "new_valid_accounts", map[int64]string{e.r1: "3", e.r2: "1"})
		branch := e.monthly(t, e.gm, stats.LevelBranch, 0)
		// The record credited to nobody counts at the branch only: 7 = 6 + 1.
		want(t, branch, "new_accounts", map[int64]string{e.xz: "7"})
		want(t, branch, "new_valid_accounts", map[int64]string{e.xz: "4"})
		want(t, branch, "customer_assets", map[int64]string{e.xz: "3400.00"})
		if r := row(t, branch, e.xz); r.Path != "" {
			t.Errorf("branch path %q", r.Path)
		}
		// Narrowed to a unit: T11's managers with T11's records.
		t11 := e.monthly(t, e.gm, stats.LevelManager, e.t11, "new_accounts")
		if got := ids(t11); len(got) != 2 {
			t.Errorf("T11 managers %v, want A and B", got)
		}
		if len(t11.Metrics) != 1 || t11.Metrics[0].Key != "new_accounts" || t11.Metrics[0].NameZh != "新开户数" || t11.Metrics[0].Unit != "count" {
			t.Errorf("metrics %+v", t11.Metrics)
		}
	})
}

func TestMonthlyScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.november(t)
		// rm1 sees region 1: its managers, with what was credited in it —
		// D with the account he opened in T12 before moving away.
		mgr := e.monthly(t, e.rm1, stats.LevelManager, 0)
		if got := ids(mgr); len(got) != 5 {
			t.Errorf("rm1's managers %v, want A B D F RM", got)
		}
		for _, r := range mgr.Rows {
			if r.ID == e.e {
				t.Error("rm1 sees E of region 2")
			}
		}
		want(t, mgr, "new_accounts", map[int64]string{e.dd: "1", e.a: "1.7"})
		if r := row(t, mgr, e.dd); r.Path != "邢州营业部 / 第一区域 / 一区二队" {
			t.Errorf("D is shown under %q for rm1", r.Path)
		}
		if c := row(t, mgr, e.dd).Values["new_accounts"]; c.Target != nil {
			t.Errorf("rm1 sees the target of D, now in region 2: %s", str(c.Target))
		}
		if got := ids(e.monthly(t, e.rm1, stats.LevelTeam, 0)); len(got) != 2 {
			t.Errorf("rm1's teams %v, want T11 T12", got)
		}
		regions := e.monthly(t, e.rm1, stats.LevelRegion, 0)
		if got := ids(regions); len(got) != 1 || got[0] != e.r1 {
			t.Errorf("rm1's regions %v", got)
		}
		// The latest snapshot of c8 is E's in region 2: region 1 has none of it.
		want(t, regions, "customer_assets", map[int64]string{e.r1: "3000.00"})
		if got := ids(e.monthly(t, e.rm1, stats.LevelBranch, 0)); len(got) != 0 {
			t.Errorf("rm1 sees the branch: %v", got)
		}
		if _, err := e.svc.Monthly(e.as(e.rm1), stats.MonthlyQuery{Month: "2026-11", Level: stats.LevelManager, UnitID: e.r2}); !errors.Is(err, platform.ErrNotFound) {
			t.Errorf("rm1 narrows to region 2: %v", err)
		}
		// rm2: D with the account opened after the move, E.
		mgr2 := e.monthly(t, e.rm2, stats.LevelManager, 0)
		want(t, mgr2, "new_accounts", map[int64]string{e.dd: "1", e.e: "1"})
		if c := row(t, mgr2, e.dd).Values["new_accounts"]; str(c.Target) != "4" || str(c.Completion) != "25.00" {
			t.Errorf("D's target for rm2: %+v", c)
		}
		// A customer manager sees only themself, with all their figures.
		cm := e.monthly(t, e.cmA, stats.LevelManager, 0)
		if got := ids(cm); len(got) != 1 || got[0] != e.a {
			t.Fatalf("cm sees %v", got)
		}
		want(t, cm, "new_accounts", map[int64]string{e.a: "1.7"})
		want(t, cm, "customer_assets", map[int64]string{e.a: "2250.00"})
		if c := row(t, cm, e.a).Values["new_accounts"]; num(c.Rank) != 1 || str(c.Completion) != "85.00" {
			t.Errorf("cm's own cell %+v", c)
		}
		if got := ids(e.monthly(t, e.cmA, stats.LevelTeam, 0)); len(got) != 0 {
			t.Errorf("cm sees teams %v", got)
		}
		// Permissions.
		if _, err := e.svc.Monthly(e.as(e.outsider), stats.MonthlyQuery{Month: "2026-11", Level: stats.LevelTeam}); !errors.Is(err, platform.ErrForbidden) {
			t.Errorf("without stats:read: %v", err)
		}
		if _, err := e.svc.Export(e.as(e.noExport), stats.MonthlyQuery{Month: "2026-11", Level: stats.LevelTeam}); !errors.Is(err, platform.ErrForbidden) {
			t.Errorf("export without stats:export: %v", err)
		}
	})
}

func TestMonthlyRefusesBadQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, c := range []struct {
			q     stats.MonthlyQuery
			field string
		}{
			{stats.MonthlyQuery{Month: "2026-13", Level: "team"}, "month"},
			{stats.MonthlyQuery{Month: "2026-Q4", Level: "team"}, "month"},
			{stats.MonthlyQuery{Month: "2026-11", Level: "group"}, "level"},
			{stats.MonthlyQuery{Month: "2026-11", Level: "team", Metrics: []string{"new_accounts", "salary"}}, "metrics"},
		} {
			_, err := e.svc.Monthly(e.as(e.gm), c.q)
			var ve *platform.ValidationError
			if !errors.As(err, &ve) || ve.Fields[c.field] == "" {
				t.Errorf("%+v: %v, want an error on %s", c.q, err, c.field)
			}
		}
	})
}

func TestTrend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.november(t)
		tr, err := e.svc.Trend(e.as(e.gm), stats.TrendQuery{From: "2026-10", To: "2026-11", Level: stats.LevelManager, Metric: "new_accounts", Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Months) != 2 || tr.Months[0] != "2026-10" || tr.Metric.Key != "new_accounts" {
			t.Fatalf("trend %+v", tr)
		}
		if len(tr.Series) != 2 || tr.Series[0].ID != e.dd || tr.Series[1].ID != e.a {
			t.Fatalf("top two by November: %+v", tr.Series)
		}
		a := tr.Series[1]
		if str(a.Actual[0]) != "1" || str(a.Actual[1]) != "1.7" || a.Completion[0] != nil || str(a.Completion[1]) != "85.00" {
			t.Errorf("A's trend: %v %v", a.Actual, a.Completion)
		}
		teams, err := e.svc.Trend(e.as(e.rm1), stats.TrendQuery{From: "2026-10", To: "2026-11", Level: stats.LevelTeam, Metric: "new_accounts"})
		if err != nil {
			t.Fatal(err)
		}
		if len(teams.Series) != 2 {
			t.Errorf("rm1's team trend: %+v", teams.Series)
		}
		for _, q := range []stats.TrendQuery{
			{From: "2024-01", To: "2026-11", Level: "team", Metric: "new_accounts"},
			{From: "2026-11", To: "2026-10", Level: "team", Metric: "new_accounts"},
			{From: "2026-10", To: "2026-11", Level: "team"},
			{From: "2026-10", To: "2026-11", Level: "team", Metric: "new_accounts", Limit: 101},
		} {
			var ve *platform.ValidationError
			if _, err := e.svc.Trend(e.as(e.gm), q); !errors.As(err, &ve) {
				t.Errorf("%+v: %v", q, err)
			}
		}
	})
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		num, den int64
		unit     string
		want     string
	}{
		{700035, 1000, "yuan", "700.04"},
		{-700035, 1000, "yuan", "-700.04"},
		{-1, 1000, "yuan", "0.00"},
		{10, 3, "lots", "3.333"},
		{17, 10, "count", "1.7"},
		{2, 1, "count", "2"},
		{1, 3, "count", "0.3333"},
		{2, 3, "percent", "0.6667"},
		{0, 1, "count", "0"},
	} {
		if got := stats.Format(newRat(c.num, c.den), c.unit); got != c.want {
			t.Errorf("Format(%d/%d, %s) = %s, want %s", c.num, c.den, c.unit, got, c.want)
		}
	}
}

func newRat(a, b int64) *big.Rat { return big.NewRat(a, b) }

// TestHugeAmounts: sums beyond an int64 stay exact (SQLite's integer sum
// overflows and the month is read again by share; PostgreSQL sums as numeric).
func TestHugeAmounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const big = 900_000_000_000_000 // 9 trillion yuan, in fen
		insertRecords(t, db, e.inst, []rec{
			{"H1", "2026-11-02", 1, "deposit_in", big, 0, "", e.a, e.t11, 10000},
			{"H2", "2026-11-03", 1, "deposit_in", big, 0, "", e.a, e.t11, 10000},
			{"H3", "2026-11-04", 2, "deposit_in", 3, 0, "", e.a, e.t11, 5000},
			{"H3", "2026-11-04", 2, "deposit_in", 3, 0, "", e.b, e.t11, 5000},
		})
		mgr := e.monthly(t, e.gm, stats.LevelManager, 0, "deposits_in")
		want(t, mgr, "deposits_in", map[int64]string{e.a: "18000000000000.02", e.b: "0.02"}) // 1.5 fen each, rounded up
		want(t, e.monthly(t, e.gm, stats.LevelBranch, 0, "deposits_in"), "deposits_in", map[int64]string{e.xz: "18000000000000.03"})
	})
}
