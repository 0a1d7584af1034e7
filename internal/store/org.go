package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cmhub/internal/access"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

// Units returns every unit open at asOf with its parent as of asOf. It is
// read on every request that resolves a scope or a unit path, so it does
// not count heads; Headcounts does that for the organisation page.
func (db *DB) Units(ctx context.Context, institution int64, asOf platform.Date) ([]org.Unit, error) {
	rows, err := db.query(ctx, `SELECT u.id, COALESCE(up.parent_id, 0), u.kind, u.code, u.name, u.name_en, u.opened_on, u.closed_on
		FROM units u
		LEFT JOIN unit_parents up ON up.unit_id = u.id AND up.valid_from <= ? AND ? < up.valid_to
		WHERE u.institution_id = ? AND u.opened_on <= ? AND (u.closed_on IS NULL OR u.closed_on > ?)
		ORDER BY u.id`, asOf, asOf, institution, asOf, asOf)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	defer rows.Close()
	var out []org.Unit
	for rows.Next() {
		u := org.Unit{Institution: institution}
		if err := rows.Scan(&u.ID, &u.ParentID, &u.Kind, &u.Code, &u.Name, &u.NameEn, &u.OpenedOn, &u.ClosedOn); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Headcounts returns the number of people whose record in force at asOf
// sits directly in each unit of the institution.
func (db *DB) Headcounts(ctx context.Context, institution int64, asOf platform.Date) (map[int64]int, error) {
	rows, err := db.query(ctx, `SELECT r.unit_id, COUNT(*) FROM person_records r JOIN units u ON u.id = r.unit_id
		WHERE u.institution_id = ? AND r.valid_from <= ? AND ? < r.valid_to GROUP BY r.unit_id`, institution, asOf, asOf)
	if err != nil {
		return nil, fmt.Errorf("headcounts: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// UnitChain returns the given units and all their ancestors as of asOf,
// walking up the effective-dated tree — enough for org.Tree to answer
// Path and NearestOfKind for those units without reading the whole tree.
func (db *DB) UnitChain(ctx context.Context, institution int64, asOf platform.Date, ids ...int64) ([]org.Unit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := append(int64Args(ids), asOf, asOf, asOf, asOf, institution)
	rows, err := db.query(ctx, `WITH RECURSIVE chain(id, parent_id) AS (
			SELECT up.unit_id, up.parent_id FROM unit_parents up WHERE up.unit_id IN (`+placeholders(len(ids))+`) AND up.valid_from <= ? AND ? < up.valid_to
			UNION
			SELECT up.unit_id, up.parent_id FROM unit_parents up JOIN chain ch ON up.unit_id = ch.parent_id
			WHERE up.valid_from <= ? AND ? < up.valid_to)
		SELECT u.id, COALESCE(ch.parent_id, 0), u.kind, u.code, u.name, u.name_en, u.opened_on, u.closed_on
		FROM chain ch JOIN units u ON u.id = ch.id WHERE u.institution_id = ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("unit chain: %w", err)
	}
	defer rows.Close()
	var out []org.Unit
	for rows.Next() {
		u := org.Unit{Institution: institution}
		if err := rows.Scan(&u.ID, &u.ParentID, &u.Kind, &u.Code, &u.Name, &u.NameEn, &u.OpenedOn, &u.ClosedOn); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Unit returns one unit with its parent as of asOf.
func (db *DB) Unit(ctx context.Context, institution, id int64, asOf platform.Date) (org.Unit, error) {
	u := org.Unit{Institution: institution}
	err := db.queryRow(ctx, `SELECT u.id, COALESCE(up.parent_id, 0), u.kind, u.code, u.name, u.name_en, u.opened_on, u.closed_on
		FROM units u LEFT JOIN unit_parents up ON up.unit_id = u.id AND up.valid_from <= ? AND ? < up.valid_to
		WHERE u.institution_id = ? AND u.id = ?`, asOf, asOf, institution, id).
		Scan(&u.ID, &u.ParentID, &u.Kind, &u.Code, &u.Name, &u.NameEn, &u.OpenedOn, &u.ClosedOn)
	if errors.Is(err, sql.ErrNoRows) {
		return u, platform.ErrNotFound
	}
	return u, err
}

// UnitByCode finds a unit by its code.
func (db *DB) UnitByCode(ctx context.Context, institution int64, code string) (org.Unit, error) {
	var id int64
	err := db.queryRow(ctx, `SELECT id FROM units WHERE institution_id = ? AND code = ?`, institution, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return org.Unit{}, platform.ErrNotFound
	}
	if err != nil {
		return org.Unit{}, err
	}
	return db.Unit(ctx, institution, id, platform.DateOf(db.clock.Now()))
}

// ParentHistory lists where a unit sat in the tree, oldest first.
func (db *DB) ParentHistory(ctx context.Context, unitID int64) ([]org.ParentRecord, error) {
	rows, err := db.query(ctx, `SELECT COALESCE(up.parent_id, 0), COALESCE(p.name, ''), up.valid_from, up.valid_to, up.reason
		FROM unit_parents up LEFT JOIN units p ON p.id = up.parent_id WHERE up.unit_id = ? ORDER BY up.valid_from`, unitID)
	if err != nil {
		return nil, fmt.Errorf("unit history: %w", err)
	}
	defer rows.Close()
	out := []org.ParentRecord{}
	for rows.Next() {
		var r org.ParentRecord
		if err := rows.Scan(&r.ParentID, &r.ParentName, &r.ValidFrom, &r.ValidTo, &r.Reason); err != nil {
			return nil, err
		}
		if r.ValidTo.IsEndOfTime() {
			r.ValidTo = platform.Date{}
		} else {
			r.ValidTo = r.ValidTo.AddDays(-1)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreateUnit inserts a unit and its first place in the tree.
func (db *DB) CreateUnit(ctx context.Context, u *org.Unit) error {
	now := platform.TS(db.clock.Now())
	id, err := db.insertID(ctx, `INSERT INTO units (institution_id, kind, code, name, name_en, opened_on, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?)`, u.Institution, u.Kind, u.Code, u.Name, u.NameEn, u.OpenedOn, now, now)
	if IsUniqueViolation(err) {
		return platform.Conflict("duplicate", "code", fmt.Sprintf("编码 %s 已存在 code already exists", u.Code))
	}
	if err != nil {
		return fmt.Errorf("insert unit: %w", err)
	}
	u.ID = id
	var parent any
	if u.ParentID != 0 {
		parent = u.ParentID
	}
	_, err = db.exec(ctx, `INSERT INTO unit_parents (unit_id, parent_id, valid_from, valid_to, reason) VALUES (?,?,?,?,?)`,
		id, parent, u.OpenedOn, platform.EndOfTime(), "设立 opened")
	return err
}

// UpdateUnitNames writes a unit's names.
func (db *DB) UpdateUnitNames(ctx context.Context, u org.Unit) error {
	_, err := db.exec(ctx, `UPDATE units SET name = ?, name_en = ?, updated_at = ? WHERE id = ?`, u.Name, u.NameEn, platform.TS(db.clock.Now()), u.ID)
	return err
}

// MoveUnit ends the unit's current place in the tree at from and starts the new one.
func (db *DB) MoveUnit(ctx context.Context, unitID, parentID int64, from platform.Date, reason string) error {
	var later int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM unit_parents WHERE unit_id = ? AND valid_from >= ?`, unitID, from).Scan(&later); err != nil {
		return err
	}
	if later > 0 {
		return platform.Conflict("history", "effectiveFrom", "该日期或之后已有调整，不能倒插 a change on or after that date exists")
	}
	res, err := db.exec(ctx, `UPDATE unit_parents SET valid_to = ? WHERE unit_id = ? AND valid_from < ? AND ? < valid_to`, from, unitID, from, from)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return platform.Invalid("effectiveFrom", "该日期时单位不在架构中 the unit is not in the tree on that date")
	}
	_, err = db.exec(ctx, `INSERT INTO unit_parents (unit_id, parent_id, valid_from, valid_to, reason) VALUES (?,?,?,?,?)`,
		unitID, parentID, from, platform.EndOfTime(), reason)
	return err
}

// Stations lists the managers stationed at a channel who are inside the scope.
func (db *DB) Stations(ctx context.Context, s access.Scope, channelID int64) ([]org.Station, error) {
	today := platform.DateOf(db.clock.Now())
	var q sqlb
	q.add("WITH RECURSIVE ")
	scopeCTE(&q, s, today)
	q.add(` SELECT p.id, p.emp_no, p.name, st.valid_from, st.valid_to FROM stations st
		JOIN persons p ON p.id = st.person_id
		JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
		WHERE st.channel_id = ? AND `, today, today, channelID)
	scopeWhere(&q, s, "r.unit_id")
	q.add(" ORDER BY st.valid_from, p.emp_no")
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("stations: %w", err)
	}
	defer rows.Close()
	out := []org.Station{}
	for rows.Next() {
		var st org.Station
		if err := rows.Scan(&st.PersonID, &st.EmpNo, &st.Name, &st.ValidFrom, &st.ValidTo); err != nil {
			return nil, err
		}
		if st.ValidTo.IsEndOfTime() {
			st.ValidTo = platform.Date{}
		} else {
			st.ValidTo = st.ValidTo.AddDays(-1)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// AddStation stations a person at a channel from a date.
func (db *DB) AddStation(ctx context.Context, channelID, personID int64, from platform.Date) error {
	_, err := db.exec(ctx, `INSERT INTO stations (channel_id, person_id, valid_from, valid_to) VALUES (?,?,?,?)`,
		channelID, personID, from, platform.EndOfTime())
	return err
}
