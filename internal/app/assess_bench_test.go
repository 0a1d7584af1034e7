package app

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/auth"
	"cmhub/internal/cycle"
	"cmhub/internal/platform"
	"cmhub/internal/store"
)

// BenchmarkCycleAtScale opens a quarterly cycle on a database made by
// `cmhub gen --managers 100000 --customers 0 --teams-per-region 1
// --groups-per-team 2` (regions of 20 managers, a marketing department
// of three per branch: about 2.5 million sheets), submits every sheet
// with one statement, and computes every composite, ranks and item
// breakdown. The goal is under 60 s on PostgreSQL on this
// machine. Set CMHUB_BENCH_DB; the cycle is removed afterwards.
func BenchmarkCycleAtScale(b *testing.B) {
	url := os.Getenv("CMHUB_BENCH_DB")
	if url == "" {
		b.Skip("set CMHUB_BENCH_DB to a database made by cmhub gen (see the comment)")
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
	period := os.Getenv("CMHUB_BENCH_PERIOD")
	if period == "" {
		period = "2026-Q3"
	}
	s := NewServices(db, platform.SystemClock{}, auth.Config{Secret: []byte("bench-secret-0123456789abcdef012345678")})
	ctx = access.WithPrincipal(ctx, access.System(in.ID, "bench"))
	if err := benchTargets(ctx, db, in.ID, period); err != nil {
		b.Fatal(err)
	}
	var open, submit, compute time.Duration
	var c cycle.Cycle
	for b.Loop() {
		if err := db.DeleteCycle(ctx, in.ID, period); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if c, err = s.Cycles.Open(ctx, cycle.OpenInput{Period: period}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if c, err = s.Cycles.Transition(ctx, c.ID, cycle.TransitionInput{Action: cycle.ActionStart}); err != nil {
			b.Fatal(err)
		}
		// Every rated item of the CM form (72 points); RM-form and team
		// sheets get the same entries, enough for their composites.
		if err := db.SubmitAllSheets(ctx, c.ID, `{"communication":90,"duty_performance":180,"execution":80,"labour_discipline":190,"professional_skill":95,"service_awareness":85,"work_efficiency":80}`, 800); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if _, err = s.Cycles.Compute(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		open, submit, compute = open+t1.Sub(t0), submit+t2.Sub(t1), compute+t3.Sub(t2)
	}
	n := float64(b.N)
	b.ReportMetric(float64(c.Subjects), "subjects")
	b.ReportMetric(float64(c.Sheets), "sheets")
	b.ReportMetric(open.Seconds()/n, "open-s")
	b.ReportMetric(submit.Seconds()/n, "submit-s")
	b.ReportMetric(compute.Seconds()/n, "compute-s")
	b.ReportMetric((open+compute).Seconds()/n, "open+compute-s")
	if err := db.DeleteCycle(ctx, in.ID, period); err != nil {
		b.Fatal(err)
	}
}

// benchTargets gives every manager of the generated institution a target
// for the period (new accounts, once), so that every computed item has a
// value and the statistics behind task completion run as in a real cycle.
func benchTargets(ctx context.Context, db *store.DB, institution int64, period string) error {
	per, err := platform.ParsePeriod(period)
	if err != nil {
		return err
	}
	people, err := db.AssessPeople(ctx, institution, per.End())
	if err != nil {
		return err
	}
	if ms, err := db.TargetMetrics(ctx, institution, []string{period}); err != nil || len(ms) > 0 {
		return err
	}
	now := platform.TS(time.Now())
	i := 0
	return db.WithTx(ctx, func(ctx context.Context) error {
		_, err := db.BulkInsert(ctx, "targets", []string{"institution_id", "period_key", "metric_key", "person_id", "measure_unit", "value", "set_by", "set_at", "created_at"},
			func() ([]any, error) {
				for i < len(people) && people[i].Position != "sales_cm" && people[i].Position != "group_lead" {
					i++
				}
				if i == len(people) {
					return nil, io.EOF
				}
				p := people[i]
				i++
				return []any{institution, period, "new_accounts", p.ID, "count", int64(10 + p.ID%7), "bench", now, now}, nil
			})
		return err
	})
}
