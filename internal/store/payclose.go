package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"cmhub/internal/access"
	"cmhub/internal/payroll"
	"cmhub/internal/platform"
)

// PayMonth returns a pay month, locking its row for the transaction when
// lock is set (PostgreSQL; SQLite has one writer), or platform.ErrNotFound.
func (db *DB) PayMonth(ctx context.Context, institution int64, month string, lock bool) (payroll.Month, error) {
	q := `SELECT month, state, people, net_fen, calculated_by, calculated_at, signoffs, version, updated_at FROM pay_months WHERE institution_id = ? AND month = ?`
	if lock && db.engine == Postgres {
		q += " FOR UPDATE"
	}
	var m payroll.Month
	var signoffs string
	var calc, upd platform.Timestamp
	err := db.queryRow(ctx, q, institution, month).Scan(&m.Month, &m.State, &m.People, &m.NetFen, &m.CalculatedBy, &calc, &signoffs, &m.Version, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return payroll.Month{}, platform.ErrNotFound
	}
	if err != nil {
		return payroll.Month{}, fmt.Errorf("pay month %s: %w", month, err)
	}
	if err := json.Unmarshal([]byte(signoffs), &m.Signoffs); err != nil {
		return payroll.Month{}, fmt.Errorf("pay month %s: %w", month, err)
	}
	if !calc.IsZero() {
		t := calc.Time
		m.CalculatedAt = &t
	}
	t := upd.Time
	m.UpdatedAt = &t
	return m, nil
}

// SavePayMonth inserts or updates a pay month, bumping its version.
func (db *DB) SavePayMonth(ctx context.Context, institution int64, m *payroll.Month) error {
	sig, err := json.Marshal(m.Signoffs)
	if err != nil {
		return err
	}
	var calc any
	if m.CalculatedAt != nil {
		calc = platform.TS(*m.CalculatedAt)
	}
	now := db.clock.Now()
	if m.Version == 0 {
		if _, err := db.exec(ctx, `INSERT INTO pay_months (institution_id, month, state, people, net_fen, calculated_by, calculated_at, signoffs, version, updated_at)
			VALUES (?,?,?,?,?,?,?,?,1,?)`, institution, m.Month, m.State, m.People, m.NetFen, m.CalculatedBy, calc, string(sig), platform.TS(now)); err != nil {
			return fmt.Errorf("pay month: %w", err)
		}
		m.Version, m.UpdatedAt = 1, &now
		return nil
	}
	res, err := db.exec(ctx, `UPDATE pay_months SET state = ?, people = ?, net_fen = ?, calculated_by = ?, calculated_at = ?, signoffs = ?, version = version + 1, updated_at = ?
		WHERE institution_id = ? AND month = ? AND version = ?`, m.State, m.People, m.NetFen, m.CalculatedBy, calc, string(sig), platform.TS(now), institution, m.Month, m.Version)
	if err != nil {
		return fmt.Errorf("pay month: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return platform.Conflict("stale", "version", "该月工资已被他人处理，请刷新 the month changed meanwhile; reload")
	}
	m.Version++
	m.UpdatedAt = &now
	return nil
}

// ReplacePayStatements replaces a month's statements.
func (db *DB) ReplacePayStatements(ctx context.Context, institution int64, month string, rows []payroll.StatementRow) error {
	if _, err := db.exec(ctx, `DELETE FROM pay_statements WHERE institution_id = ? AND month = ?`, institution, month); err != nil {
		return fmt.Errorf("pay statements: %w", err)
	}
	// One bulk load (COPY on PostgreSQL, batched inserts on SQLite): a
	// close writes a statement for every manager of the institution.
	i := 0
	_, err := db.BulkInsert(ctx, "pay_statements", []string{"institution_id", "month", "person_id", "unit_id", "plan_key", "plan_version", "net_fen", "statement", "facts"},
		func() ([]any, error) {
			if i == len(rows) {
				return nil, io.EOF
			}
			r := rows[i]
			i++
			return []any{institution, month, r.PersonID, r.UnitID, r.Plan, r.Version, r.NetFen, string(r.Statement), string(r.Facts)}, nil
		})
	if err != nil {
		return fmt.Errorf("pay statements: %w", err)
	}
	return nil
}

// PayStatements returns a page of a month's statements of the people in
// scope (placed by the unit they were paid in), by employee number, with
// the total; person narrows to one.
func (db *DB) PayStatements(ctx context.Context, sc access.Scope, asOf platform.Date, institution int64, month string, person int64, limit, offset int) ([]payroll.StatementRow, int, error) {
	var b sqlb
	b.add("WITH RECURSIVE ")
	scopeCTE(&b, sc, asOf)
	b.add(` SELECT s.person_id, p.emp_no, p.name, s.unit_id, s.plan_key, s.plan_version, s.net_fen, s.statement, s.facts, COUNT(*) OVER ()
		FROM pay_statements s JOIN persons p ON p.id = s.person_id
		WHERE s.institution_id = ? AND s.month = ? AND `, institution, month)
	if sc.Empty() {
		b.add("1 = 0")
	} else if sc.All {
		b.add("1 = 1")
	} else {
		b.add("(s.unit_id IN (SELECT id FROM scope_units)")
		if sc.Self != 0 {
			b.add(" OR s.person_id = ?", sc.Self)
		}
		b.add(")")
	}
	if person != 0 {
		b.add(" AND s.person_id = ?", person)
	}
	b.add(" ORDER BY p.emp_no LIMIT ? OFFSET ?", limit, offset)
	rows, err := db.query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("pay statements: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []payroll.StatementRow{}
	total := 0
	for rows.Next() {
		var r payroll.StatementRow
		var st, facts string
		if err := rows.Scan(&r.PersonID, &r.EmpNo, &r.Name, &r.UnitID, &r.Plan, &r.Version, &r.NetFen, &st, &facts, &total); err != nil {
			return nil, 0, err
		}
		r.Statement, r.Facts = json.RawMessage(st), json.RawMessage(facts)
		out = append(out, r)
	}
	return out, total, rows.Err()
}
