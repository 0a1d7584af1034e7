// Package app wires cmhub together: it opens the store, builds the
// services, and runs the HTTP server and background work.
package app

import (
	"cmhub/internal/audit"
	"cmhub/internal/auth"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/period"
	"cmhub/internal/platform"
	"cmhub/internal/store"
)

// Services are the use cases of every capability, built on one store.
type Services struct {
	DB      *store.DB
	Clock   platform.Clock
	Audit   audit.Log
	Periods *period.Service
	Org     *org.Service
	People  *people.Service
	Auth    *auth.Service
	AuditQ  *audit.Service
}

// NewServices builds the services on db.
func NewServices(db *store.DB, clock platform.Clock, ac auth.Config) *Services {
	ac.Defaults()
	lg := audit.Log{A: db, Clock: clock}
	periods := &period.Service{Store: db, Audit: lg, Clock: clock}
	return &Services{
		DB:      db,
		Clock:   clock,
		Audit:   lg,
		Periods: periods,
		Org:     &org.Service{Store: db, Audit: lg, Clock: clock, Periods: periods},
		People:  &people.Service{Store: db, Dicts: db, Audit: lg, Clock: clock, Periods: periods},
		Auth:    &auth.Service{Store: db, Audit: lg, Clock: clock, Config: ac},
		AuditQ:  &audit.Service{Store: db},
	}
}
