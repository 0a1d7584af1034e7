package store

import (
	"context"
	"fmt"

	"cmhub/internal/period"
	"cmhub/internal/platform"
)

// PeriodStates returns the stored states of the given period keys.
func (db *DB) PeriodStates(ctx context.Context, institution int64, keys []string) (map[string]period.State, error) {
	out := map[string]period.State{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := db.query(ctx, `SELECT period_key, kind, status, closed_at, closed_by FROM periods
		WHERE institution_id = ? AND period_key IN (`+placeholders(len(keys))+`)`, append([]any{institution}, stringArgs(keys)...)...)
	if err != nil {
		return nil, fmt.Errorf("periods: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s period.State
		var at platform.Timestamp
		if err := rows.Scan(&s.Key, &s.Kind, &s.Status, &at, &s.ClosedBy); err != nil {
			return nil, err
		}
		if !at.IsZero() {
			s.ClosedAt = &at
		}
		out[s.Key] = s
	}
	return out, rows.Err()
}

// SavePeriodState inserts or updates a period's state.
func (db *DB) SavePeriodState(ctx context.Context, institution int64, s period.State) error {
	var at any
	if s.ClosedAt != nil {
		at = *s.ClosedAt
	}
	_, err := db.exec(ctx, `INSERT INTO periods (institution_id, period_key, kind, status, closed_at, closed_by) VALUES (?,?,?,?,?,?)
		ON CONFLICT (institution_id, period_key) DO UPDATE SET status = excluded.status, closed_at = excluded.closed_at, closed_by = excluded.closed_by`,
		institution, s.Key, s.Kind, s.Status, at, s.ClosedBy)
	if err != nil {
		return fmt.Errorf("save period: %w", err)
	}
	return nil
}
