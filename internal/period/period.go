// Package period keeps months, quarters and years open or closed. Later
// capabilities call EnsureOpen before writing anything dated; reopening a
// closed period is an audited act with a reason.
package period

import (
	"context"
	"fmt"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// Status of a period.
type Status string

// Period statuses.
const (
	Open   Status = "open"
	Closed Status = "closed"
)

// State is a period and whether it is closed.
type State struct {
	Key      string              `json:"key"`
	Kind     platform.PeriodKind `json:"kind"`
	Status   Status              `json:"status"`
	ClosedAt *platform.Timestamp `json:"closedAt"`
	ClosedBy string              `json:"closedBy"`
}

// Store is the persistence this package needs.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	PeriodStates(ctx context.Context, institution int64, keys []string) (map[string]State, error)
	SavePeriodState(ctx context.Context, institution int64, s State) error
}

// Service manages period states.
type Service struct {
	Store Store
	Audit audit.Log
	Clock platform.Clock
}

// EnsureOpen fails with a period_closed conflict when d falls in a closed
// month, quarter or year.
func (s *Service) EnsureOpen(ctx context.Context, institution int64, d platform.Date) error {
	ps := platform.PeriodsOf(d)
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.String()
	}
	states, err := s.Store.PeriodStates(ctx, institution, keys)
	if err != nil {
		return fmt.Errorf("period states: %w", err)
	}
	for _, k := range keys {
		if states[k].Status == Closed {
			return platform.Conflict("period_closed", "", fmt.Sprintf("期间 %s 已关账，不能写入 period %s is closed", k, k))
		}
	}
	return nil
}

// List returns the months, quarters and the year of a calendar year with their states.
func (s *Service) List(ctx context.Context, year int, kind string) ([]State, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.PeriodRead) {
		return nil, platform.ErrForbidden
	}
	institution := p.Institution
	var ps []platform.Period
	if kind == "" || kind == string(platform.Month) {
		for m := 1; m <= 12; m++ {
			ps = append(ps, platform.Period{Kind: platform.Month, Year: year, N: m})
		}
	}
	if kind == "" || kind == string(platform.Quarter) {
		for q := 1; q <= 4; q++ {
			ps = append(ps, platform.Period{Kind: platform.Quarter, Year: year, N: q})
		}
	}
	if kind == "" || kind == string(platform.Year) {
		ps = append(ps, platform.Period{Kind: platform.Year, Year: year})
	}
	if len(ps) == 0 {
		return nil, platform.Invalid("kind", "须为 month、quarter 或 year must be month, quarter or year")
	}
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.String()
	}
	states, err := s.Store.PeriodStates(ctx, institution, keys)
	if err != nil {
		return nil, fmt.Errorf("period states: %w", err)
	}
	out := make([]State, len(ps))
	for i, p := range ps {
		st, ok := states[p.String()]
		if !ok {
			st = State{Key: p.String(), Kind: p.Kind, Status: Open}
		}
		out[i] = st
	}
	return out, nil
}

// Close closes a period.
func (s *Service) Close(ctx context.Context, key string) (State, error) {
	return s.set(ctx, key, Closed, "")
}

// Reopen reopens a closed period; the reason is required and audited.
func (s *Service) Reopen(ctx context.Context, key, reason string) (State, error) {
	if strings.TrimSpace(reason) == "" {
		return State{}, platform.Invalid("reason", "重新开启期间必须填写原因 a reason is required")
	}
	return s.set(ctx, key, Open, reason)
}

func (s *Service) set(ctx context.Context, key string, to Status, reason string) (State, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.PeriodManage) {
		return State{}, platform.ErrForbidden
	}
	per, err := platform.ParsePeriod(key)
	if err != nil {
		return State{}, platform.Invalid("key", err.Error())
	}
	var out State
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		states, err := s.Store.PeriodStates(ctx, p.Institution, []string{per.String()})
		if err != nil {
			return err
		}
		before, ok := states[per.String()]
		if !ok {
			before = State{Key: per.String(), Kind: per.Kind, Status: Open}
		}
		if before.Status == to {
			return platform.Conflict("period_state", "key", fmt.Sprintf("期间 %s 已是 %s period is already %s", per, to, to))
		}
		out = State{Key: per.String(), Kind: per.Kind, Status: to}
		if to == Closed {
			now := platform.TS(s.Clock.Now())
			out.ClosedAt, out.ClosedBy = &now, p.Username
		}
		if err := s.Store.SavePeriodState(ctx, p.Institution, out); err != nil {
			return err
		}
		action := "period.close"
		if to == Open {
			action = "period.reopen"
		}
		return s.Audit.Record(ctx, audit.Change{Action: action, ObjectType: "period", ObjectID: per.String(),
			Before: before, After: out, Reason: reason})
	})
	if err != nil {
		return State{}, fmt.Errorf("set period %s: %w", key, err)
	}
	return out, nil
}
