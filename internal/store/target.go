package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cmhub/internal/access"
	"cmhub/internal/platform"
	"cmhub/internal/target"
)

const targetCols = `t.id, t.institution_id, t.period_key, t.metric_key, COALESCE(t.unit_id, 0), COALESCE(t.person_id, 0),
	t.measure_unit, t.value, t.note, t.version, t.set_by, t.set_by_id, t.set_at`

func scanTarget(sc interface{ Scan(...any) error }, t *target.Target, extra ...any) error {
	var at platform.Timestamp
	dst := append([]any{&t.ID, &t.Institution, &t.Period, &t.Metric, &t.UnitID, &t.PersonID,
		&t.Unit, &t.Value, &t.Note, &t.Version, &t.SetBy, &t.SetByID, &at}, extra...)
	if err := sc.Scan(dst...); err != nil {
		return err
	}
	t.SetAt = at.Time
	return nil
}

// targetUnitsCTE writes "target_units(id) AS (…)": the given units and,
// with subtree, every unit below them on asOf. Call it inside a WITH
// RECURSIVE list.
func targetUnitsCTE(q *sqlb, institution int64, units []int64, subtree bool, asOf platform.Date) {
	q.add("target_units(id) AS (SELECT id FROM units WHERE institution_id = ? AND id IN ("+placeholders(len(units))+")",
		append([]any{institution}, int64Args(units)...)...)
	if subtree {
		q.add(" UNION SELECT up.unit_id FROM unit_parents up JOIN target_units tu ON up.parent_id = tu.id WHERE up.valid_from <= ? AND ? < up.valid_to", asOf, asOf)
	}
	q.add(")")
}

// TargetMembers returns the people inside scope whose record in force on
// asOf lies in one of units (with subtree, or anywhere below one), by
// employee number.
func (db *DB) TargetMembers(ctx context.Context, s access.Scope, institution int64, units []int64, subtree bool, asOf platform.Date) ([]target.Member, error) {
	out := []target.Member{}
	for part := range chunks(units, 500) {
		var q sqlb
		q.add("WITH RECURSIVE ")
		scopeCTE(&q, s, asOf)
		q.add(", ")
		targetUnitsCTE(&q, institution, part, subtree, asOf)
		q.add(` SELECT p.id, p.emp_no, p.name, r.unit_id, r.position, r.status FROM person_records r JOIN persons p ON p.id = r.person_id
			WHERE r.unit_id IN (SELECT id FROM target_units) AND r.valid_from <= ? AND ? < r.valid_to AND `, asOf, asOf)
		scopeWhere(&q, s, "r.unit_id")
		q.add(" ORDER BY p.emp_no, p.id")
		rows, err := db.query(ctx, q.String(), q.args...)
		if err != nil {
			return nil, fmt.Errorf("target members: %w", err)
		}
		for rows.Next() {
			var m target.Member
			if err := rows.Scan(&m.PersonID, &m.EmpNo, &m.Name, &m.UnitID, &m.Position, &m.Status); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TargetMember returns one person inside scope with their record in force
// on asOf, or platform.ErrNotFound.
func (db *DB) TargetMember(ctx context.Context, s access.Scope, personID int64, asOf platform.Date) (target.Member, error) {
	var q sqlb
	q.add("WITH RECURSIVE ")
	scopeCTE(&q, s, asOf)
	q.add(` SELECT p.id, p.emp_no, p.name, r.unit_id, r.position, r.status FROM person_records r JOIN persons p ON p.id = r.person_id
		WHERE p.id = ? AND r.valid_from <= ? AND ? < r.valid_to AND `, personID, asOf, asOf)
	scopeWhere(&q, s, "r.unit_id")
	var m target.Member
	err := db.queryRow(ctx, q.String(), q.args...).Scan(&m.PersonID, &m.EmpNo, &m.Name, &m.UnitID, &m.Position, &m.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return m, platform.ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("target member %d: %w", personID, err)
	}
	return m, nil
}

// Targets returns every unit target of the institution, period and metric
// (every metric when sel.Metric is empty), and the personal targets of the
// people inside scope whose record in force on sel.AsOf lies in sel.Units
// (or below them, with sel.Subtree), each with that unit as PersonUnitID.
// Unit targets come first, by unit; then personal targets by person.
func (db *DB) Targets(ctx context.Context, s access.Scope, sel target.Selection) ([]target.Target, error) {
	out := []target.Target{}
	var q sqlb
	q.add(`SELECT `+targetCols+` FROM targets t WHERE t.institution_id = ? AND t.period_key = ? AND t.unit_id IS NOT NULL`, sel.Institution, sel.Period)
	if sel.Metric != "" {
		q.add(" AND t.metric_key = ?", sel.Metric)
	}
	q.add(" ORDER BY t.unit_id, t.metric_key")
	if err := db.scanTargets(ctx, &q, &out, false); err != nil {
		return nil, err
	}
	if s.Institution != sel.Institution {
		return out, nil // another institution's scope sees no one
	}
	for part := range chunks(sel.Units, 500) {
		var q sqlb
		q.add("WITH RECURSIVE ")
		scopeCTE(&q, s, sel.AsOf)
		q.add(", ")
		targetUnitsCTE(&q, sel.Institution, part, sel.Subtree, sel.AsOf)
		q.add(` SELECT `+targetCols+`, r.unit_id FROM targets t JOIN persons p ON p.id = t.person_id
			JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
			WHERE t.institution_id = ? AND t.period_key = ? AND t.person_id IS NOT NULL`, sel.AsOf, sel.AsOf, sel.Institution, sel.Period)
		if sel.Metric != "" {
			q.add(" AND t.metric_key = ?", sel.Metric)
		}
		q.add(" AND r.unit_id IN (SELECT id FROM target_units) AND ")
		scopeWhere(&q, s, "r.unit_id")
		q.add(" ORDER BY t.person_id, t.metric_key")
		if err := db.scanTargets(ctx, &q, &out, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) scanTargets(ctx context.Context, q *sqlb, out *[]target.Target, personal bool) error {
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t target.Target
		var extra []any
		if personal {
			extra = []any{&t.PersonUnitID}
		}
		if err := scanTarget(rows, &t, extra...); err != nil {
			return err
		}
		*out = append(*out, t)
	}
	return rows.Err()
}

// LockTargets bumps the lock row of an institution, period and metric;
// its row lock queues other writers until this transaction ends.
func (db *DB) LockTargets(ctx context.Context, institution int64, period, metricKey string) error {
	_, err := db.exec(ctx, `INSERT INTO target_locks (institution_id, period_key, metric_key, writes) VALUES (?,?,?,1)
		ON CONFLICT (institution_id, period_key, metric_key) DO UPDATE SET writes = target_locks.writes + 1`, institution, period, metricKey)
	if err != nil {
		return fmt.Errorf("lock targets: %w", err)
	}
	return nil
}

// SaveTargets inserts new targets and updates existing ones (matched by
// institution, period, metric and subject), bumping their version, in one
// multi-row upsert per kind of subject and chunk of 200. It sets each
// target's ID, Version and SetAt.
func (db *DB) SaveTargets(ctx context.Context, ts []*target.Target) error {
	tx, err := db.mustTx(ctx)
	if err != nil {
		return err
	}
	now := platform.TS(db.clock.Now())
	var units, persons []*target.Target
	for _, t := range ts {
		if t.PersonID != 0 {
			persons = append(persons, t)
		} else {
			units = append(units, t)
		}
	}
	for _, group := range []struct {
		ts  []*target.Target
		col string
	}{{units, "unit_id"}, {persons, "person_id"}} {
		for part := range chunks(group.ts, 200) {
			var q sqlb
			q.add(`INSERT INTO targets (institution_id, period_key, metric_key, unit_id, person_id, measure_unit, value, note,
				version, set_by, set_by_id, set_at, created_at) VALUES `)
			type key struct {
				period, metric string
				subject        int64
			}
			byKey := make(map[key]*target.Target, len(part))
			for i, t := range part {
				if i > 0 {
					q.add(",")
				}
				q.add("(?,?,?,?,?,?,?,?,1,?,?,?,?)", t.Institution, t.Period, t.Metric, nullID(t.UnitID), nullID(t.PersonID),
					t.Unit, t.Value, t.Note, t.SetBy, t.SetByID, now, now)
				byKey[key{t.Period, t.Metric, t.UnitID + t.PersonID}] = t
			}
			q.add(` ON CONFLICT (institution_id, period_key, metric_key, ` + group.col + `) WHERE ` + group.col + ` IS NOT NULL
				DO UPDATE SET measure_unit = excluded.measure_unit, value = excluded.value, note = excluded.note,
				version = targets.version + 1, set_by = excluded.set_by, set_by_id = excluded.set_by_id, set_at = excluded.set_at
				RETURNING id, period_key, metric_key, ` + group.col + `, version`)
			rows, err := tx.QueryContext(ctx, rebind(db.engine, q.String()), q.args...)
			if err != nil {
				return fmt.Errorf("save targets: %w", err)
			}
			for rows.Next() {
				var id int64
				var k key
				var version int
				if err := rows.Scan(&id, &k.period, &k.metric, &k.subject, &version); err != nil {
					rows.Close()
					return err
				}
				if t := byKey[k]; t != nil {
					t.ID, t.Version, t.SetAt = id, version, now.Time
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("save targets: %w", err)
			}
		}
	}
	return nil
}

// DeleteTarget removes t if its stored version is still t.Version.
func (db *DB) DeleteTarget(ctx context.Context, t target.Target) error {
	res, err := db.exec(ctx, `DELETE FROM targets WHERE id = ? AND version = ?`, t.ID, t.Version)
	if err != nil {
		return fmt.Errorf("delete target: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete target: %w", err)
	} else if n != 1 {
		return platform.Conflict("stale", "version", "目标已被他人修改，请刷新后重试 changed by someone else; reload and retry")
	}
	return nil
}

// TargetRules returns the stored decomposition rules of an institution by metric key.
func (db *DB) TargetRules(ctx context.Context, institution int64) (map[string]target.Rule, error) {
	rows, err := db.query(ctx, `SELECT metric_key, mode, version, updated_by, updated_at FROM target_rules WHERE institution_id = ?`, institution)
	if err != nil {
		return nil, fmt.Errorf("target rules: %w", err)
	}
	defer rows.Close()
	out := map[string]target.Rule{}
	for rows.Next() {
		var r target.Rule
		var at platform.Timestamp
		if err := rows.Scan(&r.Metric, &r.Mode, &r.Version, &r.UpdatedBy, &at); err != nil {
			return nil, err
		}
		r.UpdatedAt = at.Time
		out[r.Metric] = r
	}
	return out, rows.Err()
}

// SaveTargetRule inserts or updates a metric's rule, bumping its version;
// it sets r.Version and r.UpdatedAt.
func (db *DB) SaveTargetRule(ctx context.Context, institution int64, r *target.Rule) error {
	tx, err := db.mustTx(ctx)
	if err != nil {
		return err
	}
	now := platform.TS(db.clock.Now())
	err = tx.QueryRowContext(ctx, rebind(db.engine, `INSERT INTO target_rules (institution_id, metric_key, mode, version, updated_by, updated_at)
		VALUES (?,?,?,1,?,?) ON CONFLICT (institution_id, metric_key) DO UPDATE SET mode = excluded.mode,
		version = target_rules.version + 1, updated_by = excluded.updated_by, updated_at = excluded.updated_at RETURNING version`),
		institution, r.Metric, r.Mode, r.UpdatedBy, now).Scan(&r.Version)
	if err != nil {
		return fmt.Errorf("save target rule %s: %w", r.Metric, err)
	}
	r.UpdatedAt, r.Default = now.Time, false
	return nil
}

// TargetMetrics returns the keys of the metrics with at least one target
// in one of periods, sorted.
func (db *DB) TargetMetrics(ctx context.Context, institution int64, periods []string) ([]string, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, `SELECT DISTINCT metric_key FROM targets WHERE institution_id = ? AND period_key IN (`+placeholders(len(periods))+`)
		ORDER BY metric_key`, append([]any{institution}, stringArgs(periods)...)...)
	if err != nil {
		return nil, fmt.Errorf("target metrics: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
