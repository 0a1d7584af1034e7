package metric_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/metric"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/presets"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

type env struct {
	db                  *store.DB
	svc                 *metric.Service
	admin, reader, none context.Context
	inst                int64
}

// setup creates a securities institution with its preset catalogue and
// three principals: one with every permission, one that may only read
// metrics, one with no permission at all.
func setup(t *testing.T, db *store.DB) env {
	t.Helper()
	db.SetClock(platform.FixedClock{T: now})
	ctx := context.Background()
	p, err := presets.Load("securities-branch")
	if err != nil {
		t.Fatal(err)
	}
	var inst int64
	err = db.WithTx(ctx, func(ctx context.Context) error {
		in, err := db.CreateInstitution(ctx, p, "T", "测试证券", platform.DateOf(now))
		if err != nil {
			return err
		}
		inst = in.ID
		_, err = db.SeedMetrics(ctx, in.ID, p.Metrics)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	scope := access.Scope{Institution: inst, All: true}
	return env{
		db:     db,
		svc:    &metric.Service{Store: db, Audit: audit.Log{A: db, Clock: platform.FixedClock{T: now}}},
		admin:  access.WithPrincipal(ctx, access.System(inst, "test")),
		reader: access.WithPrincipal(ctx, &access.Principal{UserID: 7, Username: "reader", Institution: inst, Scope: scope, Permissions: []access.Permission{access.MetricRead}}),
		none:   access.WithPrincipal(ctx, &access.Principal{UserID: 8, Username: "none", Institution: inst, Scope: scope}),
		inst:   inst,
	}
}

func (e env) audits(t *testing.T, key string) []audit.Entry {
	t.Helper()
	es, _, err := e.db.ListAudit(context.Background(), access.Scope{Institution: e.inst, All: true},
		audit.Filter{ObjectType: "metric", ObjectID: key, Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func fieldErr(t *testing.T, err error, field, want string) {
	t.Helper()
	var ve *platform.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error on %s, got %v", field, err)
	}
	if !strings.Contains(ve.Fields[field], want) {
		t.Fatalf("want %s to say %q, got %v", field, want, ve.Fields)
	}
}

func conflict(t *testing.T, err error, code, want string) {
	t.Helper()
	var ce *platform.ConflictError
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("want a %s conflict, got %v", code, err)
	}
	if !strings.Contains(ce.Message, want) {
		t.Fatalf("conflict %q does not say %q", ce.Message, want)
	}
}

func TestServicePermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		ms, err := e.svc.List(e.reader, true)
		if err != nil || len(ms) == 0 {
			t.Fatalf("reader lists: %d %v", len(ms), err)
		}
		if m, err := e.svc.Get(e.reader, "net_revenue"); err != nil || m.Unit != metric.UnitYuan {
			t.Fatalf("reader gets: %+v %v", m, err)
		}
		if _, err := e.svc.Catalogue(e.reader); err != nil {
			t.Fatalf("reader's catalogue: %v", err)
		}
		in := metric.Input{Key: "deposits_x2", NameZh: "双倍入金", Unit: "yuan", Formula: "deposits_in * 2"}
		for name, call := range map[string]func(ctx context.Context) error{
			"create": func(ctx context.Context) error { _, err := e.svc.Create(ctx, in); return err },
			"update": func(ctx context.Context) error {
				_, err := e.svc.Update(ctx, "net_revenue", metric.Input{NameZh: "改"})
				return err
			},
			"deactivate": func(ctx context.Context) error { _, err := e.svc.Deactivate(ctx, "visits_made", ""); return err },
		} {
			for who, ctx := range map[string]context.Context{"reader": e.reader, "none": e.none, "anonymous": context.Background()} {
				if err := call(ctx); !errors.Is(err, platform.ErrForbidden) {
					t.Errorf("%s by %s: %v", name, who, err)
				}
			}
		}
		for who, ctx := range map[string]context.Context{"none": e.none, "anonymous": context.Background()} {
			if _, err := e.svc.List(ctx, false); !errors.Is(err, platform.ErrForbidden) {
				t.Errorf("list by %s: %v", who, err)
			}
			if _, err := e.svc.Get(ctx, "net_revenue"); !errors.Is(err, platform.ErrForbidden) {
				t.Errorf("get by %s: %v", who, err)
			}
			if _, err := e.svc.Catalogue(ctx); !errors.Is(err, platform.ErrForbidden) {
				t.Errorf("catalogue by %s: %v", who, err)
			}
		}
		if got := e.audits(t, ""); len(got) != 0 {
			t.Errorf("refused calls left %d audit entries", len(got))
		}
		// Another institution's principal does not see this catalogue.
		other := access.WithPrincipal(context.Background(), access.System(e.inst+1, "other"))
		if ms, err := e.svc.List(other, false); err != nil || len(ms) != 0 {
			t.Errorf("other institution: %d %v", len(ms), err)
		}
		if _, err := e.svc.Get(other, "net_revenue"); !errors.Is(err, platform.ErrNotFound) {
			t.Errorf("other institution get: %v", err)
		}
	})
}

func TestServiceCreateUpdateAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		m, err := e.svc.Create(e.admin, metric.Input{Key: " revenue_after_cost ", NameZh: " 扣费后净创收 ", NameEn: "Revenue after cost",
			Unit: "yuan", Formula: "net_revenue - products_sold * 0.001", Description: "示例"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Key != "revenue_after_cost" || m.NameZh != "扣费后净创收" || m.Version != 1 || !m.Active || m.SourceKind != metric.SourceFormula || m.ID == 0 {
			t.Fatalf("created %+v", m)
		}
		es := e.audits(t, "revenue_after_cost")
		if len(es) != 1 || es[0].Action != "metric.create" || es[0].ActorName != "test" || es[0].UnitID != 0 || es[0].Before != nil {
			t.Fatalf("create audit: %+v", es)
		}
		var after metric.Metric
		if err := json.Unmarshal(es[0].After, &after); err != nil || after.Formula != m.Formula {
			t.Fatalf("audit after: %s %v", es[0].After, err)
		}

		// Errors name the field, Chinese first.
		_, err = e.svc.Create(e.admin, metric.Input{Key: "revenue_after_cost", NameZh: "重复", Unit: "yuan", Formula: "net_revenue"})
		conflict(t, err, "duplicate", "已存在")
		_, err = e.svc.Create(e.admin, metric.Input{Key: "ghost", NameZh: "幽灵", Unit: "yuan", Formula: "net_revenue + ghost_revenue + phantom"})
		fieldErr(t, err, "formula", "未知指标 ghost_revenue、phantom")
		_, err = e.svc.Create(e.admin, metric.Input{Key: "Bad Key", NameZh: "坏", Unit: "yuan", Formula: "net_revenue"})
		fieldErr(t, err, "key", "指标代码")
		_, err = e.svc.Create(e.admin, metric.Input{Key: "loans", NameZh: "贷款", Unit: "yuan", Aggregation: "sum", RecordType: "loan_issued"})
		fieldErr(t, err, "field", "amount")
		_, err = e.svc.Create(e.admin, metric.Input{Key: "cmp", NameZh: "比较", Unit: "count", Formula: "net_revenue > 0"})
		fieldErr(t, err, "formula", "须为数值")

		// A cycle through an update is refused with its path, from the metric being changed.
		if _, err := e.svc.Create(e.admin, metric.Input{Key: "step_two", NameZh: "二", Unit: "yuan", Formula: "revenue_after_cost * 2"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Update(e.admin, "revenue_after_cost", metric.Input{NameZh: "扣费后净创收", Unit: "yuan", Formula: "step_two / 2", Version: 1})
		fieldErr(t, err, "formula", "revenue_after_cost → step_two → revenue_after_cost")

		// An update bumps the version and is audited with before and after.
		up, err := e.svc.Update(e.admin, "revenue_after_cost", metric.Input{NameZh: "扣费后净创收", NameEn: "Revenue after cost", Unit: "yuan",
			Formula: "net_revenue - products_sold * 0.002", Description: "费率调整", Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || up.Formula != "net_revenue - products_sold * 0.002" {
			t.Fatalf("updated %+v", up)
		}
		es = e.audits(t, "revenue_after_cost")
		if len(es) != 2 || es[0].Action != "metric.update" || !strings.Contains(string(es[0].Before), "0.001") || !strings.Contains(string(es[0].After), "0.002") {
			t.Fatalf("update audit: %+v", es)
		}
		// The same edit again changes nothing and writes nothing.
		same, err := e.svc.Update(e.admin, "revenue_after_cost", metric.Input{NameZh: "扣费后净创收", NameEn: "Revenue after cost", Unit: "yuan",
			Formula: "net_revenue - products_sold * 0.002", Description: "费率调整"})
		if err != nil || same.Version != 2 || len(e.audits(t, "revenue_after_cost")) != 2 {
			t.Fatalf("no-op update: %+v %v", same, err)
		}
		// Editing from an old version is a conflict; the key cannot change; unknown keys are not found.
		_, err = e.svc.Update(e.admin, "revenue_after_cost", metric.Input{NameZh: "旧", Unit: "yuan", Formula: "net_revenue", Version: 1})
		conflict(t, err, "stale", "已被他人修改")
		_, err = e.svc.Update(e.admin, "revenue_after_cost", metric.Input{Key: "renamed", NameZh: "改名", Unit: "yuan", Formula: "net_revenue"})
		fieldErr(t, err, "key", "不能修改")
		if _, err := e.svc.Update(e.admin, "nope", metric.Input{NameZh: "无", Unit: "count", Formula: "net_revenue"}); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("unknown key: %v", err)
		}

		// The compiled catalogue is reused until a metric changes.
		c1, err := e.svc.Catalogue(e.reader)
		if err != nil {
			t.Fatal(err)
		}
		c2, _ := e.svc.Catalogue(e.reader)
		if c1 != c2 {
			t.Error("catalogue recompiled without a change")
		}
		r, err := c1.Evaluate("step_two", map[string]float64{"revenue_after_cost": 10.005})
		if err != nil || r.Value != 20.01 {
			t.Errorf("evaluate: %+v %v", r, err)
		}
		if _, err := e.svc.Update(e.admin, "step_two", metric.Input{NameZh: "二", Unit: "yuan", Formula: "revenue_after_cost * 3"}); err != nil {
			t.Fatal(err)
		}
		if c3, _ := e.svc.Catalogue(e.reader); c3 == c1 {
			t.Error("catalogue not rebuilt after a change")
		}
	})
}

func TestServiceDeactivate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		// The preset's conversion rate uses new_accounts.
		_, err := e.svc.Deactivate(e.admin, "new_accounts", "不再考核")
		conflict(t, err, "in_use", "valid_account_rate（有效户转化率）")
		_, err = e.svc.Update(e.admin, "new_accounts", metric.Input{NameZh: "新开户数", NameEn: "New accounts", Unit: "count",
			Aggregation: "count", RecordType: "account_opened", Active: new(false)})
		conflict(t, err, "in_use", "valid_account_rate")

		m, err := e.svc.Deactivate(e.admin, "visits_made", "改由外勤模块统计")
		if err != nil {
			t.Fatal(err)
		}
		if m.Active || m.Version != 2 {
			t.Fatalf("deactivated %+v", m)
		}
		es := e.audits(t, "visits_made")
		if len(es) != 1 || es[0].Action != "metric.deactivate" || es[0].Reason != "改由外勤模块统计" {
			t.Fatalf("deactivate audit: %+v", es)
		}
		// Again: nothing changes, nothing is written.
		if m, err := e.svc.Deactivate(e.admin, "visits_made", ""); err != nil || m.Version != 2 || len(e.audits(t, "visits_made")) != 1 {
			t.Fatalf("second deactivate: %+v %v", m, err)
		}
		active, _ := e.svc.List(e.reader, true)
		all, _ := e.svc.List(e.reader, false)
		if len(all) != len(active)+1 {
			t.Fatalf("active %d of %d", len(active), len(all))
		}
		// An active formula cannot use an inactive metric; an inactive one may.
		_, err = e.svc.Create(e.admin, metric.Input{Key: "visits_x", NameZh: "拜访", Unit: "count", Formula: "visits_made * 2"})
		fieldErr(t, err, "formula", "已停用的指标 visits_made")
		if _, err := e.svc.Create(e.admin, metric.Input{Key: "visits_x", NameZh: "拜访", Unit: "count", Formula: "visits_made * 2", Active: new(false)}); err != nil {
			t.Fatal(err)
		}
		// Reactivating the input is an update.
		back, err := e.svc.Update(e.admin, "visits_made", metric.Input{NameZh: "拜访次数", NameEn: "Visits made", Unit: "count",
			Aggregation: "count", RecordType: "visit", Description: "客户拜访记录条数", Active: new(true)})
		if err != nil || !back.Active || back.Version != 3 {
			t.Fatalf("reactivate: %+v %v", back, err)
		}
	})
}
