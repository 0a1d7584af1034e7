package pay_test

import (
	"math/rand/v2"
	"testing"

	"cmhub/internal/pay"
)

// BenchmarkEvaluate evaluates the securities preset's plan (5 components:
// the attendance factor, base pay and commission from tier tables, the
// account and full-attendance bonuses) for 1 000 managers with varied
// months; one op is all of them. The figure that matters is components
// per second on one core (issue 5 §10: at least 1 000 000); on a busy
// machine read components/cpu-s, the rate per CPU-second used:
//
//	go test -bench . -benchmem -cpu 1 ./internal/pay/
func BenchmarkEvaluate(b *testing.B) {
	const managers = 1000
	c := presetPlan(b, "securities-branch")
	rnd := rand.New(rand.NewPCG(3, 5))
	facts := make([]*pay.Facts, managers)
	for i := range facts {
		f := secFacts(b)
		f.Metrics["deposits_in"] = pay.Fen(rnd.Int64N(12_000_000))
		f.Metrics["net_revenue"] = pay.Fen(rnd.Int64N(5_000_000) - 100_000)
		f.Metrics["standard_lots"] = mustNum(b, []string{"0", "19.99", "20", "20/3", "55", "130", "101/3"}[rnd.IntN(7)])
		f.Metrics["new_accounts"] = pay.Int(rnd.Int64N(8))
		f.Metrics["new_valid_accounts"] = pay.Int(rnd.Int64N(3))
		f.History["months_without_new_valid_accounts"] = pay.Int(rnd.Int64N(4))
		f.Attendance.PresentDays = pay.Int(rnd.Int64N(23))
		f.Attendance.Full = f.Attendance.PresentDays.Equal(pay.Int(22))
		facts[i] = f
	}
	components := len(c.Plan().Components)
	// fresh: a new statement per person (Evaluate). reuse: one statement
	// reused (EvaluateInto), as a close that stores each statement before
	// computing the next does.
	for _, mode := range []string{"fresh", "reuse"} {
		b.Run(mode, func(b *testing.B) {
			ev := c.NewEvaluator()
			var st pay.Statement
			b.ReportAllocs()
			cpu0, cpuOK := cpuTime()
			for b.Loop() {
				for _, f := range facts {
					var err error
					if mode == "fresh" {
						_, err = ev.Evaluate(f)
					} else {
						err = ev.EvaluateInto(f, &st)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			cpu1, _ := cpuTime()
			n := float64(b.N) * managers * float64(components)
			b.ReportMetric(n/b.Elapsed().Seconds(), "components/s")
			if cpuOK && cpu1 > cpu0 {
				// With -cpu 1 the process runs on one core at a time, so
				// this is the rate per core whatever else the machine does.
				b.ReportMetric(n/(cpu1-cpu0).Seconds(), "components/cpu-s")
			}
		})
	}
}
