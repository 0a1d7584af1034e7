package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/stats"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/presets"
)

// BenchmarkMonthlyStats compares the monthly statistics of all managers
// (every metric of the securities preset: the sum aggregate, the latest
// asset snapshots, distinct valid accounts, two formulas, targets, the
// roll-up in Go) with the bare GROUP BY of the same month's records by
// person and type, on each engine. CMHUB_BENCH_STATS_ROWS sets the number
// of records (default 200 000, one manager per 100 records):
//
//	CMHUB_BENCH_STATS_ROWS=2000000 go test -run '^$' -bench MonthlyStats ./internal/store/
func BenchmarkMonthlyStats(b *testing.B) {
	rows := 200_000
	if s := os.Getenv("CMHUB_BENCH_STATS_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("CMHUB_BENCH_STATS_ROWS=%q: want a number ≥ 1000", s)
		}
		rows = n
	}
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.Open(b, e)
			inst := statsBenchData(b, db, rows)
			ctx := access.WithPrincipal(context.Background(), access.System(inst, "bench"))
			svc := &stats.Service{Store: db}
			b.Run("bare", func(b *testing.B) {
				for b.Loop() {
					if n, err := db.BareMonthForBench(ctx, inst, 202611); err != nil || n == 0 {
						b.Fatal(n, err)
					}
				}
			})
			for _, level := range []string{stats.LevelManager, stats.LevelTeam} {
				b.Run("stats-"+level, func(b *testing.B) {
					for b.Loop() {
						m, err := svc.Monthly(ctx, stats.MonthlyQuery{Month: "2026-11", Level: level})
						if err != nil || len(m.Rows) == 0 {
							b.Fatal(len(m.Rows), err)
						}
					}
				})
			}
			b.Run("stats-manager-sums-only", func(b *testing.B) {
				for b.Loop() {
					m, err := svc.Monthly(ctx, stats.MonthlyQuery{Month: "2026-11", Level: stats.LevelManager,
						Metrics: []string{"valid_appointments", "new_accounts", "deposits_in", "new_assets", "net_revenue", "standard_lots", "products_sold", "visits_made"}})
					if err != nil || len(m.Rows) == 0 {
						b.Fatal(len(m.Rows), err)
					}
				}
			})
		})
	}
}

// statsBenchData builds a branch of 10 regions × 10 teams with one
// manager per 100 records, and a month of records: most of them of the
// summed types, one in ten a futures trade converted by product, a few
// asset snapshots and valid accounts; one customer in ten shared 70/30,
// one record in fifty credited to nobody.
func statsBenchData(b *testing.B, db *store.DB, rows int) int64 {
	b.Helper()
	ctx := context.Background()
	db.SetClock(platform.FixedClock{T: now})
	pre, err := presets.Load("securities-branch")
	if err != nil {
		b.Fatal(err)
	}
	managers := max(rows/100, 10)
	var inst, branch int64
	var persons, unitOf []int64
	err = db.WithTx(ctx, func(ctx context.Context) error {
		in, err := db.CreateInstitution(ctx, pre, "BENCH", "基准", d("2020-01-01"))
		if err != nil {
			return err
		}
		inst = in.ID
		if _, err := db.SeedMetrics(ctx, inst, pre.Metrics); err != nil {
			return err
		}
		mk := func(parent int64, kind org.Kind, code string) (int64, error) {
			u := org.Unit{Institution: inst, ParentID: parent, Kind: kind, Code: code, Name: code, OpenedOn: d("2020-01-01")}
			err := db.CreateUnit(ctx, &u)
			return u.ID, err
		}
		if branch, err = mk(in.RootUnit, org.Branch, "B"); err != nil {
			return err
		}
		var teams []int64
		for r := range 10 {
			rid, err := mk(branch, org.Region, fmt.Sprintf("R%d", r))
			if err != nil {
				return err
			}
			for t := range 10 {
				tid, err := mk(rid, org.Team, fmt.Sprintf("R%d-T%d", r, t))
				if err != nil {
					return err
				}
				teams = append(teams, tid)
			}
		}
		for i := range managers {
			unit := teams[i%len(teams)]
			x := people.Person{Institution: inst, EmpNo: fmt.Sprintf("M%07d", i), Name: fmt.Sprintf("经理%d", i), HiredOn: d("2024-01-01")}
			if err := db.CreatePerson(ctx, &x, people.Record{UnitID: unit, Position: "sales_cm", Status: "active", ValidFrom: d("2024-01-01")}); err != nil {
				return err
			}
			persons, unitOf = append(persons, x.ID), append(unitOf, unit)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	types := []string{"valid_appointment", "account_opened", "deposit_in", "asset_transfer_in", "net_revenue", "product_sale", "visit",
		"deposit_in", "net_revenue", "visit", "futures_trade", "futures_trade", "asset_snapshot", "account_validated",
		"valid_appointment", "net_revenue", "deposit_in", "visit", "product_sale", "net_revenue"}
	products := []string{"bitumen_15t", "bitumen_50t", "bitumen_150t"}
	err = db.WithTx(ctx, func(ctx context.Context) error {
		i := 0
		var row, second record.Row
		pending := false
		_, err := db.LoadCredits(ctx, func() (*record.Row, bool) {
			if pending {
				pending = false
				return &second, true
			}
			if i >= rows {
				return nil, false
			}
			i++
			h := mix(uint64(i))
			m := int(h % uint64(managers))
			customer := int64(i % (rows / 4))
			typ := types[(h>>32)%uint64(len(types))]
			product := ""
			var qty int64
			if typ == "futures_trade" {
				product, qty = products[i%3], int64(1000*(1+i%20))
			}
			day := platform.NewDate(2026, 11, 1+i%30)
			row = record.Row{Institution: inst, Month: 202611, SourceID: fmt.Sprintf("S%09d", i), Day: record.DayNumber(day),
				CustomerID: customer, RecordType: typ, Amount: int64(100 * (i % 5000)), Quantity: qty, Product: product,
				PersonID: persons[m], UnitID: unitOf[m], ShareBP: 10000, ContentHash: int64(i), ImportID: 1}
			switch {
			case i%50 == 0:
				row.PersonID, row.UnitID = 0, branch
			case customer%10 == 0:
				row.ShareBP = 7000
				o := (m + 1) % managers
				second = row
				second.PersonID, second.UnitID, second.ShareBP = persons[o], unitOf[o], 3000
				pending = true
			}
			return &row, true
		})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	return inst
}

// mix scatters i (splitmix64's finaliser), so that managers, types and
// customers of the generated records are independent.
func mix(i uint64) uint64 {
	i ^= i >> 30
	i *= 0xbf58476d1ce4e5b9
	i ^= i >> 27
	i *= 0x94d049bb133111eb
	return i ^ i>>31
}
