package store

import "context"

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
