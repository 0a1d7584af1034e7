package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"cmhub/internal/metric"
	"cmhub/internal/platform"
	"cmhub/presets"
)

const metricCols = `id, institution_id, key, name_zh, name_en, unit, aggregation, source_kind, record_type, field,
	conversion, formula, description, active, version, updated_at`

func scanMetric(sc interface{ Scan(...any) error }, m *metric.Metric) error {
	var conv string
	var at platform.Timestamp
	if err := sc.Scan(&m.ID, &m.Institution, &m.Key, &m.NameZh, &m.NameEn, &m.Unit, &m.Aggregation, &m.SourceKind,
		&m.RecordType, &m.Field, &conv, &m.Formula, &m.Description, &m.Active, &m.Version, &at); err != nil {
		return err
	}
	m.UpdatedAt = at.Time
	m.Conversion = nil
	if conv != "" && conv != "{}" {
		if err := json.Unmarshal([]byte(conv), &m.Conversion); err != nil {
			return fmt.Errorf("metric %s conversion: %w", m.Key, err)
		}
	}
	return nil
}

func conversionJSON(c map[string]string) (string, error) {
	if len(c) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(c) // keys sorted: the stored text is canonical
	return string(b), err
}

// ListMetrics returns an institution's metrics in the order they were
// created (a preset's order first), optionally only the active ones.
func (db *DB) ListMetrics(ctx context.Context, institution int64, activeOnly bool) ([]metric.Metric, error) {
	q := `SELECT ` + metricCols + ` FROM metrics WHERE institution_id = ?`
	if activeOnly {
		q += ` AND active`
	}
	rows, err := db.query(ctx, q+` ORDER BY id`, institution)
	if err != nil {
		return nil, fmt.Errorf("list metrics: %w", err)
	}
	defer rows.Close()
	out := []metric.Metric{}
	for rows.Next() {
		var m metric.Metric
		if err := scanMetric(rows, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MetricByKey returns one metric of the institution, or platform.ErrNotFound.
func (db *DB) MetricByKey(ctx context.Context, institution int64, key string) (metric.Metric, error) {
	var m metric.Metric
	err := scanMetric(db.queryRow(ctx, `SELECT `+metricCols+` FROM metrics WHERE institution_id = ? AND key = ?`, institution, key), &m)
	if errors.Is(err, sql.ErrNoRows) {
		return m, platform.ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("metric %s: %w", key, err)
	}
	return m, nil
}

// CreateMetric inserts m as version 1 and sets its ID, Version and UpdatedAt.
func (db *DB) CreateMetric(ctx context.Context, m *metric.Metric) error {
	conv, err := conversionJSON(m.Conversion)
	if err != nil {
		return fmt.Errorf("metric %s conversion: %w", m.Key, err)
	}
	now := platform.TS(db.clock.Now())
	id, err := db.insertID(ctx, `INSERT INTO metrics (institution_id, key, name_zh, name_en, unit, aggregation, source_kind, record_type, field,
		conversion, formula, description, active, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?)`,
		m.Institution, m.Key, m.NameZh, m.NameEn, m.Unit, m.Aggregation, m.SourceKind, m.RecordType, m.Field,
		conv, m.Formula, m.Description, m.Active, now, now)
	if IsUniqueViolation(err) {
		return metric.DuplicateKey(m.Key)
	}
	if err != nil {
		return fmt.Errorf("insert metric %s: %w", m.Key, err)
	}
	m.ID, m.Version, m.UpdatedAt = id, 1, now.Time
	return nil
}

// UpdateMetric writes every editable field of m (not its key) if the
// stored version is still m.Version, and bumps the version.
func (db *DB) UpdateMetric(ctx context.Context, m *metric.Metric) error {
	conv, err := conversionJSON(m.Conversion)
	if err != nil {
		return fmt.Errorf("metric %s conversion: %w", m.Key, err)
	}
	now := platform.TS(db.clock.Now())
	res, err := db.exec(ctx, `UPDATE metrics SET name_zh = ?, name_en = ?, unit = ?, aggregation = ?, source_kind = ?, record_type = ?,
		field = ?, conversion = ?, formula = ?, description = ?, active = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		m.NameZh, m.NameEn, m.Unit, m.Aggregation, m.SourceKind, m.RecordType, m.Field, conv, m.Formula, m.Description, m.Active, now,
		m.ID, m.Version)
	return db.bumped(res, err, m, now)
}

// DeactivateMetric marks m inactive if its stored version is still m.Version.
func (db *DB) DeactivateMetric(ctx context.Context, m *metric.Metric) error {
	now := platform.TS(db.clock.Now())
	res, err := db.exec(ctx, `UPDATE metrics SET active = FALSE, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		now, m.ID, m.Version)
	if err := db.bumped(res, err, m, now); err != nil {
		return err
	}
	m.Active = false
	return nil
}

func (db *DB) bumped(res sql.Result, err error, m *metric.Metric, now platform.Timestamp) error {
	if err != nil {
		return fmt.Errorf("update metric %s: %w", m.Key, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update metric %s: %w", m.Key, err)
	} else if n != 1 {
		return metric.StaleVersion(m.Key)
	}
	m.Version++
	m.UpdatedAt = now.Time
	return nil
}

// SeedMetrics adds a preset's metrics to an institution: those whose key
// it does not have yet, so seeding again (or seeding an institution created
// before the catalogue existed) adds only what is missing. The resulting
// catalogue is checked as a whole first. It must run inside WithTx; the
// caller audits (institution creation does). It returns how many it added.
func (db *DB) SeedMetrics(ctx context.Context, institution int64, defs []presets.MetricDef) (int, error) {
	existing, err := db.ListMetrics(ctx, institution, false)
	if err != nil {
		return 0, err
	}
	have := make(map[string]bool, len(existing))
	for _, m := range existing {
		have[m.Key] = true
	}
	all := existing
	var add []metric.Metric
	for _, d := range defs {
		if have[d.Key] {
			continue
		}
		m := metric.Metric{Institution: institution, Key: d.Key, NameZh: d.NameZh, NameEn: d.NameEn, Unit: d.Unit,
			Aggregation: d.Aggregation, SourceKind: metric.SourceRecord, RecordType: d.RecordType, Field: d.Field,
			Conversion: d.Conversion, Formula: d.Formula, Description: d.Description, Active: true}
		if d.Formula != "" {
			m.SourceKind = metric.SourceFormula
		}
		if err := m.Validate().Err(); err != nil {
			return 0, fmt.Errorf("preset metric %s: %w", d.Key, err)
		}
		have[d.Key] = true
		add = append(add, m)
		all = append(all, m)
	}
	if _, err := metric.NewCatalogue(all); err != nil {
		return 0, fmt.Errorf("preset metrics: %w", err)
	}
	for i := range add {
		if err := db.CreateMetric(ctx, &add[i]); err != nil {
			return 0, err
		}
	}
	return len(add), nil
}
