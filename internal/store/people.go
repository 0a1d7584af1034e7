package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/people"
	"cmhub/internal/platform"
)

const personCols = `p.id, p.institution_id, p.emp_no, p.name, p.gender, p.id_number, p.phone, p.employment_type,
	p.hired_on, p.probation_end, p.contract_end, r.unit_id, u.name, r.position, r.grade, r.status, r.valid_from`

func scanPerson(sc interface{ Scan(...any) error }, x *people.Person) error {
	return sc.Scan(&x.ID, &x.Institution, &x.EmpNo, &x.Name, &x.Gender, &x.IDNumber, &x.Phone, &x.EmploymentType,
		&x.HiredOn, &x.ProbationEnd, &x.ContractEnd, &x.UnitID, &x.UnitName, &x.Position, &x.Grade, &x.Status, &x.ValidFrom)
}

// peopleQuery writes the shared FROM/WHERE of lists and exports: people
// whose record in force at f.AsOf lies in scope and matches the filter.
// For a limited scope the visible records are found from the scope's units
// (index person_records_unit) rather than by testing every person of the
// institution, which keeps a region's list independent of the branch's size.
func peopleQuery(q *sqlb, s access.Scope, f people.Filter, selectList string) {
	q.add("WITH RECURSIVE ")
	scopeCTE(q, s, f.AsOf)
	q.add(", filter_units(id) AS (SELECT id FROM units WHERE id = ?", f.UnitID)
	q.add(" UNION SELECT up.unit_id FROM unit_parents up JOIN filter_units fu ON up.parent_id = fu.id WHERE up.valid_from <= ? AND ? < up.valid_to)", f.AsOf, f.AsOf)
	q.add(" SELECT " + selectList + " FROM ")
	switch {
	case s.Empty():
		q.add("person_records r JOIN persons p ON p.id = r.person_id JOIN units u ON u.id = r.unit_id WHERE 1 = 0")
	case s.All:
		q.add(`person_records r JOIN persons p ON p.id = r.person_id JOIN units u ON u.id = r.unit_id
			WHERE p.institution_id = ? AND r.valid_from <= ? AND ? < r.valid_to`, s.Institution, f.AsOf, f.AsOf)
	default:
		q.add(`(SELECT r0.id FROM person_records r0 WHERE r0.unit_id IN (SELECT id FROM scope_units) AND r0.valid_from <= ? AND ? < r0.valid_to
			UNION SELECT r1.id FROM person_records r1 WHERE r1.person_id = ? AND r1.valid_from <= ? AND ? < r1.valid_to) v
			JOIN person_records r ON r.id = v.id JOIN persons p ON p.id = r.person_id JOIN units u ON u.id = r.unit_id
			WHERE p.institution_id = ?`, f.AsOf, f.AsOf, s.Self, f.AsOf, f.AsOf, s.Institution)
	}
	if f.UnitID != 0 {
		q.add(" AND r.unit_id IN (SELECT id FROM filter_units)")
	}
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		q.add(` AND (LOWER(p.name) LIKE ? ESCAPE '\' OR LOWER(p.emp_no) LIKE ? ESCAPE '\' OR p.phone LIKE ? ESCAPE '\')`, like, like, like)
	}
	if f.Position != "" {
		q.add(" AND r.position = ?", f.Position)
	}
	if f.Status != "" {
		q.add(" AND r.status = ?", f.Status)
	}
	if f.Grade != "" {
		q.add(" AND r.grade = ?", f.Grade)
	}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

var sortSQL = map[string]string{"empNo": "p.emp_no", "name": "p.name", "hiredOn": "p.hired_on", "position": "r.position", "status": "r.status"}

func orderBy(sort string) string {
	dir := "ASC"
	if strings.HasPrefix(sort, "-") {
		sort, dir = sort[1:], "DESC"
	}
	col, ok := sortSQL[sort]
	if !ok {
		col = "p.emp_no"
	}
	return " ORDER BY " + col + " " + dir + ", p.id"
}

// ListPeople returns a page of people in scope and the total count.
func (db *DB) ListPeople(ctx context.Context, s access.Scope, f people.Filter) ([]people.Person, int, error) {
	var cq sqlb
	peopleQuery(&cq, s, f, "COUNT(*)")
	var total int
	if err := db.queryRow(ctx, cq.String(), cq.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count people: %w", err)
	}
	var q sqlb
	peopleQuery(&q, s, f, personCols)
	q.add(orderBy(f.Sort)+" LIMIT ? OFFSET ?", f.PageSize, (f.Page-1)*f.PageSize)
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	out := []people.Person{}
	for rows.Next() {
		var x people.Person
		if err := scanPerson(rows, &x); err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// EachPerson streams every person in scope matching f, ordered by f.Sort.
func (db *DB) EachPerson(ctx context.Context, s access.Scope, f people.Filter, fn func(*people.Person) error) error {
	var q sqlb
	peopleQuery(&q, s, f, personCols)
	q.add(orderBy(f.Sort))
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return fmt.Errorf("export people: %w", err)
	}
	defer rows.Close()
	var x people.Person
	for rows.Next() {
		if err := scanPerson(rows, &x); err != nil {
			return err
		}
		if err := fn(&x); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Person returns one person in scope with the record in force at asOf
// (or, for someone not yet started, their first record).
func (db *DB) Person(ctx context.Context, s access.Scope, id int64, asOf platform.Date) (people.Person, error) {
	var q sqlb
	q.add("WITH RECURSIVE ")
	scopeCTE(&q, s, asOf)
	q.add(" SELECT " + personCols + " FROM persons p")
	personVisible(&q, s, asOf, "p.id = ?", id)
	var x people.Person
	err := scanPerson(db.queryRow(ctx, q.String(), q.args...), &x)
	if errors.Is(err, sql.ErrNoRows) {
		return x, platform.ErrNotFound
	}
	if err != nil {
		return x, fmt.Errorf("person %d: %w", id, err)
	}
	return x, nil
}

// personVisible writes, after "FROM persons p", the join to the record
// that decides visibility on asOf — the one in force, or for someone not
// yet started their first — and a WHERE of cond plus the scope predicate.
// Person and History share it so they cannot disagree on who is visible.
func personVisible(q *sqlb, s access.Scope, asOf platform.Date, cond string, args ...any) {
	q.add(` JOIN person_records r ON r.id = (SELECT r2.id FROM person_records r2 WHERE r2.person_id = p.id
		ORDER BY CASE WHEN r2.valid_from <= ? THEN 0 ELSE 1 END, CASE WHEN r2.valid_from <= ? THEN r2.valid_from END DESC, r2.valid_from LIMIT 1)
	JOIN units u ON u.id = r.unit_id WHERE `+cond+" AND ", append([]any{asOf, asOf}, args...)...)
	scopeWhere(q, s, "r.unit_id")
}

// History returns every record of a person in scope on asOf, oldest
// first; platform.ErrNotFound when the person is outside it.
func (db *DB) History(ctx context.Context, s access.Scope, personID int64, asOf platform.Date) ([]people.Record, error) {
	var q sqlb
	q.add("WITH RECURSIVE ")
	scopeCTE(&q, s, asOf)
	q.add(` SELECT h.id, h.person_id, h.valid_from, h.valid_to, h.unit_id, hu.name, h.position, h.grade, h.status, h.reason
		FROM person_records h JOIN units hu ON hu.id = h.unit_id
		WHERE h.person_id = ? AND EXISTS (SELECT 1 FROM persons p`, personID)
	personVisible(&q, s, asOf, "p.id = h.person_id")
	q.add(") ORDER BY h.valid_from")
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var out []people.Record
	for rows.Next() {
		var r people.Record
		var to platform.Date
		if err := rows.Scan(&r.ID, &r.PersonID, &r.ValidFrom, &to, &r.UnitID, &r.UnitName, &r.Position, &r.Grade, &r.Status, &r.Reason); err != nil {
			return nil, err
		}
		if !to.IsEndOfTime() {
			last := to.AddDays(-1) // shown as the last day in force
			r.ValidTo = &last
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 { // everyone has a record: none means out of scope
		return nil, platform.ErrNotFound
	}
	return out, nil
}

// CreatePerson inserts a person and their first record.
func (db *DB) CreatePerson(ctx context.Context, x *people.Person, first people.Record) error {
	now := platform.TS(db.clock.Now())
	id, err := db.insertID(ctx, `INSERT INTO persons (institution_id, emp_no, name, gender, id_number, phone, employment_type,
		hired_on, probation_end, contract_end, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		x.Institution, x.EmpNo, x.Name, x.Gender, x.IDNumber, x.Phone, x.EmploymentType, x.HiredOn, x.ProbationEnd, x.ContractEnd, now, now)
	if IsUniqueViolation(err) {
		return platform.Conflict("duplicate", "empNo", fmt.Sprintf("工号 %s 已存在 employee number already exists", x.EmpNo))
	}
	if err != nil {
		return fmt.Errorf("insert person: %w", err)
	}
	x.ID = id
	return db.insertRecord(ctx, id, first)
}

func (db *DB) insertRecord(ctx context.Context, personID int64, r people.Record) error {
	_, err := db.exec(ctx, `INSERT INTO person_records (person_id, unit_id, position, grade, status, valid_from, valid_to, reason, created_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, personID, r.UnitID, r.Position, r.Grade, r.Status, r.ValidFrom, platform.EndOfTime(), r.Reason,
		platform.TS(db.clock.Now()))
	if err != nil {
		return fmt.Errorf("insert record: %w", err)
	}
	return nil
}

// UpdatePerson writes the profile fields.
func (db *DB) UpdatePerson(ctx context.Context, x people.Person) error {
	_, err := db.exec(ctx, `UPDATE persons SET name = ?, gender = ?, id_number = ?, phone = ?, employment_type = ?,
		probation_end = ?, contract_end = ?, updated_at = ? WHERE id = ?`,
		x.Name, x.Gender, x.IDNumber, x.Phone, x.EmploymentType, x.ProbationEnd, x.ContractEnd, platform.TS(db.clock.Now()), x.ID)
	if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	return nil
}

// MovePerson ends the open record at rec.ValidFrom and inserts rec.
func (db *DB) MovePerson(ctx context.Context, personID int64, rec people.Record) error {
	res, err := db.exec(ctx, `UPDATE person_records SET valid_to = ? WHERE person_id = ? AND valid_to = ? AND valid_from < ?`,
		rec.ValidFrom, personID, platform.EndOfTime(), rec.ValidFrom)
	if err != nil {
		return fmt.Errorf("end record: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return platform.Conflict("history", "effectiveFrom", "当前记录已变化，请刷新后重试 the current record changed; reload and retry")
	}
	return db.insertRecord(ctx, personID, rec)
}

// ExistingEmpNos reports which of the employee numbers are taken.
func (db *DB) ExistingEmpNos(ctx context.Context, institution int64, nos []string) (map[string]bool, error) {
	out := map[string]bool{}
	const chunk = 500
	for i := 0; i < len(nos); i += chunk {
		part := nos[i:min(i+chunk, len(nos))]
		args := append([]any{institution}, stringArgs(part)...)
		rows, err := db.query(ctx, "SELECT emp_no FROM persons WHERE institution_id = ? AND emp_no IN ("+placeholders(len(part))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("employee numbers: %w", err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, err
			}
			out[s] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func stringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// PersonIDByEmpNo finds a person by employee number (for the CLI).
func (db *DB) PersonIDByEmpNo(ctx context.Context, institution int64, empNo string) (int64, error) {
	var id int64
	err := db.queryRow(ctx, `SELECT id FROM persons WHERE institution_id = ? AND emp_no = ?`, institution, empNo).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, platform.ErrNotFound
	}
	return id, err
}
