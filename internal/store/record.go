package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"cmhub/internal/access"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/presets"
)

// SeedRecordTypes creates an institution's record types from its preset.
func (db *DB) SeedRecordTypes(ctx context.Context, institution int64, defs []presets.RecordTypeDef) error {
	for i, d := range defs {
		if _, err := db.exec(ctx, `INSERT INTO record_types (institution_id, key, name_zh, name_en, amount_sign, quantity_sign, rank)
			VALUES (?,?,?,?,?,?,?)`, institution, d.Key, d.NameZh, d.NameEn, d.AmountSign, d.QuantitySign, i+1); err != nil {
			return fmt.Errorf("record type %s: %w", d.Key, err)
		}
	}
	return nil
}

// RecordTypes lists an institution's record types in display order.
func (db *DB) RecordTypes(ctx context.Context, institution int64) ([]record.Type, error) {
	rows, err := db.query(ctx, `SELECT key, name_zh, name_en, amount_sign, quantity_sign FROM record_types
		WHERE institution_id = ? ORDER BY rank, key`, institution)
	if err != nil {
		return nil, fmt.Errorf("record types: %w", err)
	}
	defer rows.Close()
	out := []record.Type{}
	for rows.Next() {
		var t record.Type
		if err := rows.Scan(&t.Key, &t.NameZh, &t.NameEn, &t.AmountSign, &t.QuantitySign); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// EachCustomerKey streams the institution's customers by id, each with
// its attribution rows in force on some day of [from, to], for the
// importer's index: one merge join of two index scans in id order (no
// sort, no per-person lookup), the bytes of the ID number scanned without
// a string per row.
func (db *DB) EachCustomerKey(ctx context.Context, institution int64, ids []int64, from, to platform.Date, fn func(record.CustomerKey, *record.AttributionSpan) error) error {
	if ids != nil {
		for part := range chunks(ids, 500) {
			if err := db.eachCustomerKey(ctx, institution, part, from, to, fn); err != nil {
				return err
			}
		}
		return nil
	}
	return db.eachCustomerKey(ctx, institution, nil, from, to, fn)
}

func (db *DB) eachCustomerKey(ctx context.Context, institution int64, ids []int64, from, to platform.Date, fn func(record.CustomerKey, *record.AttributionSpan) error) error {
	q := `SELECT c.id, c.id_number, c.branch_id, a.person_id, a.share_bp, a.valid_from, a.valid_to
		FROM customers c LEFT JOIN customer_attributions a ON a.customer_id = c.id AND a.valid_from <= ? AND a.valid_to > ?
		WHERE c.institution_id = ?`
	args := []any{to, from, institution}
	if ids != nil {
		q += ` AND c.id IN (` + placeholders(len(ids)) + `)`
		args = append(args, int64Args(ids)...)
	}
	q += ` ORDER BY c.id`
	if ids == nil {
		if db.engine == Postgres {
			return db.pgEachCustomerKey(ctx, q, institution, from, to, fn)
		}
		return db.sqliteEachCustomerKey(ctx, institution, from, to, fn)
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("customer keys: %w", err)
	}
	defer rows.Close()
	var k record.CustomerKey
	var a record.AttributionSpan
	var idn sql.RawBytes
	var person, share sql.NullInt64
	for rows.Next() {
		// A NULL date scans as the zero date.
		if err := rows.Scan(&k.ID, &idn, &k.BranchID, &person, &share, &a.From, &a.To); err != nil {
			return err
		}
		k.IDNumber = unsafeString(idn)
		span := (*record.AttributionSpan)(nil)
		if person.Valid {
			a.CustomerID, a.PersonID, a.ShareBP = k.ID, person.Int64, int(share.Int64)
			span = &a
		}
		if err := fn(k, span); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sqliteEachCustomerKey is EachCustomerKey on SQLite, which would join
// the two tables by one index seek per customer: the customers and the
// attributions are read in two ordered scans on two connections — the
// attributions on a second goroutine, so that both use a core — and
// merged here.
func (db *DB) sqliteEachCustomerKey(ctx context.Context, institution int64, from, to platform.Date, fn func(record.CustomerKey, *record.AttributionSpan) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type batch struct {
		spans []record.AttributionSpan
		err   error
	}
	ch := make(chan batch, 4)
	send := func(b batch) bool {
		select {
		case ch <- b:
			return true
		case <-ctx.Done(): // the merge gave up
			return false
		}
	}
	go func() {
		defer close(ch)
		as, err := db.query(ctx, `SELECT a.customer_id, a.person_id, a.share_bp, a.valid_from, a.valid_to FROM customer_attributions a
			WHERE +a.person_id IN (SELECT id FROM persons WHERE institution_id = ?) AND a.valid_from <= ? AND a.valid_to > ?
			ORDER BY a.customer_id`, institution, to, from) // "+": walk the customer-ordered index, no sort
		if err != nil {
			send(batch{err: fmt.Errorf("attributions: %w", err)})
			return
		}
		defer as.Close()
		b := make([]record.AttributionSpan, 0, 1024)
		for as.Next() {
			var a record.AttributionSpan
			if err := as.Scan(&a.CustomerID, &a.PersonID, &a.ShareBP, &a.From, &a.To); err != nil {
				send(batch{err: err})
				return
			}
			if b = append(b, a); len(b) == cap(b) {
				if !send(batch{spans: b}) {
					return
				}
				b = make([]record.AttributionSpan, 0, 1024)
			}
		}
		if err := as.Err(); err != nil {
			send(batch{err: err})
			return
		}
		if len(b) > 0 {
			send(batch{spans: b})
		}
	}()
	var cur []record.AttributionSpan
	pos := 0
	// peek returns the next attribution, or nil after the last.
	peek := func() (*record.AttributionSpan, error) {
		for pos == len(cur) {
			b, ok := <-ch
			if !ok {
				return nil, nil
			}
			if b.err != nil {
				return nil, b.err
			}
			cur, pos = b.spans, 0
		}
		return &cur[pos], nil
	}
	cs, err := db.query(ctx, `SELECT id, id_number, branch_id FROM customers WHERE institution_id = ? ORDER BY id`, institution)
	if err != nil {
		return fmt.Errorf("customer keys: %w", err)
	}
	defer cs.Close()
	var k record.CustomerKey
	var idn sql.RawBytes
	for cs.Next() {
		if err := cs.Scan(&k.ID, &idn, &k.BranchID); err != nil {
			return err
		}
		k.IDNumber = unsafeString(idn)
		found := false
		for {
			a, err := peek()
			if err != nil {
				return err
			}
			if a == nil || a.CustomerID > k.ID {
				break
			}
			if a.CustomerID == k.ID {
				found = true
				if err := fn(k, a); err != nil {
					return err
				}
			}
			pos++
		}
		if !found {
			if err := fn(k, nil); err != nil {
				return err
			}
		}
	}
	return cs.Err()
}

// pgEachCustomerKey is EachCustomerKey through pgx itself: its typed scan
// of ten million rows takes a fraction of database/sql's reflection.
func (db *DB) pgEachCustomerKey(ctx context.Context, q string, institution int64, from, to platform.Date, fn func(record.CustomerKey, *record.AttributionSpan) error) error {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("customer keys: %w", err)
	}
	defer func() { _ = conn.Close() }()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: unexpected driver connection %T", dc)
		}
		rows, err := c.Conn().Query(ctx, rebind(Postgres, q), to.Time(), from.Time(), institution)
		if err != nil {
			return fmt.Errorf("customer keys: %w", err)
		}
		defer rows.Close()
		var k record.CustomerKey
		var a record.AttributionSpan
		var idn []byte
		var person pgtype.Int8
		var share pgtype.Int4
		var af, at pgtype.Date
		for rows.Next() {
			if err := rows.Scan(&k.ID, &idn, &k.BranchID, &person, &share, &af, &at); err != nil {
				return fmt.Errorf("customer keys: %w", err)
			}
			k.IDNumber = unsafeString(idn)
			span := (*record.AttributionSpan)(nil)
			if person.Valid {
				a.CustomerID, a.PersonID, a.ShareBP = k.ID, person.Int64, int(share.Int32)
				a.From, a.To = pgDate(af), pgDate(at)
				span = &a
			}
			if err := fn(k, span); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("customer keys: %w", err)
		}
		return nil
	})
}

// pgDate converts a scanned DATE; infinity is the end of time.
func pgDate(d pgtype.Date) platform.Date {
	if d.InfinityModifier == pgtype.Infinity {
		return platform.EndOfTime()
	}
	return platform.DateOf(d.Time)
}

// CustomerIDsByIDNumber returns the ids of the institution's customers
// with these normalised ID numbers, through the unique index.
func (db *DB) CustomerIDsByIDNumber(ctx context.Context, institution int64, idNumbers []string) ([]int64, error) {
	var out []int64
	for part := range chunks(idNumbers, 500) {
		rows, err := db.query(ctx, `SELECT id FROM customers WHERE institution_id = ? AND id_number IN (`+placeholders(len(part))+`)`,
			append([]any{institution}, stringArgs(part)...)...)
		if err != nil {
			return nil, fmt.Errorf("customers by ID number: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				_ = rows.Close()
				return nil, err
			}
			out = append(out, id)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		_ = rows.Close()
	}
	return out, nil
}

// recordRowCols are the stored columns as record.Row carries them.
const recordRowCols = `institution_id, month, source_id, record_date, customer_id, record_type, amount, quantity, product,
	COALESCE(person_id, 0), unit_id, share_bp, explicit, content_hash, import_id`

// CustomerRecordRows returns the stored rows of the customers' records
// dated on or after from, by month, source id and person.
func (db *DB) CustomerRecordRows(ctx context.Context, institution int64, customerIDs []int64, from platform.Date) ([]record.Row, error) {
	var out []record.Row
	m := from.Year()*100 + int(from.Month())
	for part := range chunks(customerIDs, 500) {
		rows, err := db.query(ctx, `SELECT `+recordRowCols+` FROM business_records
			WHERE institution_id = ? AND month >= ? AND record_date >= ? AND customer_id IN (`+placeholders(len(part))+`)
			ORDER BY month, source_id, person_id`, append([]any{institution, m, from}, int64Args(part)...)...)
		if err != nil {
			return nil, fmt.Errorf("customer records: %w", err)
		}
		for rows.Next() {
			var r record.Row
			var d platform.Date
			if err := rows.Scan(&r.Institution, &r.Month, &r.SourceID, &d, &r.CustomerID, &r.RecordType, &r.Amount, &r.Quantity,
				&r.Product, &r.PersonID, &r.UnitID, &r.ShareBP, &r.Explicit, &r.ContentHash, &r.ImportID); err != nil {
				_ = rows.Close()
				return nil, err
			}
			r.Day = record.DayNumber(d)
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		_ = rows.Close()
	}
	return out, nil
}

// DeleteCustomerRecords deletes the stored rows of the customers' records
// dated on or after from.
func (db *DB) DeleteCustomerRecords(ctx context.Context, institution int64, customerIDs []int64, from platform.Date) (int64, error) {
	var n int64
	m := from.Year()*100 + int(from.Month())
	t := newTotals()
	for part := range chunks(customerIDs, 500) {
		rows, err := db.query(ctx, `DELETE FROM business_records WHERE institution_id = ? AND month >= ? AND record_date >= ?
			AND customer_id IN (`+placeholders(len(part))+`)
			RETURNING month, COALESCE(person_id, 0), unit_id, record_type, product, share_bp, amount, quantity`,
			append([]any{institution, m, from}, int64Args(part)...)...)
		if err != nil {
			return n, fmt.Errorf("delete customer records: %w", err)
		}
		for rows.Next() {
			var month, share int
			var person, unit, amount, quantity int64
			var typ, product string
			if err := rows.Scan(&month, &person, &unit, &typ, &product, &share, &amount, &quantity); err != nil {
				_ = rows.Close()
				return n, err
			}
			t.add(institution, month, person, unit, typ, product, share, amount, quantity, -1)
			n++
		}
		if err := rows.Err(); err != nil {
			return n, err
		}
		_ = rows.Close()
	}
	return n, db.applyTotals(ctx, t)
}

// SummarizeRecords brings the month index up to date after a load: on
// PostgreSQL the block ranges the load filled are summarised in the BRIN
// index (until then every query of any month reads them); SQLite's B-tree
// is always current.
func (db *DB) SummarizeRecords(ctx context.Context) error {
	if db.engine != Postgres {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, `SELECT brin_summarize_new_values('business_records_month')`); err != nil {
		return fmt.Errorf("summarize records index: %w", err)
	}
	return nil
}

// MonthImported reports whether an import of the month ever committed.
func (db *DB) MonthImported(ctx context.Context, institution int64, month string) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM record_imports WHERE institution_id = ? AND month = ? LIMIT 1) x`,
		institution, month).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("month imported: %w", err)
	}
	return n > 0, nil
}

// ManagerSpans returns the unit records of the institution's people in
// force on some day of [from, to].
func (db *DB) ManagerSpans(ctx context.Context, institution int64, from, to platform.Date) ([]record.Span, error) {
	rows, err := db.query(ctx, `SELECT pr.person_id, p.emp_no, pr.unit_id, pr.valid_from, pr.valid_to
		FROM person_records pr JOIN persons p ON p.id = pr.person_id
		WHERE p.institution_id = ? AND pr.valid_from <= ? AND pr.valid_to > ?
		ORDER BY pr.person_id, pr.valid_from`, institution, to, from)
	if err != nil {
		return nil, fmt.Errorf("manager spans: %w", err)
	}
	defer rows.Close()
	var out []record.Span
	for rows.Next() {
		var s record.Span
		if err := rows.Scan(&s.PersonID, &s.EmpNo, &s.UnitID, &s.From, &s.To); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// LockRecordMonth bumps the month's lock row: imports of one month queue
// on it until the holder commits.
func (db *DB) LockRecordMonth(ctx context.Context, institution int64, month string) error {
	_, err := db.exec(ctx, `INSERT INTO record_months (institution_id, month, imports) VALUES (?,?,1)
		ON CONFLICT (institution_id, month) DO UPDATE SET imports = record_months.imports + 1`, institution, month)
	if err != nil {
		return fmt.Errorf("lock month %s: %w", month, err)
	}
	return nil
}

// EachRecordKey streams the source id and content hash of every stored
// row of a month (a record credited to two managers comes twice); with ids
// not nil, of those source ids only: they go into a temporary table so
// that the month is scanned once however many there are.
func (db *DB) EachRecordKey(ctx context.Context, institution int64, month int, ids []string, fn func(string, int64) error) error {
	q := `SELECT source_id, content_hash FROM business_records WHERE institution_id = ? AND month = ?`
	if ids != nil {
		if len(ids) == 0 {
			return nil
		}
		if err := db.fillSourceIDs(ctx, "wanted_ids", ids); err != nil {
			return err
		}
		q += ` AND source_id IN (SELECT source_id FROM wanted_ids)`
	}
	rows, err := db.query(ctx, q, institution, month)
	if err != nil {
		return fmt.Errorf("record keys: %w", err)
	}
	defer rows.Close()
	var id sql.RawBytes
	var h int64
	for rows.Next() {
		if err := rows.Scan(&id, &h); err != nil {
			return err
		}
		if err := fn(unsafeString(id), h); err != nil {
			return err
		}
	}
	return rows.Err()
}

// fillSourceIDs (re)creates the transaction's temporary table of source
// ids and loads ids into it.
func (db *DB) fillSourceIDs(ctx context.Context, table string, ids []string) error {
	create := `CREATE TEMP TABLE IF NOT EXISTS ` + table + ` (source_id TEXT PRIMARY KEY)`
	if db.engine == Postgres {
		create += ` ON COMMIT DROP`
	}
	if _, err := db.exec(ctx, create); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	if _, err := db.exec(ctx, `DELETE FROM `+table); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	i := 0
	seen := make(map[string]bool, len(ids))
	if _, err := db.BulkInsert(ctx, table, []string{"source_id"}, func() ([]any, error) {
		for i < len(ids) && seen[ids[i]] {
			i++ // a file may name one twice; the import reports it
		}
		if i == len(ids) {
			return nil, io.EOF
		}
		seen[ids[i]] = true
		i++
		return []any{ids[i-1]}, nil
	}); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	return nil
}

// CreateRecordImport inserts the import's log row (its counts are filled
// in by FinishRecordImport) and sets its id, which the loaded rows carry.
func (db *DB) CreateRecordImport(ctx context.Context, l *record.ImportLog) error {
	id, err := db.insertID(ctx, `INSERT INTO record_imports (institution_id, month, file_name, file_sha256, mode, rows_read, inserted, replaced,
		unchanged, rejected, job_id, created_by, created_by_id, created_at) VALUES (?,?,?,?,?,0,0,0,0,0,?,?,?,?)`,
		l.Institution, l.Month, l.FileName, l.FileSHA256, l.Mode, l.JobID, l.CreatedBy, l.CreatedByID, platform.TS(l.CreatedAt))
	if err != nil {
		return fmt.Errorf("record import: %w", err)
	}
	l.ID = id
	return nil
}

// FinishRecordImport stores the import's counts.
func (db *DB) FinishRecordImport(ctx context.Context, l *record.ImportLog) error {
	_, err := db.exec(ctx, `UPDATE record_imports SET rows_read = ?, inserted = ?, replaced = ?, unchanged = ?, rejected = ? WHERE id = ?`,
		l.Rows, l.Inserted, l.Replaced, l.Unchanged, l.Rejected, l.ID)
	if err != nil {
		return fmt.Errorf("record import: %w", err)
	}
	return nil
}

var creditCols = []string{"institution_id", "month", "source_id", "record_date", "customer_id", "record_type", "amount", "quantity",
	"product", "person_id", "unit_id", "share_bp", "explicit", "content_hash", "import_id"}

// LoadCredits bulk-loads rows into business_records inside the
// transaction in ctx: on PostgreSQL as COPY text written straight from the
// rows (no value is boxed per row), on SQLite through BulkInsert.
func (db *DB) LoadCredits(ctx context.Context, next func() (*record.Row, bool)) (int64, error) {
	st, ok := txOf(ctx)
	if !ok {
		return 0, errors.New("store: bulk insert outside a transaction")
	}
	t := newTotals()
	counted := func() (*record.Row, bool) {
		r, ok := next()
		if ok {
			t.add(r.Institution, r.Month, r.PersonID, r.UnitID, r.RecordType, r.Product, r.ShareBP, r.Amount, r.Quantity, 1)
		}
		return r, ok
	}
	var n int64
	var err error
	if db.engine == Postgres {
		err = st.conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("store: unexpected driver connection %T", dc)
			}
			tag, err := c.Conn().PgConn().CopyFrom(ctx, &copyText{next: counted},
				"COPY business_records ("+strings.Join(creditCols, ", ")+") FROM STDIN")
			n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return n, fmt.Errorf("copy business records: %w", err)
		}
	} else {
		vals := make([]any, len(creditCols))
		var dateBuf []byte
		n, err = db.BulkInsert(ctx, "business_records", creditCols, func() ([]any, error) {
			r, ok := counted()
			if !ok {
				return nil, io.EOF
			}
			dateBuf = record.AppendDay(dateBuf[:0], r.Day)
			var person any
			if r.PersonID != 0 {
				person = r.PersonID
			}
			vals[0], vals[1], vals[2], vals[3], vals[4] = r.Institution, int64(r.Month), r.SourceID, string(dateBuf), r.CustomerID
			vals[5], vals[6], vals[7], vals[8], vals[9] = r.RecordType, r.Amount, r.Quantity, r.Product, person
			vals[10], vals[11], vals[12], vals[13], vals[14] = r.UnitID, int64(r.ShareBP), r.Explicit, r.ContentHash, r.ImportID
			return vals, nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, db.applyTotals(ctx, t)
}

// copyText encodes rows in COPY's text format as the connection reads them.
type copyText struct {
	next func() (*record.Row, bool)
	buf  []byte
	off  int
	done bool
}

func (c *copyText) Read(p []byte) (int, error) {
	if c.off == len(c.buf) {
		c.buf, c.off = c.buf[:0], 0
		for len(c.buf) < 64<<10 && !c.done {
			r, ok := c.next()
			if !ok {
				c.done = true
				break
			}
			c.buf = appendCopyRow(c.buf, r)
		}
		if len(c.buf) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	return n, nil
}

func appendCopyRow(b []byte, r *record.Row) []byte {
	b = strconv.AppendInt(b, r.Institution, 10)
	b = append(b, '\t')
	b = strconv.AppendInt(b, int64(r.Month), 10)
	b = append(b, '\t')
	b = appendCopyText(b, r.SourceID)
	b = append(b, '\t')
	b = record.AppendDay(b, r.Day)
	b = append(b, '\t')
	b = strconv.AppendInt(b, r.CustomerID, 10)
	b = append(b, '\t')
	b = appendCopyText(b, r.RecordType)
	b = append(b, '\t')
	b = strconv.AppendInt(b, r.Amount, 10)
	b = append(b, '\t')
	b = strconv.AppendInt(b, r.Quantity, 10)
	b = append(b, '\t')
	b = appendCopyText(b, r.Product)
	b = append(b, '\t')
	if r.PersonID == 0 {
		b = append(b, '\\', 'N')
	} else {
		b = strconv.AppendInt(b, r.PersonID, 10)
	}
	b = append(b, '\t')
	b = strconv.AppendInt(b, r.UnitID, 10)
	b = append(b, '\t')
	b = strconv.AppendInt(b, int64(r.ShareBP), 10)
	b = append(b, '\t')
	if r.Explicit {
		b = append(b, 't')
	} else {
		b = append(b, 'f')
	}
	b = append(b, '\t')
	b = strconv.AppendInt(b, r.ContentHash, 10)
	b = append(b, '\t')
	b = strconv.AppendInt(b, r.ImportID, 10)
	return append(b, '\n')
}

// appendCopyText escapes what COPY's text format gives meaning to.
func appendCopyText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	return b
}

// DeleteReplaced deletes the month's rows of the given source ids that
// import keep did not write, and returns them: the ids go into a temporary
// table first so that the month is scanned once, however many there are.
func (db *DB) DeleteReplaced(ctx context.Context, institution int64, month int, keep int64, sourceIDs []string) ([]record.Credit, error) {
	if len(sourceIDs) == 0 {
		return nil, nil
	}
	create := `CREATE TEMP TABLE IF NOT EXISTS replaced_ids (source_id TEXT PRIMARY KEY)`
	if db.engine == Postgres {
		create += ` ON COMMIT DROP`
	}
	if _, err := db.exec(ctx, create); err != nil {
		return nil, fmt.Errorf("replaced ids: %w", err)
	}
	if _, err := db.exec(ctx, `DELETE FROM replaced_ids`); err != nil {
		return nil, fmt.Errorf("replaced ids: %w", err)
	}
	i := 0
	if _, err := db.BulkInsert(ctx, "replaced_ids", []string{"source_id"}, func() ([]any, error) {
		if i == len(sourceIDs) {
			return nil, io.EOF
		}
		i++
		return []any{sourceIDs[i-1]}, nil
	}); err != nil {
		return nil, fmt.Errorf("replaced ids: %w", err)
	}
	rows, err := db.query(ctx, `DELETE FROM business_records WHERE institution_id = ? AND month = ? AND import_id <> ?
		AND source_id IN (SELECT source_id FROM replaced_ids)
		RETURNING source_id, record_date, customer_id, record_type, amount, quantity, product, COALESCE(person_id, 0), unit_id, share_bp, explicit`,
		institution, month, keep)
	if err != nil {
		return nil, fmt.Errorf("delete replaced records: %w", err)
	}
	defer rows.Close()
	var out []record.Credit
	t := newTotals()
	for rows.Next() {
		var c record.Credit
		if err := rows.Scan(&c.SourceID, &c.Date, &c.CustomerID, &c.RecordType, &c.Amount, &c.Quantity, &c.Product,
			&c.PersonID, &c.UnitID, &c.ShareBP, &c.Explicit); err != nil {
			return nil, err
		}
		t.add(institution, month, c.PersonID, c.UnitID, c.RecordType, c.Product, c.ShareBP, c.Amount, c.Quantity, -1)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	_ = rows.Close()
	if err := db.applyTotals(ctx, t); err != nil {
		return nil, err
	}
	if db.engine == SQLite {
		if _, err := db.exec(ctx, `DROP TABLE temp.replaced_ids`); err != nil {
			return nil, fmt.Errorf("replaced ids: %w", err)
		}
	}
	return out, nil
}

// ListRecordImports lists an institution's committed imports, newest first.
func (db *DB) ListRecordImports(ctx context.Context, institution int64, month string, page, pageSize int) ([]record.ImportLog, int, error) {
	var where sqlb
	where.add(" WHERE institution_id = ?", institution)
	if month != "" {
		where.add(" AND month = ?", month)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM record_imports`+where.String(), where.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count imports: %w", err)
	}
	args := append(where.args, pageSize, (page-1)*pageSize)
	rows, err := db.query(ctx, `SELECT id, month, file_name, file_sha256, mode, rows_read, inserted, replaced, unchanged, rejected,
		job_id, created_by, created_at FROM record_imports`+where.String()+` ORDER BY id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list imports: %w", err)
	}
	defer rows.Close()
	out := []record.ImportLog{}
	for rows.Next() {
		var l record.ImportLog
		var at platform.Timestamp
		if err := rows.Scan(&l.ID, &l.Month, &l.FileName, &l.FileSHA256, &l.Mode, &l.Rows, &l.Inserted, &l.Replaced,
			&l.Unchanged, &l.Rejected, &l.JobID, &l.CreatedBy, &at); err != nil {
			return nil, 0, err
		}
		l.Institution, l.CreatedAt = institution, at.Time
		out = append(out, l)
	}
	return out, total, rows.Err()
}

// creditsFrom writes the FROM and WHERE of the rows of a month that the
// scope may see — those credited to a unit inside it, or to the viewer —
// narrowed by the filter. It starts with the CTEs, so it opens the query.
func creditsFrom(q *sqlb, s access.Scope, f record.Filter, month int, asOf platform.Date) {
	q.add("WITH RECURSIVE ")
	scopeCTE(q, s, asOf)
	q.add(", filter_units(id) AS (SELECT id FROM units WHERE institution_id = ? AND id = ?", s.Institution, f.UnitID)
	q.add(" UNION SELECT up.unit_id FROM unit_parents up JOIN filter_units fu ON up.parent_id = fu.id WHERE up.valid_from <= ? AND ? < up.valid_to) ", asOf, asOf)
}

func creditsWhere(q *sqlb, s access.Scope, f record.Filter, month int) {
	q.add(" FROM business_records r WHERE r.institution_id = ? AND r.month = ?", s.Institution, month)
	switch {
	case s.Empty():
		q.add(" AND 1 = 0")
	case !s.All:
		q.add(" AND (r.unit_id IN (SELECT id FROM scope_units)")
		if s.Self != 0 {
			q.add(" OR r.person_id = ?", s.Self)
		}
		q.add(")")
	}
	if f.UnitID != 0 {
		q.add(" AND r.unit_id IN (SELECT id FROM filter_units)")
	}
	if f.PersonID != 0 {
		q.add(" AND r.person_id = ?", f.PersonID)
	}
	if f.RecordType != "" {
		q.add(" AND r.record_type = ?", f.RecordType)
	}
}

// ListCredits returns a page of the month's credited rows in scope.
func (db *DB) ListCredits(ctx context.Context, s access.Scope, f record.Filter, asOf platform.Date) ([]record.Credit, int, error) {
	per, err := platform.ParsePeriod(f.Month)
	if err != nil {
		return nil, 0, err
	}
	month := record.MonthNumber(per)
	var cq sqlb
	creditsFrom(&cq, s, f, month, asOf)
	cq.add("SELECT COUNT(*)")
	creditsWhere(&cq, s, f, month)
	var total int
	if err := db.queryRow(ctx, cq.String(), cq.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count records: %w", err)
	}
	var q sqlb
	creditsFrom(&q, s, f, month, asOf)
	q.add(`, pg AS (SELECT r.source_id, r.record_date, r.customer_id, r.record_type, r.amount, r.quantity, r.product,
		COALESCE(r.person_id, 0) AS person_id, r.unit_id, r.share_bp, r.explicit`)
	creditsWhere(&q, s, f, month)
	q.add(" ORDER BY r.record_date, r.source_id, person_id LIMIT ? OFFSET ?)", f.PageSize, (f.Page-1)*f.PageSize)
	q.add(`SELECT pg.source_id, pg.record_date, pg.customer_id, c.name, pg.record_type, pg.amount, pg.quantity, pg.product,
		pg.person_id, COALESCE(p.name, ''), COALESCE(p.emp_no, ''), pg.unit_id, COALESCE(u.name, ''), pg.share_bp, pg.explicit
		FROM pg JOIN customers c ON c.id = pg.customer_id
		LEFT JOIN persons p ON p.id = pg.person_id
		LEFT JOIN units u ON u.id = pg.unit_id
		ORDER BY pg.record_date, pg.source_id, pg.person_id`)
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list records: %w", err)
	}
	defer rows.Close()
	out := []record.Credit{}
	for rows.Next() {
		var c record.Credit
		if err := rows.Scan(&c.SourceID, &c.Date, &c.CustomerID, &c.CustomerName, &c.RecordType, &c.Amount, &c.Quantity, &c.Product,
			&c.PersonID, &c.PersonName, &c.EmpNo, &c.UnitID, &c.UnitName, &c.ShareBP, &c.Explicit); err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}
