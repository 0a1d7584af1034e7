package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cmhub/internal/metric"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/presets"
)

func newMetric(inst int64, key string) metric.Metric {
	return metric.Metric{Institution: inst, Key: key, NameZh: key + "名", NameEn: key, Unit: metric.UnitYuan,
		Aggregation: metric.AggSum, SourceKind: metric.SourceRecord, RecordType: "deposit_in", Field: metric.FieldAmount, Active: true}
}

func TestMetricsCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		lots := metric.Metric{Institution: f.inst, Key: "standard_lots", NameZh: "交易手数", Unit: metric.UnitLots, Aggregation: metric.AggSum,
			SourceKind: metric.SourceRecord, RecordType: "futures_trade", Field: metric.FieldQuantity,
			Conversion: map[string]string{"bitumen_50t": "10/3", "bitumen_15t": "1"}, Description: "备注2", Active: true}
		rate := metric.Metric{Institution: f.inst, Key: "per_lot", NameZh: "每手入金", Unit: metric.UnitYuan,
			SourceKind: metric.SourceFormula, Formula: "zz_deposits / standard_lots", Active: true}
		in := []metric.Metric{newMetric(f.inst, "zz_deposits"), lots, rate, newMetric(f.inst, "aa_deposits")}
		err := db.WithTx(ctx, func(ctx context.Context) error {
			for i := range in {
				if err := db.CreateMetric(ctx, &in[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if in[0].ID == 0 || in[0].Version != 1 || !in[0].UpdatedAt.Equal(now) {
			t.Fatalf("created: %+v", in[0])
		}
		// List keeps creation order (a preset's order), not key order.
		list, err := db.ListMetrics(ctx, f.inst, false)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range list {
			keys = append(keys, m.Key)
		}
		if len(keys) != 4 || keys[0] != "zz_deposits" || keys[1] != "standard_lots" || keys[2] != "per_lot" || keys[3] != "aa_deposits" {
			t.Fatalf("order %v", keys)
		}
		got := list[1]
		if got.Conversion["bitumen_50t"] != "10/3" || len(got.Conversion) != 2 || got.Field != metric.FieldQuantity || got.Description != "备注2" ||
			got.Institution != f.inst || !got.Active || got.SourceKind != metric.SourceRecord {
			t.Fatalf("round trip: %+v", got)
		}
		if list[2].Formula != "zz_deposits / standard_lots" || list[2].SourceKind != metric.SourceFormula || list[2].Conversion != nil {
			t.Fatalf("formula round trip: %+v", list[2])
		}
		// Another institution sees none of them; an unknown key is not found.
		if other, err := db.ListMetrics(ctx, f.inst+1, false); err != nil || len(other) != 0 {
			t.Fatalf("other institution: %v %v", other, err)
		}
		if _, err := db.MetricByKey(ctx, f.inst, "nope"); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("unknown key: %v", err)
		}
		if _, err := db.MetricByKey(ctx, f.inst+1, "zz_deposits"); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("key of another institution: %v", err)
		}

		// Update bumps the version and the timestamp.
		later := now.Add(time.Hour)
		db.SetClock(platform.FixedClock{T: later})
		m, err := db.MetricByKey(ctx, f.inst, "zz_deposits")
		if err != nil {
			t.Fatal(err)
		}
		m.NameZh, m.Unit, m.Aggregation, m.Field = "入金笔数", metric.UnitCount, metric.AggCount, ""
		if err := db.WithTx(ctx, func(ctx context.Context) error { return db.UpdateMetric(ctx, &m) }); err != nil {
			t.Fatal(err)
		}
		m2, err := db.MetricByKey(ctx, f.inst, "zz_deposits")
		if err != nil || m2.Version != 2 || m.Version != 2 || m2.NameZh != "入金笔数" || m2.Aggregation != metric.AggCount || !m2.UpdatedAt.Equal(later) {
			t.Fatalf("after update: %+v %v", m2, err)
		}
		// An update from a stale version is a conflict and changes nothing.
		stale := m2
		stale.Version = 1
		stale.NameZh = "过期"
		err = db.WithTx(ctx, func(ctx context.Context) error { return db.UpdateMetric(ctx, &stale) })
		var ce *platform.ConflictError
		if !errors.As(err, &ce) || ce.Code != "stale" {
			t.Fatalf("stale update: %v", err)
		}
		// Writes outside a transaction are refused.
		if err := db.UpdateMetric(ctx, &m2); err == nil {
			t.Fatal("update outside a transaction succeeded")
		}

		// Deactivate bumps the version; the active-only list leaves it out.
		if err := db.WithTx(ctx, func(ctx context.Context) error { return db.DeactivateMetric(ctx, &m2) }); err != nil {
			t.Fatal(err)
		}
		if m2.Active || m2.Version != 3 {
			t.Fatalf("deactivated: %+v", m2)
		}
		active, err := db.ListMetrics(ctx, f.inst, true)
		if err != nil || len(active) != 3 || active[0].Key != "standard_lots" {
			t.Fatalf("active only: %v %v", active, err)
		}
		if all, _ := db.ListMetrics(ctx, f.inst, false); len(all) != 4 || all[0].Active {
			t.Fatalf("all: %+v", all)
		}

		// A duplicate key in the same institution is a conflict, not a 500.
		dup := newMetric(f.inst, "aa_deposits")
		err = db.WithTx(ctx, func(ctx context.Context) error { return db.CreateMetric(ctx, &dup) })
		if !errors.As(err, &ce) || ce.Code != "duplicate" || ce.Field != "key" {
			t.Fatalf("duplicate: %v", err)
		}
	})
}

func TestSeedMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := setup(t, db)
		p, err := presets.Load("securities-branch")
		if err != nil {
			t.Fatal(err)
		}
		seed := func() int {
			t.Helper()
			var n int
			if err := db.WithTx(ctx, func(ctx context.Context) error {
				var err error
				n, err = db.SeedMetrics(ctx, f.inst, p.Metrics)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := seed(); n != len(p.Metrics) {
			t.Fatalf("seeded %d of %d", n, len(p.Metrics))
		}
		if n := seed(); n != 0 {
			t.Fatalf("seeding again added %d", n)
		}
		list, err := db.ListMetrics(ctx, f.inst, true)
		if err != nil || len(list) != len(p.Metrics) || list[0].Key != p.Metrics[0].Key {
			t.Fatalf("list: %d %v", len(list), err)
		}
		cat, err := metric.NewCatalogue(list)
		if err != nil {
			t.Fatal(err)
		}
		lots, _ := cat.Metric("standard_lots")
		if lots.Conversion["bitumen_150t"] != "10" {
			t.Fatalf("conversion: %v", lots.Conversion)
		}
		// A preset that does not check out is refused whole.
		bad := []presets.MetricDef{{Key: "loop_a", NameZh: "甲", Unit: "count", Formula: "loop_b"}, {Key: "loop_b", NameZh: "乙", Unit: "count", Formula: "loop_a"}}
		err = db.WithTx(ctx, func(ctx context.Context) error { _, err := db.SeedMetrics(ctx, f.inst, bad); return err })
		if err == nil {
			t.Fatal("a cyclic preset was seeded")
		}
		if after, _ := db.ListMetrics(ctx, f.inst, false); len(after) != len(p.Metrics) {
			t.Fatalf("a refused seed left %d metrics", len(after))
		}
	})
}
