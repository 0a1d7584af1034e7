package store

import (
	"context"

	"cmhub/internal/people"
	"cmhub/internal/platform"
)

// ExecForTest runs raw SQL in the transaction of ctx (tests only).
func (db *DB) ExecForTest(ctx context.Context, q string) error {
	_, err := db.exec(ctx, q)
	return err
}

// DropAuditGuardForTest removes the append-only triggers, as someone with
// direct database access could, so tests can prove Verify catches tampering.
func (db *DB) DropAuditGuardForTest(ctx context.Context) error {
	stmts := []string{`DROP TRIGGER IF EXISTS audit_log_no_update`, `DROP TRIGGER IF EXISTS audit_log_no_delete`}
	if db.engine == Postgres {
		stmts = []string{`DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := db.exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// BareListForBench is the hand-written equivalent of one people-list page
// for a known unit list, without scope machinery: the benchmark baseline.
func (db *DB) BareListForBench(ctx context.Context, units []int64, asOf platform.Date) error {
	in := placeholders(len(units))
	args := append([]any{asOf, asOf}, int64Args(units)...)
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM persons p JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
		WHERE r.unit_id IN (`+in+`)`, args...).Scan(&n); err != nil {
		return err
	}
	rows, err := db.query(ctx, `SELECT `+personCols+` FROM persons p JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
		JOIN units u ON u.id = r.unit_id WHERE r.unit_id IN (`+in+`) ORDER BY p.emp_no, p.id LIMIT 20`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var x people.Person
		if err := scanPerson(rows, &x); err != nil {
			return err
		}
	}
	return rows.Err()
}
