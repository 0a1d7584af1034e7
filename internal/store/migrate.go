package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered, forward-only schema change.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// forEngine keeps the common part of a migration and the sections marked
// "-- dialect: <engine>" for this engine, and fills in the column types.
func forEngine(e Engine, src string) string {
	var b strings.Builder
	keep := true
	for line := range strings.Lines(src) {
		if d, ok := strings.CutPrefix(strings.TrimSpace(line), "-- dialect:"); ok {
			keep = strings.TrimSpace(d) == string(e)
			continue
		}
		if keep {
			b.WriteString(line)
		}
	}
	return typeMap[e].Replace(b.String())
}

// Migrate applies the migrations not yet applied, each in its own transaction.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := db.w.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		err := db.WithTx(ctx, func(ctx context.Context) error {
			tx, _ := db.mustTx(ctx)
			if _, err := tx.ExecContext(ctx, forEngine(db.engine, m.sql)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, rebind(db.engine, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.version, m.name, time.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// Migrated reports whether every embedded migration has been applied.
func (db *DB) Migrated(ctx context.Context) (bool, error) {
	ms, err := loadMigrations()
	if err != nil {
		return false, err
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		return false, fmt.Errorf("read schema_migrations: %w", err)
	}
	return n == len(ms), nil
}
