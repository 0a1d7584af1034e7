package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cmhub/internal/job"
	"cmhub/internal/platform"
)

// SaveJob inserts or updates a job.
func (db *DB) SaveJob(ctx context.Context, j job.Job) error {
	errs := ""
	if len(j.Errors) > 0 {
		b, err := json.Marshal(j.Errors)
		if err != nil {
			return err
		}
		errs = string(b)
	}
	var finished any
	if j.FinishedAt != nil {
		finished = platform.TS(*j.FinishedAt)
	}
	_, err := db.exec(ctx, `INSERT INTO jobs (id, institution_id, user_id, kind, status, phase, total, done, message, result, errors,
		error_count, report_id, created_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, phase = excluded.phase, total = excluded.total, done = excluded.done,
		message = excluded.message, result = excluded.result, errors = excluded.errors, error_count = excluded.error_count,
		report_id = excluded.report_id, finished_at = excluded.finished_at`,
		j.ID, j.Institution, j.UserID, j.Kind, j.Status, j.Phase, j.Total, j.Done, j.Message, string(j.Result), errs,
		j.ErrorCount, j.ReportID, platform.TS(j.CreatedAt), finished)
	if err != nil {
		return fmt.Errorf("save job: %w", err)
	}
	return nil
}

// Job returns a stored job.
func (db *DB) Job(ctx context.Context, id string) (job.Job, error) {
	var j job.Job
	var result, errs string
	var created platform.Timestamp
	var finished platform.Timestamp
	err := db.queryRow(ctx, `SELECT id, institution_id, user_id, kind, status, phase, total, done, message, result, errors,
		error_count, report_id, created_at, finished_at FROM jobs WHERE id = ?`, id).Scan(&j.ID, &j.Institution, &j.UserID, &j.Kind,
		&j.Status, &j.Phase, &j.Total, &j.Done, &j.Message, &result, &errs, &j.ErrorCount, &j.ReportID, &created, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return job.Job{}, platform.ErrNotFound
	}
	if err != nil {
		return job.Job{}, fmt.Errorf("job: %w", err)
	}
	if result != "" {
		j.Result = json.RawMessage(result)
	}
	if errs != "" {
		if err := json.Unmarshal([]byte(errs), &j.Errors); err != nil {
			return job.Job{}, fmt.Errorf("job errors: %w", err)
		}
	}
	j.CreatedAt = created.Time
	if !finished.IsZero() {
		t := finished.Time
		j.FinishedAt = &t
	}
	return j, nil
}

// InterruptJobs marks the jobs left queued or running as failed.
func (db *DB) InterruptJobs(ctx context.Context, message string, at time.Time) (int64, error) {
	res, err := db.exec(ctx, `UPDATE jobs SET status = ?, message = ?, finished_at = ? WHERE status IN (?, ?)`,
		job.Failed, message, platform.TS(at), job.Queued, job.Running)
	if err != nil {
		return 0, fmt.Errorf("interrupt jobs: %w", err)
	}
	return res.RowsAffected()
}
