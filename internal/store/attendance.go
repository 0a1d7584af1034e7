package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

// WorkCalendar returns a stored calendar year, or platform.ErrNotFound.
func (db *DB) WorkCalendar(ctx context.Context, institution int64, year int) (attendance.CalendarDoc, error) {
	var doc attendance.CalendarDoc
	var entries string
	var at platform.Timestamp
	err := db.queryRow(ctx, `SELECT year, entries, version, updated_by, updated_at FROM work_calendars WHERE institution_id = ? AND year = ?`,
		institution, year).Scan(&doc.Year, &entries, &doc.Version, &doc.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return attendance.CalendarDoc{}, platform.ErrNotFound
	}
	if err != nil {
		return attendance.CalendarDoc{}, fmt.Errorf("calendar %d: %w", year, err)
	}
	if err := json.Unmarshal([]byte(entries), &doc.Entries); err != nil {
		return attendance.CalendarDoc{}, fmt.Errorf("calendar %d: %w", year, err)
	}
	doc.UpdatedAt = at.Time
	return doc, nil
}

// SaveWorkCalendar stores doc as the next version if the stored version
// is still doc.Version (0: none yet), and sets doc.Version.
func (db *DB) SaveWorkCalendar(ctx context.Context, institution int64, doc *attendance.CalendarDoc) error {
	b, err := json.Marshal(doc.Entries)
	if err != nil {
		return err
	}
	if doc.Version == 0 {
		if _, err := db.exec(ctx, `INSERT INTO work_calendars (institution_id, year, entries, version, updated_by, updated_at) VALUES (?,?,?,1,?,?)`,
			institution, doc.Year, string(b), doc.UpdatedBy, platform.TS(doc.UpdatedAt)); err != nil {
			if IsUniqueViolation(err) {
				return platform.Conflict("stale", "version", "日历已被他人修改，请刷新 the calendar was changed meanwhile; reload")
			}
			return fmt.Errorf("save calendar: %w", err)
		}
		doc.Version = 1
		return nil
	}
	res, err := db.exec(ctx, `UPDATE work_calendars SET entries = ?, version = version + 1, updated_by = ?, updated_at = ?
		WHERE institution_id = ? AND year = ? AND version = ?`, string(b), doc.UpdatedBy, platform.TS(doc.UpdatedAt), institution, doc.Year, doc.Version)
	if err != nil {
		return fmt.Errorf("save calendar: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return platform.Conflict("stale", "version", "日历已被他人修改，请刷新 the calendar was changed meanwhile; reload")
	}
	doc.Version++
	return nil
}

type attendanceRulesBody struct {
	Rules      attendance.Rules       `json:"rules"`
	LeaveTypes []attendance.LeaveType `json:"leaveTypes"`
}

// AttendanceRuleSet returns the attendance rules in force (the latest
// version), or platform.ErrNotFound when none was stored.
func (db *DB) AttendanceRuleSet(ctx context.Context, institution int64) (attendance.RuleSetDoc, error) {
	var doc attendance.RuleSetDoc
	var body string
	var at platform.Timestamp
	err := db.queryRow(ctx, `SELECT version, body, note, created_by, created_at FROM attendance_rule_sets
		WHERE institution_id = ? ORDER BY version DESC LIMIT 1`, institution).Scan(&doc.Version, &body, &doc.Note, &doc.CreatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return attendance.RuleSetDoc{}, platform.ErrNotFound
	}
	if err != nil {
		return attendance.RuleSetDoc{}, fmt.Errorf("attendance rules: %w", err)
	}
	var b attendanceRulesBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return attendance.RuleSetDoc{}, fmt.Errorf("attendance rules v%d: %w", doc.Version, err)
	}
	t := at.Time
	doc.Rules, doc.LeaveTypes, doc.CreatedAt = b.Rules, b.LeaveTypes, &t
	return doc, nil
}

// SaveAttendanceRuleSet stores doc as the next version and sets its
// version and time.
func (db *DB) SaveAttendanceRuleSet(ctx context.Context, institution int64, doc *attendance.RuleSetDoc) error {
	body, err := json.Marshal(attendanceRulesBody{Rules: doc.Rules, LeaveTypes: doc.LeaveTypes})
	if err != nil {
		return err
	}
	var last sql.NullInt64
	if err := db.queryRow(ctx, `SELECT MAX(version) FROM attendance_rule_sets WHERE institution_id = ?`, institution).Scan(&last); err != nil {
		return fmt.Errorf("attendance rules: %w", err)
	}
	doc.Version = int(last.Int64) + 1
	now := db.clock.Now()
	doc.CreatedAt = &now
	if _, err := db.exec(ctx, `INSERT INTO attendance_rule_sets (institution_id, version, body, note, created_by, created_at) VALUES (?,?,?,?,?,?)`,
		institution, doc.Version, string(body), doc.Note, doc.CreatedBy, platform.TS(now)); err != nil {
		return fmt.Errorf("save attendance rules: %w", err)
	}
	return nil
}

// AttendancePeople lists the people inside the scope whose record in
// force on asOf places them under unit (0: anywhere in the scope), by
// employee number, a page at a time, with the total and each person's
// employment dates (leaving: the day before their first terminated record).
func (db *DB) AttendancePeople(ctx context.Context, sc access.Scope, asOf platform.Date, q attendance.PeopleQuery) ([]attendance.Member, int, error) {
	unit := q.Unit
	var b sqlb
	b.add("WITH RECURSIVE ")
	scopeCTE(&b, sc, asOf)
	b.add(", under_unit(id) AS (SELECT id FROM units WHERE id = ? AND institution_id = ?", unit, sc.Institution)
	b.add(" UNION SELECT up.unit_id FROM unit_parents up JOIN under_unit u ON up.parent_id = u.id WHERE up.valid_from <= ? AND ? < up.valid_to)", asOf, asOf)
	b.add(` SELECT p.id, p.emp_no, p.name, r.unit_id, r.position, p.hired_on,
		(SELECT MIN(t.valid_from) FROM person_records t WHERE t.person_id = p.id AND t.status = 'terminated'), COUNT(*) OVER ()
		FROM persons p JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
		WHERE r.status <> 'terminated' AND `, asOf, asOf)
	scopeWhere(&b, sc, "r.unit_id")
	if unit != 0 {
		b.add(" AND r.unit_id IN (SELECT id FROM under_unit)")
	}
	if q.Person != 0 {
		b.add(" AND p.id = ?", q.Person)
	}
	b.add(" ORDER BY p.emp_no")
	if q.Limit > 0 {
		b.add(" LIMIT ? OFFSET ?", q.Limit, q.Offset)
	}
	rows, err := db.query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("attendance people: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []attendance.Member{}
	total := 0
	for rows.Next() {
		var m attendance.Member
		var left platform.Date
		if err := rows.Scan(&m.PersonID, &m.EmpNo, &m.Name, &m.UnitID, &m.Position, &m.HiredOn, &left, &total); err != nil {
			return nil, 0, err
		}
		if !left.IsZero() {
			m.LeftOn = left.AddDays(-1)
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// UpsertAttendanceRecords stores records, replacing a person's record of
// the same day and source: 500 rows a statement, as a punch-clock file
// holds a whole month of a branch.
func (db *DB) UpsertAttendanceRecords(ctx context.Context, institution int64, rs []attendance.Record, by string, at time.Time) error {
	const row = "(?,?,?,?,?,?,?,?,?,?)"
	for chunk := range chunks(rs, 500) {
		var b sqlb
		b.add("INSERT INTO attendance_records (institution_id, person_id, day, source, in_time, out_time, status, note, recorded_by, recorded_at) VALUES ")
		for i, r := range chunk {
			if i > 0 {
				b.add(",")
			}
			b.add(row, institution, r.PersonID, r.Date, string(r.Source), r.In.String(), r.Out.String(), string(r.Status), r.Note, by, platform.TS(at))
		}
		b.add(` ON CONFLICT (person_id, day, source) DO UPDATE SET in_time = excluded.in_time, out_time = excluded.out_time, status = excluded.status,
			note = excluded.note, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`)
		if _, err := db.exec(ctx, b.String(), b.args...); err != nil {
			return fmt.Errorf("attendance records: %w", err)
		}
	}
	return nil
}

// AttendanceRecords returns the records of the people from one day to
// another, by person and day.
func (db *DB) AttendanceRecords(ctx context.Context, institution int64, people []int64, from, to platform.Date) ([]attendance.Record, error) {
	out := []attendance.Record{}
	for chunk := range chunks(people, 500) {
		rows, err := db.query(ctx, `SELECT person_id, day, source, in_time, out_time, status, note FROM attendance_records
			WHERE institution_id = ? AND day >= ? AND day <= ? AND person_id IN (`+placeholders(len(chunk))+`) ORDER BY person_id, day, source`,
			append([]any{institution, from, to}, int64Args(chunk)...)...)
		if err != nil {
			return nil, fmt.Errorf("attendance records: %w", err)
		}
		for rows.Next() {
			var r attendance.Record
			var src, in, out2, status string
			if err := rows.Scan(&r.PersonID, &r.Date, &src, &in, &out2, &status, &r.Note); err != nil {
				_ = rows.Close()
				return nil, err
			}
			r.Source, r.Status = attendance.Source(src), attendance.Status(status)
			if in != "" {
				if r.In, err = attendance.ParseTimeOfDay(in); err != nil {
					_ = rows.Close()
					return nil, fmt.Errorf("attendance record %d %s: %w", r.PersonID, r.Date, err)
				}
			}
			if out2 != "" {
				if r.Out, err = attendance.ParseTimeOfDay(out2); err != nil {
					_ = rows.Close()
					return nil, fmt.Errorf("attendance record %d %s: %w", r.PersonID, r.Date, err)
				}
			}
			out = append(out, r)
		}
		err = rows.Err()
		_ = rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
