package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"slices"
	"strconv"

	"cmhub/internal/access"
	"cmhub/internal/platform"
	"cmhub/internal/stats"
	"cmhub/internal/target"
)

// The statistics read a month of business_records with two queries: the
// sum aggregate, grouped by what the bare GROUP BY of the records by
// person and type needs plus the unit (and, when a metric converts
// contracts by product, the product); and one scan of just the records of
// the distinct-customer, latest-value and average-daily-balance types.
// Shares are applied exactly: integer sums of value × basis points. See
// docs/decisions/0012-business-statistics.md.

// statsWith opens the query, with the scope's CTE when the scope is not
// the whole institution; more says whether the caller's CTEs follow. It
// reports whether the rows must be filtered by statsScopeWhere.
func statsWith(q *sqlb, s access.Scope, asOf platform.Date, more bool) bool {
	if s.All {
		if more {
			q.add("WITH ")
		}
		return false
	}
	q.add("WITH RECURSIVE ")
	scopeCTE(q, s, asOf)
	if more {
		q.add(", ")
	} else {
		q.add(" ")
	}
	return true
}

// statsScopeWhere keeps the rows (alias r) credited to a unit inside the
// scope or to the scope's own person.
func statsScopeWhere(q *sqlb, s access.Scope, filtered bool) {
	if !filtered {
		return
	}
	q.add(" AND (r.unit_id IN (SELECT id FROM scope_units)")
	if s.Self != 0 {
		q.add(" OR r.person_id = ?", s.Self)
	}
	q.add(")")
}

// inTypes writes "AND col IN (…)" for a list of record types.
func inTypes(b *sqlb, col string, types []string) {
	b.add(" AND "+col+" IN ("+placeholders(len(types))+")", stringArgs(types)...)
}

// sumScanner reads a SUM exactly: SQLite returns an int64, PostgreSQL a
// numeric as text.
type sumScanner struct{ dst *stats.Sum }

func (s sumScanner) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case nil:
		*s.dst = stats.Sum{}
		return nil
	case int64:
		*s.dst = stats.Sum{Small: v}
		return nil
	case []byte:
		text = string(v)
	case string:
		text = v
	default:
		return fmt.Errorf("sum: cannot scan %T", src)
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		*s.dst = stats.Sum{Small: n}
		return nil
	}
	b, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return fmt.Errorf("sum: %q is not an integer", text)
	}
	*s.dst = stats.Sum{Big: b}
	return nil
}

// scanGroups runs q and calls fn with each group row: kind, person,
// unit, type, product, share, count, amount, quantity, customer.
func (db *DB) scanGroups(ctx context.Context, q *sqlb, fn func(*stats.Group) error) error {
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var g stats.Group
	var typ, product sql.RawBytes
	types := map[string]string{} // a handful of types: one string each
	intern := func(b []byte) string {
		if s, ok := types[string(b)]; ok {
			return s
		}
		s := string(b)
		types[s] = s
		return s
	}
	for rows.Next() {
		if err := rows.Scan(&g.Kind, &g.PersonID, &g.UnitID, &typ, &product, &g.ShareBP, &g.Count,
			sumScanner{&g.Amount}, sumScanner{&g.Quantity}, &g.CustomerID); err != nil {
			return err
		}
		g.RecordType = intern(typ)
		g.Product = ""
		if len(product) > 0 {
			g.Product = string(product)
		}
		if err := fn(&g); err != nil {
			return err
		}
	}
	return rows.Err()
}

// StatsSums calls fn with the month's records of q.Types (every type when
// empty) grouped by person, unit, record type and share (and product with
// q.ByProduct), read from record_month_totals, which the store keeps in
// step with the records: Count is the rows, Amount and Quantity the plain
// sums, ShareBP the share still to apply. It reads a few rows per manager
// instead of the month's records.
func (db *DB) StatsSums(ctx context.Context, s access.Scope, q stats.Query, fn func(*stats.Group) error) error {
	if s.Empty() || s.Institution != q.Institution {
		return nil
	}
	product := "''"
	if q.ByProduct {
		product = "r.product"
	}
	var b sqlb
	filtered := statsWith(&b, s, q.AsOf, false)
	b.add("SELECT 0, r.person_id, r.unit_id, r.record_type, "+product+", r.share_bp, SUM(r.rows_n), SUM(r.amount), SUM(r.quantity), 0"+
		" FROM record_month_totals r WHERE r.institution_id = ? AND r.month = ?", q.Institution, q.Month)
	if len(q.Types) > 0 {
		inTypes(&b, "r.record_type", q.Types)
	}
	statsScopeWhere(&b, s, filtered)
	b.add(" GROUP BY r.person_id, r.unit_id, r.record_type, r.share_bp")
	if q.ByProduct {
		b.add(", r.product")
	}
	if err := db.scanGroups(ctx, &b, fn); err != nil {
		return fmt.Errorf("stats sums: %w", err)
	}
	return nil
}

// StatsDetails reads the records of the distinct-customer, latest-value
// and average-daily-balance types with one scan of the month (a
// materialised CTE of just those records) and one UNION ALL branch per
// kind; see stats.Store. Days before a customer's first balance of the
// month count as no balance.
func (db *DB) StatsDetails(ctx context.Context, s access.Scope, q stats.Query, fn func(*stats.Group) error) error {
	if s.Empty() || s.Institution != q.Institution {
		return nil
	}
	var all []string
	branches := 0
	for _, ts := range [][]string{q.Distinct, q.Last, q.Avg} {
		if len(ts) > 0 {
			branches++
		}
		for _, t := range ts {
			if !slices.Contains(all, t) {
				all = append(all, t)
			}
		}
	}
	if branches == 0 {
		return nil
	}
	var b sqlb
	filtered := statsWith(&b, s, q.AsOf, true)
	mat := ""
	if branches > 1 {
		mat = "MATERIALIZED "
	}
	b.add("d AS "+mat+`(SELECT r.person_id, r.unit_id, r.record_type, r.product, r.share_bp, r.amount, r.quantity, r.customer_id,
		r.record_date, r.source_id FROM business_records r WHERE r.institution_id = ? AND r.month = ?`, q.Institution, q.Month)
	inTypes(&b, "r.record_type", all)
	b.add(")")
	union := ""
	if len(q.Distinct) > 0 {
		b.add(` SELECT 1, COALESCE(r.person_id, 0), r.unit_id, r.record_type, '', MAX(r.share_bp), COUNT(*), 0, 0, r.customer_id
			FROM d r WHERE 1 = 1`)
		inTypes(&b, "r.record_type", q.Distinct)
		statsScopeWhere(&b, s, filtered)
		b.add(" GROUP BY r.person_id, r.unit_id, r.record_type, r.customer_id")
		union = " UNION ALL"
	}
	if len(q.Last) > 0 {
		product := "''"
		if q.ByProduct {
			product = "r.product"
		}
		b.add(union + ` SELECT 2, COALESCE(r.person_id, 0), r.unit_id, r.record_type, ` + product + `, r.share_bp, COUNT(*), SUM(r.amount), SUM(r.quantity), 0
			FROM (SELECT x.person_id, x.unit_id, x.record_type, x.product, x.share_bp, x.amount, x.quantity,
				RANK() OVER (PARTITION BY x.customer_id, x.record_type ORDER BY x.record_date DESC, ` + db.bytewise("x.source_id") + ` DESC) AS rk
				FROM d x WHERE 1 = 1`)
		inTypes(&b, "x.record_type", q.Last)
		b.add(") r WHERE r.rk = 1")
		statsScopeWhere(&b, s, filtered)
		b.add(" GROUP BY r.person_id, r.unit_id, r.record_type, r.share_bp")
		if q.ByProduct {
			b.add(", r.product")
		}
		union = " UNION ALL"
	}
	if len(q.Avg) > 0 {
		b.add(union+` SELECT 3, COALESCE(r.person_id, 0), r.unit_id, r.record_type, '', r.share_bp, COUNT(*), SUM(r.amount * r.days), 0, 0
			FROM (SELECT y.person_id, y.unit_id, y.record_type, y.share_bp, y.amount,
				COALESCE(MIN(y.dn) OVER (PARTITION BY y.customer_id, y.record_type ORDER BY y.dn RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), ?) - y.dn AS days
				FROM (SELECT x.person_id, x.unit_id, x.record_type, x.share_bp, x.amount, x.customer_id, x.source_id, `+db.dayOfMonth("x.record_date")+` AS dn,
					MAX(`+db.bytewise("x.source_id")+`) OVER (PARTITION BY x.customer_id, x.record_type, x.record_date) AS day_last
					FROM d x WHERE 1 = 1`, q.Days+1)
		inTypes(&b, "x.record_type", q.Avg)
		b.add(`) y WHERE ` + db.bytewise("y.source_id") + ` = y.day_last) r WHERE 1 = 1`)
		statsScopeWhere(&b, s, filtered)
		b.add(" GROUP BY r.person_id, r.unit_id, r.record_type, r.share_bp")
	}
	if err := db.statsRead(ctx, func(ctx context.Context) error { return db.scanGroups(ctx, &b, fn) }); err != nil {
		return fmt.Errorf("stats details: %w", err)
	}
	return nil
}

// statsWorkMem is the memory PostgreSQL may give each hash or sort of the
// two statistics queries. At 100 000 managers the month's groups do not fit
// in the server's default 4 MB and the aggregate spills to disk (13.4 s
// instead of 7.7 s at ten million records); the bare GROUP BY it is
// compared with does not change with it (docs/performance.md).
const statsWorkMem = "256MB"

// statsRead runs fn in a read-only transaction with statsWorkMem on
// PostgreSQL (SET LOCAL ends with it); on SQLite, or inside a caller's
// transaction, it just runs fn.
func (db *DB) statsRead(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, inTx := txOf(ctx); inTx || db.engine != Postgres {
		return fn(ctx)
	}
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer func() { _ = conn.Close() }()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // nothing to keep: read only
	if _, err := tx.ExecContext(ctx, "SET LOCAL work_mem = '"+statsWorkMem+"'"); err != nil {
		return fmt.Errorf("work_mem: %w", err)
	}
	return fn(context.WithValue(ctx, txKey{}, &txState{conn: conn, tx: tx}))
}

// StatsPeople returns, with credited nil, the people whose record in force
// on q.AsOf lies inside the scope, and the scope's own person; with
// credited, those of credited who have a row of q's month that the scope
// sees, with their record on q.AsOf if they have one.
func (db *DB) StatsPeople(ctx context.Context, s access.Scope, q stats.Query, credited []int64) ([]stats.Person, error) {
	out := []stats.Person{}
	if s.Empty() || s.Institution != q.Institution {
		return out, nil
	}
	scan := func(b *sqlb) error {
		rows, err := db.query(ctx, b.String(), b.args...)
		if err != nil {
			return fmt.Errorf("stats people: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p stats.Person
			if err := rows.Scan(&p.ID, &p.EmpNo, &p.Name, &p.UnitID, &p.Position, &p.Status); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	}
	if credited == nil {
		var b sqlb
		b.add("WITH RECURSIVE ")
		scopeCTE(&b, s, q.AsOf)
		b.add(` SELECT p.id, p.emp_no, p.name, r.unit_id, r.position, r.status FROM persons p
			JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to WHERE `, q.AsOf, q.AsOf)
		scopeWhere(&b, s, "r.unit_id")
		return out, scan(&b)
	}
	for part := range chunks(credited, 500) {
		var b sqlb
		filtered := statsWith(&b, s, q.AsOf, true)
		b.add(`credited AS (SELECT DISTINCT r.person_id FROM business_records r WHERE r.institution_id = ? AND r.month = ?
			AND r.person_id IN (`+placeholders(len(part))+`)`, append([]any{q.Institution, q.Month}, int64Args(part)...)...)
		statsScopeWhere(&b, s, filtered)
		b.add(`) SELECT p.id, p.emp_no, p.name, COALESCE(r.unit_id, 0), COALESCE(r.position, ''), COALESCE(r.status, '') FROM persons p
			LEFT JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
			WHERE p.institution_id = ? AND p.id IN (SELECT person_id FROM credited)`, q.AsOf, q.AsOf, q.Institution)
		if err := scan(&b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StatsTargets returns the period's targets of the given metrics: every
// unit target, and the personal targets of the people whose record in
// force on asOf lies inside the scope (or of the scope's own person).
func (db *DB) StatsTargets(ctx context.Context, s access.Scope, institution int64, period string, metrics []string, asOf platform.Date) ([]target.Target, error) {
	out := []target.Target{}
	if len(metrics) == 0 {
		return out, nil
	}
	var q sqlb
	q.add(`SELECT `+targetCols+` FROM targets t WHERE t.institution_id = ? AND t.period_key = ? AND t.unit_id IS NOT NULL
		AND t.metric_key IN (`+placeholders(len(metrics))+`)`, append([]any{institution, period}, stringArgs(metrics)...)...)
	if err := db.scanTargets(ctx, &q, &out, false); err != nil {
		return nil, err
	}
	if s.Empty() || s.Institution != institution {
		return out, nil
	}
	var p sqlb
	p.add("WITH RECURSIVE ")
	scopeCTE(&p, s, asOf)
	p.add(` SELECT `+targetCols+` FROM targets t JOIN persons p ON p.id = t.person_id
		JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
		WHERE t.institution_id = ? AND t.period_key = ? AND t.person_id IS NOT NULL AND t.metric_key IN (`+placeholders(len(metrics))+`) AND `,
		append([]any{asOf, asOf, institution, period}, stringArgs(metrics)...)...)
	scopeWhere(&p, s, "r.unit_id")
	if err := db.scanTargets(ctx, &p, &out, false); err != nil {
		return nil, err
	}
	return out, nil
}
