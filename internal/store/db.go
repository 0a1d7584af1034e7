// Package store is cmhub's one persistence adapter: hand-written SQL that
// runs unchanged on SQLite (modernc.org/sqlite, no cgo) and PostgreSQL
// (pgx), embedded forward-only migrations, and the transaction helper.
// Domain packages declare the small interfaces they need; this package
// implements them.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cmhub/internal/platform"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// DB is an open database. On SQLite it holds two pools: one connection
// that writes (SQLite allows one writer) and several that read (WAL lets
// them run beside the writer). On PostgreSQL both are the same pool.
type DB struct {
	engine Engine
	w, r   *sql.DB
	url    string
	clock  platform.Clock
}

// SetClock replaces the clock used for created/updated timestamps (tests, demo).
func (db *DB) SetClock(c platform.Clock) { db.clock = c }

// Open connects to url: "postgres://…" or "postgresql://…" for PostgreSQL,
// otherwise a SQLite file path (optionally "sqlite://path" or "file:path").
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	return &DB{engine: Postgres, w: pool, r: pool, url: dsn, clock: platform.SystemClock{}}, nil
}

// SQLitePath extracts the file path from a SQLite URL form.
func SQLitePath(dsn string) string {
	p := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

func openSQLite(ctx context.Context, dsn string) (*DB, error) {
	path := SQLitePath(dsn)
	if path == "" || path == ":memory:" {
		return nil, errors.New("sqlite: a file path is required (in-memory databases cannot be shared by the reader and writer pools)")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite data directory: %w", err)
		}
	}
	// busy_timeout first, so that the other pragmas wait instead of failing.
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate") // writers take the lock at BEGIN, avoiding upgrade deadlocks
	w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	q.Set("_txlock", "deferred")
	q.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	db := &DB{engine: SQLite, w: w, r: r, url: path, clock: platform.SystemClock{}}
	if err := w.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Engine reports which engine this is.
func (db *DB) Engine() Engine { return db.engine }

// Analyze refreshes the planner's statistics (PostgreSQL's autovacuum does
// this on its own schedule; SQLite only when asked).
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.w.ExecContext(ctx, "ANALYZE")
	return err
}

// Close closes the pools. On SQLite it first lets the planner refresh the
// statistics it needs (PRAGMA optimize, as SQLite recommends at close).
func (db *DB) Close() error {
	if db.engine == SQLite {
		_, _ = db.w.Exec("PRAGMA optimize")
	}
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type txKey struct{}

type txState struct {
	conn *sql.Conn // the connection the transaction runs on (bulk loads use it directly)
	tx   *sql.Tx
}

// txOf returns the transaction ctx carries, if any.
func txOf(ctx context.Context) (*txState, bool) {
	st, ok := ctx.Value(txKey{}).(*txState)
	return st, ok && st != nil
}

// OutsideTx returns ctx without its transaction: store calls made with it
// read committed data through the pool, and may run concurrently (one
// transaction's connection serves one query at a time).
func OutsideTx(ctx context.Context) context.Context {
	if _, ok := txOf(ctx); !ok {
		return ctx
	}
	return context.WithValue(ctx, txKey{}, (*txState)(nil))
}

// WithTx runs fn in a transaction carried by the context; store methods
// called with that context join it. A nested WithTx joins the outer one.
// The outermost call retries fn on serialization failures and busy errors,
// so fn must not have side effects outside the database.
func (db *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := txOf(ctx); ok {
		return fn(ctx)
	}
	const attempts = 5
	var err error
	for i := range attempts {
		if err = db.runTx(ctx, fn); err == nil {
			return nil
		}
		if !isRetryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(i+1) * 20 * time.Millisecond)
	}
	return err
}

func (db *DB) runTx(ctx context.Context, fn func(ctx context.Context) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer func() { _ = conn.Close() }() // returns it to the pool
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	st := &txState{conn: conn, tx: tx}
	if err := fn(context.WithValue(ctx, txKey{}, st)); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// q returns the transaction in ctx, or the read pool.
func (db *DB) q(ctx context.Context) querier {
	if st, ok := txOf(ctx); ok {
		return st.tx
	}
	return db.r
}

// mustTx returns the transaction in ctx; writes must run inside WithTx so
// that their audit entry commits with them.
func (db *DB) mustTx(ctx context.Context) (*sql.Tx, error) {
	if st, ok := txOf(ctx); ok {
		return st.tx, nil
	}
	return nil, errors.New("store: write outside a transaction")
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tx, err := db.mustTx(ctx)
	if err != nil {
		return nil, err
	}
	return tx.ExecContext(ctx, rebind(db.engine, query), args...)
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.q(ctx).QueryContext(ctx, rebind(db.engine, query), args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.q(ctx).QueryRowContext(ctx, rebind(db.engine, query), args...)
}

// insertID inserts and returns the new row's id (both engines support RETURNING).
func (db *DB) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	tx, err := db.mustTx(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, rebind(db.engine, query+" RETURNING id"), args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}
