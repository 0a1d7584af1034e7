package store

import (
	"context"
	"fmt"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/cycle"
	"cmhub/internal/platform"
)

// ScopedPeople maps the employee numbers of the people inside the scope,
// placed by their record in force on asOf, to their ids.
func (db *DB) ScopedPeople(ctx context.Context, sc access.Scope, asOf platform.Date, empNos []string) (map[string]int64, error) {
	out := map[string]int64{}
	for chunk := range chunks(empNos, 500) {
		var b sqlb
		b.add("WITH RECURSIVE ")
		scopeCTE(&b, sc, asOf)
		b.add(` SELECT p.emp_no, p.id FROM persons p JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
			WHERE p.emp_no IN (`+placeholders(len(chunk))+`) AND `, append([]any{asOf, asOf}, stringArgs(chunk)...)...)
		scopeWhere(&b, sc, "r.unit_id")
		rows, err := db.query(ctx, b.String(), b.args...)
		if err != nil {
			return nil, fmt.Errorf("people by employee number: %w", err)
		}
		for rows.Next() {
			var no string
			var id int64
			if err := rows.Scan(&no, &id); err != nil {
				_ = rows.Close()
				return nil, err
			}
			out[no] = id
		}
		err = rows.Err()
		_ = rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SaveExamScores stores the rows, replacing a person's earlier score in
// the same exam of the period, 500 rows a statement.
func (db *DB) SaveExamScores(ctx context.Context, institution int64, period string, rows []cycle.ExamScore) error {
	for chunk := range chunks(rows, 500) {
		var b sqlb
		b.add("INSERT INTO exam_scores (institution_id, period_key, person_id, exam, score, recorded_by, recorded_at) VALUES ")
		for i, r := range chunk {
			if i > 0 {
				b.add(",")
			}
			b.add("(?,?,?,?,?,?,?)", institution, period, r.PersonID, r.Exam, int64(r.Score), r.RecordedBy, platform.TS(r.RecordedAt))
		}
		b.add(` ON CONFLICT (institution_id, period_key, person_id, exam) DO UPDATE SET score = excluded.score,
			recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`)
		if _, err := db.exec(ctx, b.String(), b.args...); err != nil {
			return fmt.Errorf("exam scores: %w", err)
		}
	}
	return nil
}

// ExamScores lists the period's exam scores of the people inside the
// scope (placed by their record in force on asOf), by employee number.
func (db *DB) ExamScores(ctx context.Context, sc access.Scope, asOf platform.Date, institution int64, period string) ([]cycle.ExamScore, error) {
	var b sqlb
	b.add("WITH RECURSIVE ")
	scopeCTE(&b, sc, asOf)
	b.add(` SELECT e.person_id, p.emp_no, p.name, e.exam, e.score, e.recorded_by, e.recorded_at
		FROM exam_scores e JOIN persons p ON p.id = e.person_id
		LEFT JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
		WHERE e.institution_id = ? AND e.period_key = ? AND `, asOf, asOf, institution, period)
	scopeWhere(&b, sc, "r.unit_id")
	b.add(" ORDER BY p.emp_no, e.exam")
	rows, err := db.query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("exam scores: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []cycle.ExamScore{}
	for rows.Next() {
		var e cycle.ExamScore
		var score int64
		var at platform.Timestamp
		if err := rows.Scan(&e.PersonID, &e.EmpNo, &e.Name, &e.Exam, &score, &e.RecordedBy, &at); err != nil {
			return nil, err
		}
		e.Score, e.RecordedAt = assess.Score(score), at.Time
		out = append(out, e)
	}
	return out, rows.Err()
}

// BestExamScores returns each person's best exam score of the period.
func (db *DB) BestExamScores(ctx context.Context, institution int64, period string) (map[int64]assess.Score, error) {
	rows, err := db.query(ctx, `SELECT person_id, MAX(score) FROM exam_scores WHERE institution_id = ? AND period_key = ? GROUP BY person_id`, institution, period)
	if err != nil {
		return nil, fmt.Errorf("exam scores: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[int64]assess.Score{}
	for rows.Next() {
		var id, score int64
		if err := rows.Scan(&id, &score); err != nil {
			return nil, err
		}
		out[id] = assess.Score(score)
	}
	return out, rows.Err()
}
