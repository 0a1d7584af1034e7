package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// RawLoadBaseline times the engine's own bulk load of a month's stored
// business records into a bare table with the same columns and types and
// no index: PostgreSQL's COPY of the rows in text format (what the import
// sends), SQLite's multi-row INSERT in one transaction (its fastest
// batched insert). It is the yardstick of the import benchmark and of
// `cmhub bench-import` (docs/performance.md): the import should reach 70%
// of this speed. The rows are read into memory first, untimed; the bare
// table is dropped afterwards.
func (db *DB) RawLoadBaseline(ctx context.Context, institution int64, month int) (rows int64, took time.Duration, err error) {
	cols := strings.Join(creditCols, ", ")
	if _, err := db.w.ExecContext(ctx, `DROP TABLE IF EXISTS bench_bare_records`); err != nil {
		return 0, 0, err
	}
	defer func() {
		if _, derr := db.w.ExecContext(context.WithoutCancel(ctx), `DROP TABLE bench_bare_records`); derr != nil && err == nil {
			err = derr
		}
	}()
	if db.engine == Postgres {
		if _, err := db.w.ExecContext(ctx, `CREATE TABLE bench_bare_records (LIKE business_records)`); err != nil {
			return 0, 0, err
		}
		return db.pgBaseline(ctx, cols, institution, month)
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE bench_bare_records (institution_id BIGINT NOT NULL, month INTEGER NOT NULL,
		source_id TEXT NOT NULL, record_date TEXT NOT NULL, customer_id BIGINT NOT NULL, record_type TEXT NOT NULL,
		amount BIGINT NOT NULL, quantity BIGINT NOT NULL, product TEXT NOT NULL, person_id BIGINT, unit_id BIGINT NOT NULL,
		share_bp INTEGER NOT NULL, explicit BOOLEAN NOT NULL, content_hash BIGINT NOT NULL, import_id BIGINT NOT NULL)`); err != nil {
		return 0, 0, err
	}
	q, err := db.query(ctx, `SELECT `+cols+` FROM business_records WHERE institution_id = ? AND month = ?`, institution, month)
	if err != nil {
		return 0, 0, err
	}
	var all [][]any
	for q.Next() {
		r := make([]any, len(creditCols))
		ptrs := make([]any, len(r))
		for i := range r {
			ptrs[i] = &r[i]
		}
		if err := q.Scan(ptrs...); err != nil {
			_ = q.Close()
			return 0, 0, err
		}
		all = append(all, r)
	}
	if err := q.Err(); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	err = db.WithTx(ctx, func(ctx context.Context) error {
		i := 0
		rows, err = db.BulkInsert(ctx, "bench_bare_records", creditCols, func() ([]any, error) {
			if i == len(all) {
				return nil, io.EOF
			}
			i++
			return all[i-1], nil
		})
		return err
	})
	return rows, time.Since(start), err
}

func (db *DB) pgBaseline(ctx context.Context, cols string, institution int64, month int) (rows int64, took time.Duration, err error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = conn.Close() }()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: unexpected driver connection %T", dc)
		}
		pg := c.Conn().PgConn()
		var buf bytes.Buffer
		if _, err := pg.CopyTo(ctx, &buf, fmt.Sprintf(`COPY (SELECT %s FROM business_records WHERE institution_id = %d AND month = %d) TO STDOUT`,
			cols, institution, month)); err != nil {
			return err
		}
		if buf.Len() == 0 {
			return errors.New("no records to load")
		}
		start := time.Now()
		tag, err := pg.CopyFrom(ctx, &buf, `COPY bench_bare_records (`+cols+`) FROM STDIN`)
		took = time.Since(start)
		rows = tag.RowsAffected()
		return err
	})
	return rows, took, err
}
