package store_test

import (
	"context"
	"os"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/stats"
)

// BenchmarkStatsAtScale compares the monthly statistics with the bare
// GROUP BY of the same month's records on a database made by `cmhub gen`
// and loaded by `cmhub import-records` (e.g. 100 000 managers, 10 000 000
// records in 2026-11). It runs only when CMHUB_BENCH_DB names it:
//
//	CMHUB_BENCH_DB=URL go test -run '^$' -bench StatsAtScale -benchtime 3x ./internal/store/
func BenchmarkStatsAtScale(b *testing.B) {
	db, in := openGenerated(b, ", with records imported")
	month := os.Getenv("CMHUB_BENCH_MONTH")
	if month == "" {
		month = "2026-11"
	}
	per, err := platform.ParsePeriod(month)
	if err != nil {
		b.Fatal(err)
	}
	monthNo := record.MonthNumber(per)
	ctx := access.WithPrincipal(context.Background(), access.System(in.ID, "bench"))
	svc := &stats.Service{Store: db}
	b.Run("bare", func(b *testing.B) {
		for b.Loop() {
			if n, err := db.BareMonthForBench(ctx, in.ID, monthNo); err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	})
	for _, level := range []string{stats.LevelManager, stats.LevelTeam} {
		b.Run("stats-"+level, func(b *testing.B) {
			for b.Loop() {
				m, err := svc.Monthly(ctx, stats.MonthlyQuery{Month: month, Level: level})
				if err != nil || len(m.Rows) == 0 {
					b.Fatal(len(m.Rows), err)
				}
			}
		})
	}
}
