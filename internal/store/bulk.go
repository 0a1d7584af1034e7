package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"cmhub/internal/platform"
)

// RowSource yields the rows of a bulk load; it returns io.EOF after the last.
type RowSource func() ([]any, error)

// BulkInsert loads rows into table(cols) inside the transaction in ctx,
// as fast as the engine allows: COPY on PostgreSQL, multi-row INSERT
// statements on SQLite (one writer, one transaction, WAL). Values must be
// of driver types (int64, string, bool, time.Time, nil; platform.Date and
// platform.Timestamp are converted). It is the only bulk path; callers
// never build per-row statements.
func (db *DB) BulkInsert(ctx context.Context, table string, cols []string, next RowSource) (int64, error) {
	st, ok := txOf(ctx)
	if !ok {
		return 0, errors.New("store: bulk insert outside a transaction")
	}
	if db.engine == Postgres {
		return db.copyFrom(ctx, st, table, cols, next)
	}
	return db.batchInsert(ctx, st, table, cols, next)
}

func (db *DB) copyFrom(ctx context.Context, st *txState, table string, cols []string, next RowSource) (int64, error) {
	var n int64
	err := st.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: unexpected driver connection %T", dc)
		}
		src := &copySource{next: next}
		var err error
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("copy into %s: %w", table, err)
	}
	return n, nil
}

// copySource adapts a RowSource to pgx.CopyFromSource, converting the
// valuers cmhub uses for dates and timestamps.
type copySource struct {
	next RowSource
	row  []any
	err  error
}

func (s *copySource) Next() bool {
	s.row, s.err = s.next()
	if errors.Is(s.err, io.EOF) {
		s.err = nil
		return false
	}
	return s.err == nil
}

func (s *copySource) Values() ([]any, error) {
	for i, v := range s.row {
		switch x := v.(type) {
		case platform.Date: // COPY's binary format wants time.Time for DATE
			if x.IsZero() {
				s.row[i] = nil
			} else {
				s.row[i] = x.Time()
			}
		case platform.Timestamp:
			if x.IsZero() {
				s.row[i] = nil
			} else {
				s.row[i] = x.Time
			}
		}
	}
	return s.row, nil
}

func (s *copySource) Err() error { return s.err }

// sqliteBatchVars bounds the placeholders of one INSERT statement.
const sqliteBatchVars = 8000

func (db *DB) batchInsert(ctx context.Context, st *txState, table string, cols []string, next RowSource) (int64, error) {
	per := max(1, sqliteBatchVars/len(cols))
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	full, err := st.tx.PrepareContext(ctx, head+strings.TrimSuffix(strings.Repeat(row+",", per), ","))
	if err != nil {
		return 0, fmt.Errorf("prepare bulk insert into %s: %w", table, err)
	}
	defer func() { _ = full.Close() }()
	args := make([]any, 0, per*len(cols))
	var n int64
	flush := func(rows int) error {
		if rows == 0 {
			return nil
		}
		var err error
		if rows == per {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = st.tx.ExecContext(ctx, head+strings.TrimSuffix(strings.Repeat(row+",", rows), ","), args...)
		}
		args = args[:0]
		return err
	}
	pending := 0
	for {
		r, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if len(r) != len(cols) {
			return n, fmt.Errorf("bulk insert into %s: row has %d values, want %d", table, len(r), len(cols))
		}
		args = append(args, r...)
		pending++
		n++
		if pending == per {
			if err := flush(pending); err != nil {
				return n, fmt.Errorf("bulk insert into %s: %w", table, err)
			}
			pending = 0
		}
	}
	if err := flush(pending); err != nil {
		return n, fmt.Errorf("bulk insert into %s: %w", table, err)
	}
	return n, nil
}

// SyncIdentity moves a table's id sequence past ids inserted explicitly
// (bulk loads assign ids themselves to avoid a round trip per row).
// SQLite's AUTOINCREMENT follows explicit ids on its own.
func (db *DB) SyncIdentity(ctx context.Context, table string) error {
	if db.engine != Postgres {
		return nil
	}
	_, err := db.exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)`, table, table))
	return err
}

// NextID returns the first free id of a table, for bulk loads that assign ids.
func (db *DB) NextID(ctx context.Context, table string) (int64, error) {
	var id int64
	err := db.queryRow(ctx, fmt.Sprintf(`SELECT COALESCE(MAX(id), 0) + 1 FROM %s`, table)).Scan(&id)
	return id, err
}
