package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"cmhub/internal/cycle"
	"cmhub/internal/platform"
)

const taskReviewCols = `id, institution_id, period_key, as_of, cases, proposals, runs, run_by, run_at`

func scanTaskReview(sc interface{ Scan(...any) error }) (cycle.TaskReview, error) {
	var r cycle.TaskReview
	var at platform.Timestamp
	err := sc.Scan(&r.ID, &r.Institution, &r.Period, &r.AsOf, &r.Cases, &r.Proposals, &r.Runs, &r.RunBy, &at)
	r.RunAt = at.Time
	return r, err
}

// TaskReview returns the institution's task review of a month.
func (db *DB) TaskReview(ctx context.Context, institution int64, period string) (cycle.TaskReview, error) {
	r, err := scanTaskReview(db.queryRow(ctx, `SELECT `+taskReviewCols+` FROM assess_task_reviews WHERE institution_id = ? AND period_key = ?`, institution, period))
	if errors.Is(err, sql.ErrNoRows) {
		return cycle.TaskReview{}, platform.ErrNotFound
	}
	if err != nil {
		return cycle.TaskReview{}, fmt.Errorf("task review %s: %w", period, err)
	}
	return r, nil
}

// TaskReviews returns the institution's task reviews, newest month first.
func (db *DB) TaskReviews(ctx context.Context, institution int64) ([]cycle.TaskReview, error) {
	rows, err := db.query(ctx, `SELECT `+taskReviewCols+` FROM assess_task_reviews WHERE institution_id = ? ORDER BY period_key DESC`, institution)
	if err != nil {
		return nil, fmt.Errorf("task reviews: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []cycle.TaskReview{}
	for rows.Next() {
		r, err := scanTaskReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SaveTaskReview inserts a new review (setting r.ID) or updates a stored one.
func (db *DB) SaveTaskReview(ctx context.Context, r *cycle.TaskReview) error {
	if r.ID == 0 {
		r.Runs = 1
		id, err := db.insertID(ctx, `INSERT INTO assess_task_reviews (institution_id, period_key, as_of, cases, proposals, runs, run_by, run_at)
			VALUES (?,?,?,?,?,?,?,?)`, r.Institution, r.Period, r.AsOf, r.Cases, r.Proposals, r.Runs, r.RunBy, platform.TS(r.RunAt))
		if err != nil {
			return fmt.Errorf("task review: %w", err)
		}
		r.ID = id
		return nil
	}
	if _, err := db.exec(ctx, `UPDATE assess_task_reviews SET cases = ?, proposals = ?, runs = ?, run_by = ?, run_at = ? WHERE id = ?`,
		r.Cases, r.Proposals, r.Runs, r.RunBy, platform.TS(r.RunAt), r.ID); err != nil {
		return fmt.Errorf("task review: %w", err)
	}
	return nil
}

// ReplaceReviewOutcomes drops the review's undecided proposals and stores os.
func (db *DB) ReplaceReviewOutcomes(ctx context.Context, institution, reviewID int64, os []cycle.Outcome) error {
	if _, err := db.exec(ctx, `DELETE FROM assess_outcomes WHERE review_id = ? AND state = 'proposed'`, reviewID); err != nil {
		return fmt.Errorf("task review outcomes: %w", err)
	}
	for _, o := range os {
		b, err := json.Marshal(o.Proposal)
		if err != nil {
			return err
		}
		if _, err := db.exec(ctx, `INSERT INTO assess_outcomes (institution_id, review_id, kind, person_id, unit_id, proposal) VALUES (?,?,?,?,?,?)`,
			institution, reviewID, o.Kind, o.PersonID, o.UnitID, string(b)); err != nil {
			return fmt.Errorf("task review outcome: %w", err)
		}
	}
	return nil
}

// DecidedReviewOutcomes returns the kinds of the review's decided
// outcomes, by person.
func (db *DB) DecidedReviewOutcomes(ctx context.Context, reviewID int64) (map[int64][]string, error) {
	rows, err := db.query(ctx, `SELECT person_id, kind FROM assess_outcomes WHERE review_id = ? AND state <> 'proposed'`, reviewID)
	if err != nil {
		return nil, fmt.Errorf("task review outcomes: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return nil, err
		}
		out[id] = append(out[id], kind)
	}
	return out, rows.Err()
}
