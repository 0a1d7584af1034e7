// Package storetest opens fresh databases for tests on every engine.
//
// SQLite always runs. PostgreSQL runs against CMHUB_TEST_PG (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable), each test
// in its own schema that is dropped afterwards. When PostgreSQL cannot be
// reached the PostgreSQL subtests are skipped — except with CI=true, where
// that is a failure. CMHUB_TEST_ENGINES=sqlite (or postgres) restricts the
// run to one engine.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"

	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver, for creating schemas

	"cmhub/internal/store"
)

// PGURL is the PostgreSQL server used by tests.
func PGURL() string {
	if u := os.Getenv("CMHUB_TEST_PG"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Engines lists the engines this run covers.
func Engines() []store.Engine {
	switch os.Getenv("CMHUB_TEST_ENGINES") {
	case "sqlite":
		return []store.Engine{store.SQLite}
	case "postgres":
		return []store.Engine{store.Postgres}
	}
	return []store.Engine{store.SQLite, store.Postgres}
}

// Each runs fn as a subtest on a fresh, migrated database of every engine.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh migrated database of engine e, closed at cleanup.
func Open(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	dsn := URL(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return db
}

// URL returns the URL of a fresh, empty database of engine e (a file in a
// temporary directory, or a new PostgreSQL schema) removed at cleanup.
func URL(t testing.TB, e store.Engine) string {
	t.Helper()
	if e == store.SQLite {
		return filepath.Join(t.TempDir(), "cmhub.db")
	}
	base := PGURL()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if admin != nil {
			_ = admin.Close()
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI but unreachable at %s: %v", base, err)
		}
		t.Skipf("PostgreSQL unreachable at %s (%v); set CMHUB_TEST_PG or run with CMHUB_TEST_ENGINES=sqlite", base, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		_ = admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CMHUB_TEST_PG: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
