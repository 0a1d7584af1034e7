package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
)

// record_month_totals follows business_records: every store method that
// writes or deletes records collects the change per total key here and
// applies it with applyTotals before it returns, in the same transaction.
// The collecting runs on the goroutine that encodes the rows for the
// engine, which has time to spare while the importer's reader is busy.

type totalKey struct {
	institution int64
	month       int
	person      int64
	unit        int64
	recordType  string
	product     string
	share       int
}

type totalVal struct{ rows, amount, quantity int64 }

// totals is a set of changes to record_month_totals.
type totals struct {
	m map[totalKey]*totalVal
	// interned strings: a key must not keep a file line alive
	names map[string]string
}

func newTotals() *totals { return &totals{m: map[totalKey]*totalVal{}, names: map[string]string{}} }

func (t *totals) intern(s string) string {
	if v, ok := t.names[s]; ok {
		return v
	}
	v := strings.Clone(s)
	t.names[v] = v
	return v
}

// add counts one stored row (sign 1) or one deleted row (sign −1): one map
// probe per row; a key's strings are interned only when it is new.
func (t *totals) add(institution int64, month int, person, unit int64, recordType, product string, share int, amount, quantity, sign int64) {
	k := totalKey{institution, month, person, unit, recordType, product, share}
	v := t.m[k]
	if v == nil {
		k.recordType, k.product = t.intern(recordType), t.intern(product)
		v = &totalVal{}
		t.m[k] = v
	}
	v.rows += sign
	v.amount += sign * amount
	v.quantity += sign * quantity
}

var totalCols = []string{"institution_id", "month", "person_id", "unit_id", "record_type", "product", "share_bp", "rows_n", "amount", "quantity"}

// applyTotals adds the changes to record_month_totals: they go into a
// temporary table, are merged in one statement, and totals that fell to
// no rows are removed.
func (db *DB) applyTotals(ctx context.Context, t *totals) error {
	if len(t.m) == 0 {
		return nil
	}
	create := `CREATE TEMP TABLE IF NOT EXISTS total_changes (institution_id BIGINT, month INTEGER, person_id BIGINT, unit_id BIGINT,
		record_type TEXT, product TEXT, share_bp INTEGER, rows_n BIGINT, amount BIGINT, quantity BIGINT)`
	if db.engine == Postgres {
		create += ` ON COMMIT DROP`
	}
	if _, err := db.exec(ctx, create); err != nil {
		return fmt.Errorf("record totals: %w", err)
	}
	if _, err := db.exec(ctx, `DELETE FROM total_changes`); err != nil {
		return fmt.Errorf("record totals: %w", err)
	}
	months := map[[2]int64]bool{}
	keys := make([]totalKey, 0, len(t.m))
	for k, v := range t.m {
		if *v != (totalVal{}) {
			keys = append(keys, k)
			months[[2]int64{k.institution, int64(k.month)}] = true
		}
	}
	i := 0
	row := make([]any, len(totalCols))
	if _, err := db.BulkInsert(ctx, "total_changes", totalCols, func() ([]any, error) {
		if i == len(keys) {
			return nil, io.EOF
		}
		k := keys[i]
		v := t.m[k]
		i++
		row[0], row[1], row[2], row[3], row[4] = k.institution, int64(k.month), k.person, k.unit, k.recordType
		row[5], row[6], row[7], row[8], row[9] = k.product, int64(k.share), v.rows, v.amount, v.quantity
		return row, nil
	}); err != nil {
		return fmt.Errorf("record totals: %w", err)
	}
	cols := strings.Join(totalCols, ", ")
	if _, err := db.exec(ctx, `INSERT INTO record_month_totals (`+cols+`) SELECT `+cols+` FROM total_changes WHERE 1 = 1
		ON CONFLICT (institution_id, month, person_id, unit_id, record_type, product, share_bp) DO UPDATE SET
		rows_n = record_month_totals.rows_n + excluded.rows_n, amount = record_month_totals.amount + excluded.amount,
		quantity = record_month_totals.quantity + excluded.quantity`); err != nil {
		return fmt.Errorf("record totals: %w", err)
	}
	for m := range months {
		if _, err := db.exec(ctx, `DELETE FROM record_month_totals WHERE institution_id = ? AND month = ? AND rows_n = 0`, m[0], m[1]); err != nil {
			return fmt.Errorf("record totals: %w", err)
		}
	}
	if db.engine == SQLite {
		if _, err := db.exec(ctx, `DROP TABLE temp.total_changes`); err != nil {
			return fmt.Errorf("record totals: %w", err)
		}
	}
	clear(t.m)
	return nil
}

// VerifyRecordTotals checks record_month_totals against the institution's
// business records, summed afresh; it returns an error naming the first
// total that differs. Tests call it after every kind of write; an operator
// may after a restore.
func (db *DB) VerifyRecordTotals(ctx context.Context, institution int64) error {
	const fresh = `SELECT month, COALESCE(person_id, 0) AS person_id, unit_id, record_type, product, share_bp,
		COUNT(*) AS rows_n, SUM(amount) AS amount, SUM(quantity) AS quantity
		FROM business_records WHERE institution_id = ? GROUP BY month, COALESCE(person_id, 0), unit_id, record_type, product, share_bp`
	const kept = `SELECT month, person_id, unit_id, record_type, product, share_bp, rows_n, amount, quantity
		FROM record_month_totals WHERE institution_id = ?`
	for _, q := range []struct{ a, b, what string }{{fresh, kept, "missing from"}, {kept, fresh, "not in the records but in"}} {
		var month, share int
		var person, unit, rows, amount, quantity int64
		var typ, product string
		err := db.queryRow(ctx, `SELECT * FROM (`+q.a+` EXCEPT `+q.b+`) x LIMIT 1`, institution, institution).
			Scan(&month, &person, &unit, &typ, &product, &share, &rows, &amount, &quantity)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return fmt.Errorf("verify record totals: %w", err)
		}
		return fmt.Errorf("record totals: month %d person %d unit %d %s %q share %d (%d rows, amount %d, quantity %d) %s record_month_totals",
			month, person, unit, typ, product, share, rows, amount, quantity, q.what)
	}
	return nil
}
