// Package app wires cmhub together: it opens the store, builds the
// services, and runs the HTTP server and background work.
package app

import (
	"context"
	"fmt"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/attendance"
	"cmhub/internal/audit"
	"cmhub/internal/auth"
	"cmhub/internal/customer"
	"cmhub/internal/cycle"
	"cmhub/internal/job"
	"cmhub/internal/metric"
	"cmhub/internal/org"
	"cmhub/internal/payroll"
	"cmhub/internal/people"
	"cmhub/internal/period"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/stats"
	"cmhub/internal/store"
	"cmhub/internal/target"
	"cmhub/presets"
)

// Services are the use cases of every capability, built on one store.
type Services struct {
	DB        *store.DB
	Clock     platform.Clock
	Audit     audit.Log
	Periods   *period.Service
	Org       *org.Service
	People    *people.Service
	Auth      *auth.Service
	AuditQ    *audit.Service
	Metrics   *metric.Service
	Customers *customer.Service
	Targets   *target.Service
	Jobs      *job.Runner
	Records   *record.Service
	Stats     *stats.Service
	Cycles    *cycle.Service
	// Attendance: the working calendar, attendance records and monthly
	// summaries, on the institution's wall clock (China Standard Time).
	Attendance *attendance.Service
	// Payroll: pay plans as stored versions and trial statements.
	Payroll *payroll.Service
}

// NewServices builds the services on db.
func NewServices(db *store.DB, clock platform.Clock, ac auth.Config) *Services {
	ac.Defaults()
	lg := audit.Log{A: db, Clock: clock}
	periods := &period.Service{Store: db, Audit: lg, Clock: clock}
	jobs := &job.Runner{Store: db, Clock: clock}
	records := &record.Service{Store: db, Audit: lg, Clock: clock, Periods: periods, Jobs: jobs}
	st := &stats.Service{Store: db}
	ppl := &people.Service{Store: db, Dicts: db, Audit: lg, Clock: clock, Periods: periods}
	inputs := &cycle.StatsInputs{Stats: st, Targets: db, OutsideTx: store.OutsideTx}
	att := &attendance.Service{Store: db, Audit: lg, Clock: clock, Periods: periods, Location: time.FixedZone("CST", 8*60*60)}
	return &Services{
		DB:        db,
		Clock:     clock,
		Audit:     lg,
		Periods:   periods,
		Org:       &org.Service{Store: db, Audit: lg, Clock: clock, Periods: periods},
		People:    ppl,
		Auth:      &auth.Service{Store: db, Audit: lg, Clock: clock, Config: ac},
		AuditQ:    &audit.Service{Store: db},
		Metrics:   &metric.Service{Store: db, Audit: lg},
		Customers: &customer.Service{Store: db, Audit: lg, Clock: clock, Periods: periods, Records: records},
		Targets:   &target.Service{Store: db, Audit: lg, Clock: clock, Periods: periods},
		Jobs:      jobs,
		Records:   records,
		Stats:     st,
		Cycles: &cycle.Service{Store: db, Audit: lg, Clock: clock, Inputs: inputs, Outcomes: db, People: ppl, Tasks: inputs, Reviews: db, Exams: db,
			Attendance: att},
		Attendance: att,
		Payroll:    &payroll.Service{Store: db, Close: db, Jobs: jobs, Audit: lg, Clock: clock, Stats: st, Attendance: att},
	}
}

// CreateInstitution creates an institution from a preset, audited as the
// named system actor (the CLI or the demo loader).
func CreateInstitution(ctx context.Context, s *Services, p *presets.Preset, code, name string, opened platform.Date, actor string) (store.Institution, error) {
	var in store.Institution
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if in, err = s.DB.CreateInstitution(ctx, p, code, name, opened); err != nil {
			return err
		}
		if _, err := s.DB.SeedMetrics(ctx, in.ID, p.Metrics); err != nil {
			return fmt.Errorf("metric catalogue: %w", err)
		}
		if err := s.DB.SeedRecordTypes(ctx, in.ID, p.RecordTypes); err != nil {
			return fmt.Errorf("record types: %w", err)
		}
		ctx = access.WithPrincipal(ctx, access.System(in.ID, actor))
		return s.Audit.Record(ctx, audit.Change{Action: "institution.create", ObjectType: "institution", ObjectID: fmt.Sprint(in.ID),
			After: map[string]any{"code": code, "name": name, "preset": p.Code}})
	})
	return in, err
}
