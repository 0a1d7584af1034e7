package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/cycle"
	"cmhub/internal/platform"
)

// AssessRuleSet returns the institution's rules in force (the latest
// version), or platform.ErrNotFound when none was ever stored.
func (db *DB) AssessRuleSet(ctx context.Context, institution int64) (cycle.RuleSet, error) {
	var rs cycle.RuleSet
	var body string
	var at platform.Timestamp
	err := db.queryRow(ctx, `SELECT version, body, note, created_by, created_at FROM assess_rule_sets
		WHERE institution_id = ? ORDER BY version DESC LIMIT 1`, institution).Scan(&rs.Version, &body, &rs.Note, &rs.CreatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return cycle.RuleSet{}, platform.ErrNotFound
	}
	if err != nil {
		return cycle.RuleSet{}, fmt.Errorf("assessment rules: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &rs.Rules); err != nil {
		return cycle.RuleSet{}, fmt.Errorf("assessment rules v%d: %w", rs.Version, err)
	}
	rs.CreatedAt = at.Time
	return rs, nil
}

// SaveAssessRuleSet stores rs as the next version and sets rs.Version.
func (db *DB) SaveAssessRuleSet(ctx context.Context, institution int64, rs *cycle.RuleSet) error {
	body, err := json.Marshal(rs.Rules)
	if err != nil {
		return err
	}
	var last sql.NullInt64
	if err := db.queryRow(ctx, `SELECT MAX(version) FROM assess_rule_sets WHERE institution_id = ?`, institution).Scan(&last); err != nil {
		return fmt.Errorf("assessment rules: %w", err)
	}
	rs.Version = int(last.Int64) + 1
	rs.CreatedAt = db.clock.Now()
	if _, err := db.exec(ctx, `INSERT INTO assess_rule_sets (institution_id, version, body, note, created_by, created_at) VALUES (?,?,?,?,?,?)`,
		institution, rs.Version, string(body), rs.Note, rs.CreatedBy, platform.TS(rs.CreatedAt)); err != nil {
		return fmt.Errorf("save assessment rules: %w", err)
	}
	return nil
}

// AssessPeople returns every person of the institution with their record
// in force on asOf: the organisation a cycle resolves raters from.
func (db *DB) AssessPeople(ctx context.Context, institution int64, asOf platform.Date) ([]assess.Person, error) {
	rows, err := db.query(ctx, `SELECT p.id, p.emp_no, p.name, r.unit_id, r.position, r.status, p.hired_on, r.grade
		FROM person_records r JOIN persons p ON p.id = r.person_id
		WHERE p.institution_id = ? AND r.valid_from <= ? AND ? < r.valid_to ORDER BY p.id`, institution, asOf, asOf)
	if err != nil {
		return nil, fmt.Errorf("assessment people: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []assess.Person
	for rows.Next() {
		var p assess.Person
		if err := rows.Scan(&p.ID, &p.EmpNo, &p.Name, &p.UnitID, &p.Position, &p.Status, &p.HiredOn, &p.Grade); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const cycleCols = `id, institution_id, period_key, kind, as_of, state, rule_version, rules, gaps, subjects, sheets, note,
	opened_by, opened_at, computed_at, updated_at, version`

func scanCycle(sc interface{ Scan(...any) error }) (cycle.Cycle, error) {
	var c cycle.Cycle
	var rules, gaps string
	var opened, computed, updated platform.Timestamp
	if err := sc.Scan(&c.ID, &c.Institution, &c.Period, &c.Kind, &c.AsOf, &c.State, &c.RuleVersion, &rules, &gaps,
		&c.Subjects, &c.Sheets, &c.Note, &c.OpenedBy, &opened, &computed, &updated, &c.Version); err != nil {
		return c, err
	}
	c.Rules = json.RawMessage(rules)
	if err := json.Unmarshal([]byte(gaps), &c.Gaps); err != nil {
		return c, fmt.Errorf("cycle %d gaps: %w", c.ID, err)
	}
	c.OpenedAt, c.UpdatedAt = opened.Time, updated.Time
	if !computed.IsZero() {
		t := computed.Time
		c.ComputedAt = &t
	}
	return c, nil
}

// CreateCycle inserts c and sets its ID. A second cycle for the same
// period is a conflict.
func (db *DB) CreateCycle(ctx context.Context, c *cycle.Cycle) error {
	gaps, err := json.Marshal(c.Gaps)
	if err != nil {
		return err
	}
	now := platform.TS(db.clock.Now())
	id, err := db.insertID(ctx, `INSERT INTO assess_cycles (institution_id, period_key, kind, as_of, state, rule_version, rules, gaps,
		subjects, sheets, note, opened_by, opened_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)`,
		c.Institution, c.Period, string(c.Kind), c.AsOf, c.State, c.RuleVersion, string(c.Rules), string(gaps),
		c.Subjects, c.Sheets, c.Note, c.OpenedBy, now, now)
	if IsUniqueViolation(err) {
		return platform.Conflict("duplicate", "period", fmt.Sprintf("期间 %s 已有考核周期 a cycle for %s already exists", c.Period, c.Period))
	}
	if err != nil {
		return fmt.Errorf("create cycle: %w", err)
	}
	c.ID, c.Version, c.OpenedAt, c.UpdatedAt = id, 1, now.Time, now.Time
	return nil
}

// Cycles returns the institution's cycles, newest period first.
func (db *DB) Cycles(ctx context.Context, institution int64) ([]cycle.Cycle, error) {
	rows, err := db.query(ctx, `SELECT `+cycleCols+` FROM assess_cycles WHERE institution_id = ? ORDER BY as_of DESC, id DESC`, institution)
	if err != nil {
		return nil, fmt.Errorf("cycles: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []cycle.Cycle{}
	for rows.Next() {
		c, err := scanCycle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Cycle returns one cycle of the institution; with lock (inside WithTx)
// it also makes other writers of the cycle wait until the transaction ends.
func (db *DB) Cycle(ctx context.Context, institution, id int64, lock bool) (cycle.Cycle, error) {
	q := `SELECT ` + cycleCols + ` FROM assess_cycles WHERE institution_id = ? AND id = ?`
	if lock && db.engine == Postgres {
		q += " FOR UPDATE"
	}
	c, err := scanCycle(db.queryRow(ctx, q, institution, id))
	if errors.Is(err, sql.ErrNoRows) {
		return cycle.Cycle{}, platform.ErrNotFound
	}
	if err != nil {
		return cycle.Cycle{}, fmt.Errorf("cycle %d: %w", id, err)
	}
	return c, nil
}

// UpdateCycle writes c's state, note, counts and computed time if its
// stored version is still c.Version, and bumps the version.
func (db *DB) UpdateCycle(ctx context.Context, c *cycle.Cycle) error {
	var computed any
	if c.ComputedAt != nil {
		computed = platform.TS(*c.ComputedAt)
	}
	now := platform.TS(db.clock.Now())
	res, err := db.exec(ctx, `UPDATE assess_cycles SET state = ?, note = ?, subjects = ?, sheets = ?, computed_at = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`, c.State, c.Note, c.Subjects, c.Sheets, computed, now, c.ID, c.Version)
	if err != nil {
		return fmt.Errorf("update cycle: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return platform.Conflict("stale", "version", "周期已被他人修改，请刷新 the cycle was changed by someone else; reload")
	}
	c.Version++
	c.UpdatedAt = now.Time
	return nil
}

// InsertAssessSubjects bulk-loads the subjects of a cycle.
func (db *DB) InsertAssessSubjects(ctx context.Context, cycleID int64, subjects []cycle.SubjectRow) error {
	i := 0
	_, err := db.BulkInsert(ctx, "assess_subjects",
		[]string{"cycle_id", "subject_kind", "subject_id", "scheme", "unit_id", "team_id", "region_id", "branch_id", "position"},
		func() ([]any, error) {
			if i == len(subjects) {
				return nil, io.EOF
			}
			s := subjects[i]
			i++
			return []any{cycleID, s.Kind, s.ID, s.Scheme, s.UnitID, s.TeamID, s.RegionID, s.BranchID, s.Position}, nil
		})
	return err
}

// InsertAssessSheets bulk-loads one pending sheet per rater and subject.
func (db *DB) InsertAssessSheets(ctx context.Context, cycleID int64, sheets iter.Seq[assess.SheetRef]) (int64, error) {
	next, stop := iter.Pull(sheets)
	defer stop()
	return db.BulkInsert(ctx, "assess_sheets", []string{"cycle_id", "subject_kind", "subject_id", "grp", "rater_id"},
		func() ([]any, error) {
			r, ok := next()
			if !ok {
				return nil, io.EOF
			}
			kind, id := cycle.KindPerson, r.Subject.PersonID
			if r.Subject.UnitID != 0 {
				kind, id = cycle.KindTeam, r.Subject.UnitID
			}
			return []any{cycleID, kind, id, r.Group, r.Rater}, nil
		})
}

// subjectName is the display name of a subject (a person or a team).
const subjectNameSQL = `CASE WHEN s.subject_kind = 'person' THEN (SELECT name FROM persons WHERE id = s.subject_id)
	ELSE (SELECT name FROM units WHERE id = s.subject_id) END`

const subjectEmpNoSQL = `CASE WHEN s.subject_kind = 'person' THEN (SELECT emp_no FROM persons WHERE id = s.subject_id) ELSE '' END`

// AssessSheets returns the sheets q selects with the subject's name and
// unit, by subject then group.
func (db *DB) AssessSheets(ctx context.Context, q cycle.SheetQuery) ([]cycle.Sheet, error) {
	var b sqlb
	if q.Scope != nil {
		b.add("WITH RECURSIVE ")
		scopeCTE(&b, *q.Scope, q.AsOf)
	}
	b.add(`SELECT h.id, h.cycle_id, h.subject_kind, h.subject_id, h.grp, h.rater_id, h.state, h.points, h.rated_total, h.remark,
		h.reopened, h.saved_at, h.submitted_at, h.version, `+subjectNameSQL+`, `+subjectEmpNoSQL+`,
		COALESCE((SELECT name FROM persons WHERE id = h.rater_id), ''), s.scheme, s.unit_id
		FROM assess_sheets h JOIN assess_subjects s ON s.cycle_id = h.cycle_id AND s.subject_kind = h.subject_kind AND s.subject_id = h.subject_id
		JOIN assess_cycles c ON c.id = h.cycle_id WHERE c.institution_id = ?`, q.Institution)
	if q.Cycle == 0 && q.Rater == 0 {
		return nil, errors.New("store: sheets need a cycle or a rater")
	}
	if q.Cycle != 0 {
		b.add(" AND h.cycle_id = ?", q.Cycle)
	}
	if q.Rater != 0 {
		b.add(" AND h.rater_id = ?", q.Rater)
	}
	if q.SubjectKind != "" {
		b.add(" AND h.subject_kind = ? AND h.subject_id = ?", q.SubjectKind, q.SubjectID)
	}
	if len(q.States) > 0 {
		b.add(" AND h.state IN ("+placeholders(len(q.States))+")", stringArgs(q.States)...)
	}
	if q.Scope != nil {
		resultScope(&b, *q.Scope)
	}
	b.add(" ORDER BY h.cycle_id DESC, h.subject_kind, h.subject_id, h.grp, h.rater_id")
	if q.Limit > 0 {
		b.add(" LIMIT ?", q.Limit)
	}
	rows, err := db.query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("sheets: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []cycle.Sheet{}
	for rows.Next() {
		s, err := scanSheet(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func scanSheet(sc interface{ Scan(...any) error }) (cycle.Sheet, error) {
	var s cycle.Sheet
	var points string
	var saved, submitted platform.Timestamp
	if err := sc.Scan(&s.ID, &s.CycleID, &s.SubjectKind, &s.SubjectID, &s.Group, &s.RaterID, &s.State, &points, &s.RatedTotal,
		&s.Remark, &s.Reopened, &saved, &submitted, &s.Version, &s.SubjectName, &s.SubjectEmpNo, &s.RaterName, &s.Scheme, &s.UnitID); err != nil {
		return s, err
	}
	var err error
	if s.Points, err = cycle.DecodePoints(points); err != nil {
		return s, fmt.Errorf("sheet %d: %w", s.ID, err)
	}
	if !saved.IsZero() {
		t := saved.Time
		s.SavedAt = &t
	}
	if !submitted.IsZero() {
		t := submitted.Time
		s.SubmittedAt = &t
	}
	return s, nil
}

// AssessSheet returns one sheet of the institution; with lock (inside
// WithTx) other writers of it wait.
func (db *DB) AssessSheet(ctx context.Context, institution, id int64, lock bool) (cycle.Sheet, error) {
	q := `SELECT h.id, h.cycle_id, h.subject_kind, h.subject_id, h.grp, h.rater_id, h.state, h.points, h.rated_total, h.remark,
		h.reopened, h.saved_at, h.submitted_at, h.version, ` + subjectNameSQL + `, ` + subjectEmpNoSQL + `,
		COALESCE((SELECT name FROM persons WHERE id = h.rater_id), ''), s.scheme, s.unit_id
		FROM assess_sheets h JOIN assess_subjects s ON s.cycle_id = h.cycle_id AND s.subject_kind = h.subject_kind AND s.subject_id = h.subject_id
		JOIN assess_cycles c ON c.id = h.cycle_id WHERE c.institution_id = ? AND h.id = ?`
	if lock && db.engine == Postgres {
		q += " FOR UPDATE OF h"
	}
	s, err := scanSheet(db.queryRow(ctx, q, institution, id))
	if errors.Is(err, sql.ErrNoRows) {
		return cycle.Sheet{}, platform.ErrNotFound
	}
	if err != nil {
		return cycle.Sheet{}, fmt.Errorf("sheet %d: %w", id, err)
	}
	return s, nil
}

// UpdateAssessSheet writes the sheet's state, points, total, remark and
// times if its stored version is still s.Version, and bumps the version.
func (db *DB) UpdateAssessSheet(ctx context.Context, s *cycle.Sheet) error {
	var saved, submitted any
	if s.SavedAt != nil {
		saved = platform.TS(*s.SavedAt)
	}
	if s.SubmittedAt != nil {
		submitted = platform.TS(*s.SubmittedAt)
	}
	res, err := db.exec(ctx, `UPDATE assess_sheets SET state = ?, points = ?, rated_total = ?, remark = ?, reopened = ?, saved_at = ?,
		submitted_at = ?, version = version + 1 WHERE id = ? AND version = ?`, s.State, cycle.EncodePoints(s.Points), int64(s.RatedTotal),
		s.Remark, s.Reopened, saved, submitted, s.ID, s.Version)
	if err != nil {
		return fmt.Errorf("update sheet: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return platform.Conflict("stale", "version", "评分表已被修改，请刷新 the sheet was changed meanwhile; reload")
	}
	s.Version++
	return nil
}

// AssessProgress counts every rater's sheets of a cycle by state, of the
// subjects inside scope on asOf.
func (db *DB) AssessProgress(ctx context.Context, sc access.Scope, asOf platform.Date, cycleID int64) ([]cycle.RaterProgress, error) {
	var b sqlb
	b.add("WITH RECURSIVE ")
	scopeCTE(&b, sc, asOf)
	b.add(` SELECT h.rater_id, COALESCE(p.name, ''), COALESCE(p.emp_no, ''), COALESCE(MAX(pr.unit_id), 0), COUNT(*),
		SUM(CASE WHEN h.state = 'pending' THEN 1 ELSE 0 END), SUM(CASE WHEN h.state = 'draft' THEN 1 ELSE 0 END),
		SUM(CASE WHEN h.state = 'submitted' THEN 1 ELSE 0 END)
		FROM assess_sheets h JOIN assess_subjects s ON s.cycle_id = h.cycle_id AND s.subject_kind = h.subject_kind AND s.subject_id = h.subject_id
		LEFT JOIN persons p ON p.id = h.rater_id
		LEFT JOIN person_records pr ON pr.person_id = h.rater_id AND pr.valid_from <= ? AND ? < pr.valid_to WHERE h.cycle_id = ?`, asOf, asOf, cycleID)
	resultScope(&b, sc)
	b.add(" GROUP BY h.rater_id, p.name, p.emp_no")
	rows, err := db.query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []cycle.RaterProgress{}
	for rows.Next() {
		var r cycle.RaterProgress
		if err := rows.Scan(&r.RaterID, &r.Name, &r.EmpNo, &r.UnitID, &r.Total, &r.Pending, &r.Draft, &r.Submitted); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AssessSubjects returns the subjects of a cycle.
func (db *DB) AssessSubjects(ctx context.Context, cycleID int64) ([]cycle.SubjectRow, error) {
	rows, err := db.query(ctx, `SELECT subject_kind, subject_id, scheme, unit_id, team_id, region_id, branch_id, position
		FROM assess_subjects WHERE cycle_id = ? ORDER BY subject_id, subject_kind`, cycleID)
	if err != nil {
		return nil, fmt.Errorf("cycle subjects: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []cycle.SubjectRow{}
	for rows.Next() {
		var s cycle.SubjectRow
		if err := rows.Scan(&s.Kind, &s.ID, &s.Scheme, &s.UnitID, &s.TeamID, &s.RegionID, &s.BranchID, &s.Position); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// EachAssessSubject calls fn with every subject of a cycle and its
// sheets, subject by subject (by id, then kind): the subjects are read
// first, then the sheets in one scan of their subject index, merged here.
func (db *DB) EachAssessSubject(ctx context.Context, cycleID int64, fn func(s cycle.SubjectRow, sheets []cycle.SheetLite) error) error {
	subjects, err := db.AssessSubjects(ctx, cycleID)
	if err != nil {
		return err
	}
	rows, err := db.query(ctx, `SELECT subject_id, subject_kind, id, grp, rater_id, state, points, rated_total
		FROM assess_sheets WHERE cycle_id = ? ORDER BY subject_id, subject_kind`, cycleID)
	if err != nil {
		return fmt.Errorf("cycle sheets: %w", err)
	}
	defer func() { _ = rows.Close() }()
	next := 0 // the subject the sheets being read belong to
	var sheets []cycle.SheetLite
	flushTo := func(id int64, kind string) error {
		// Hand over every subject before (id, kind), with the sheets read so far for the current one.
		for next < len(subjects) && subjectBefore(subjects[next], id, kind) {
			if err := fn(subjects[next], sheets); err != nil {
				return err
			}
			sheets = sheets[:0]
			next++
		}
		return nil
	}
	for rows.Next() {
		var id int64
		var kind string
		var h cycle.SheetLite
		if err := rows.Scan(&id, &kind, &h.ID, &h.Group, &h.Rater, &h.State, &h.Points, &h.RatedTotal); err != nil {
			return err
		}
		if err := flushTo(id, kind); err != nil {
			return err
		}
		if next == len(subjects) || subjects[next].ID != id || subjects[next].Kind != kind {
			return fmt.Errorf("cycle %d: sheet %d names subject %s %d, which the cycle does not have", cycleID, h.ID, kind, id)
		}
		sheets = append(sheets, h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if next < len(subjects) {
		if err := fn(subjects[next], sheets); err != nil {
			return err
		}
		sheets = sheets[:0]
		for next++; next < len(subjects); next++ {
			if err := fn(subjects[next], nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// subjectBefore orders subjects by id, then kind, as the scans do.
func subjectBefore(s cycle.SubjectRow, id int64, kind string) bool {
	return s.ID < id || s.ID == id && s.Kind < kind
}

// ReplaceAssessResults replaces every result of a cycle.
func (db *DB) ReplaceAssessResults(ctx context.Context, cycleID int64, results []cycle.ResultRow) error {
	if _, err := db.exec(ctx, `DELETE FROM assess_results WHERE cycle_id = ?`, cycleID); err != nil {
		return fmt.Errorf("clear results: %w", err)
	}
	i := 0
	_, err := db.BulkInsert(ctx, "assess_results",
		[]string{"cycle_id", "subject_kind", "subject_id", "composite", "held", "rank_team", "rank_region", "rank_branch", "detail"},
		func() ([]any, error) {
			if i == len(results) {
				return nil, io.EOF
			}
			r := results[i]
			i++
			var comp any
			if r.Composite != nil {
				comp = int64(*r.Composite)
			}
			return []any{cycleID, r.SubjectKind, r.SubjectID, comp, r.Held, intOrNil(r.RankTeam), intOrNil(r.RankRegion), intOrNil(r.RankBranch),
				string(r.Detail)}, nil
		})
	return err
}

func intOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

// resultScope restricts results (subjects alias s) to the scope on the
// cycle's as-of day: subjects placed in a visible unit, and the viewer's
// own results.
func resultScope(q *sqlb, sc access.Scope) {
	if sc.Empty() {
		q.add(" AND 1 = 0")
		return
	}
	if sc.All {
		return
	}
	q.add(" AND (s.unit_id IN (SELECT id FROM scope_units)")
	if sc.Self != 0 {
		q.add(" OR (s.subject_kind = 'person' AND s.subject_id = ?)", sc.Self)
	}
	q.add(")")
}

// AssessResults returns the stored results q selects inside scope, best
// composite first (held last), and how many there are in all.
func (db *DB) AssessResults(ctx context.Context, sc access.Scope, asOf platform.Date, q cycle.ResultQuery) ([]cycle.ResultRow, int, error) {
	var b sqlb
	b.add("WITH RECURSIVE ")
	scopeCTE(&b, sc, asOf)
	detail := "''"
	if q.WithDetail {
		detail = "r.detail"
	}
	b.add(` SELECT r.subject_kind, r.subject_id, r.composite, r.held, r.rank_team, r.rank_region, r.rank_branch, `+detail+`,
		c.id, c.period_key, s.scheme, `+subjectNameSQL+`, `+subjectEmpNoSQL+`, s.unit_id, s.team_id, s.region_id, s.position, COUNT(*) OVER ()
		FROM assess_results r JOIN assess_subjects s ON s.cycle_id = r.cycle_id AND s.subject_kind = r.subject_kind AND s.subject_id = r.subject_id
		JOIN assess_cycles c ON c.id = r.cycle_id WHERE c.institution_id = ?`, q.Institution)
	if q.Cycle != 0 {
		b.add(" AND r.cycle_id = ?", q.Cycle)
	}
	if q.Scheme != "" {
		b.add(" AND s.scheme = ?", q.Scheme)
	}
	if q.SubjectKind != "" {
		b.add(" AND r.subject_kind = ? AND r.subject_id = ?", q.SubjectKind, q.SubjectID)
	}
	if q.Unit != 0 {
		b.add(" AND (s.unit_id = ? OR s.team_id = ? OR s.region_id = ? OR s.branch_id = ?)", q.Unit, q.Unit, q.Unit, q.Unit)
	}
	resultScope(&b, sc)
	if q.Cycle != 0 {
		b.add(" ORDER BY r.held, r.composite DESC, r.subject_kind, r.subject_id")
	} else {
		b.add(" ORDER BY c.as_of DESC, c.id DESC")
	}
	if q.Limit > 0 {
		b.add(" LIMIT ? OFFSET ?", q.Limit, q.Offset)
	}
	rows, err := db.query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("results: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []cycle.ResultRow{}
	total := 0
	for rows.Next() {
		var r cycle.ResultRow
		var comp, rt, rr, rb sql.NullInt64
		var detailText string
		if err := rows.Scan(&r.SubjectKind, &r.SubjectID, &comp, &r.Held, &rt, &rr, &rb, &detailText, &r.CycleID, &r.Period,
			&r.Scheme, &r.Name, &r.EmpNo, &r.UnitID, &r.TeamID, &r.RegionID, &r.Position, &total); err != nil {
			return nil, 0, err
		}
		if comp.Valid {
			s := assess.Score(comp.Int64)
			r.Composite = &s
		}
		r.RankTeam, r.RankRegion, r.RankBranch = nullInt(rt), nullInt(rr), nullInt(rb)
		if detailText != "" {
			r.Detail = json.RawMessage(detailText)
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

func nullInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

// AssessSubjectVisible reports whether a subject of a cycle lies inside scope.
func (db *DB) AssessSubjectVisible(ctx context.Context, sc access.Scope, asOf platform.Date, cycleID int64, kind string, id int64) (bool, error) {
	var b sqlb
	b.add("WITH RECURSIVE ")
	scopeCTE(&b, sc, asOf)
	b.add(" SELECT COUNT(*) FROM assess_subjects s WHERE s.cycle_id = ? AND s.subject_kind = ? AND s.subject_id = ?", cycleID, kind, id)
	resultScope(&b, sc)
	var n int
	if err := db.queryRow(ctx, b.String(), b.args...).Scan(&n); err != nil {
		return false, fmt.Errorf("subject visible: %w", err)
	}
	return n > 0, nil
}

// DeleteCycle removes the cycle of a period with its subjects, sheets
// and results, if there is one (benchmarks and load tests re-open it),
// and on PostgreSQL vacuums the tables so the next open does not meet
// millions of dead rows.
func (db *DB) DeleteCycle(ctx context.Context, institution int64, period string) error {
	if err := db.deleteCycle(ctx, institution, period); err != nil || db.engine != Postgres {
		return err
	}
	for _, t := range []string{"assess_results", "assess_sheets", "assess_subjects", "assess_outcomes", "assess_cycles"} {
		if _, err := db.w.ExecContext(ctx, `VACUUM (ANALYZE) `+t); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}

func (db *DB) deleteCycle(ctx context.Context, institution int64, period string) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		for _, t := range []string{"assess_results", "assess_outcomes", "assess_sheets", "assess_subjects"} {
			if _, err := db.exec(ctx, `DELETE FROM `+t+` WHERE cycle_id IN (SELECT id FROM assess_cycles WHERE institution_id = ? AND period_key = ?)`,
				institution, period); err != nil {
				return fmt.Errorf("delete cycle %s: %s: %w", period, t, err)
			}
		}
		_, err := db.exec(ctx, `DELETE FROM assess_cycles WHERE institution_id = ? AND period_key = ?`, institution, period)
		return err
	})
}

// SubmitAllSheets submits every sheet of a cycle with the same points in
// one statement — for benchmarks and load tests, never for a real cycle
// (it bypasses the checks and the audit of scoring). Real submissions
// come one by one over days; so that what follows is not measured
// against the clean-up of millions of rows updated at once, the table is
// vacuumed afterwards on PostgreSQL.
func (db *DB) SubmitAllSheets(ctx context.Context, cycleID int64, points string, total int64) error {
	err := db.WithTx(ctx, func(ctx context.Context) error {
		_, err := db.exec(ctx, `UPDATE assess_sheets SET state = 'submitted', points = ?, rated_total = ?, saved_at = ?, submitted_at = ?,
			version = version + 1 WHERE cycle_id = ?`, points, total, platform.TS(db.clock.Now()), platform.TS(db.clock.Now()), cycleID)
		return err
	})
	if err != nil || db.engine != Postgres {
		return err
	}
	_, err = db.w.ExecContext(ctx, `VACUUM (ANALYZE) assess_sheets`)
	return err
}

// InsertOutcomes stores a cycle's proposals.
func (db *DB) InsertOutcomes(ctx context.Context, institution, cycleID int64, os []cycle.Outcome) error {
	for _, o := range os {
		b, err := json.Marshal(o.Proposal)
		if err != nil {
			return err
		}
		if _, err := db.exec(ctx, `INSERT INTO assess_outcomes (institution_id, cycle_id, kind, person_id, unit_id, proposal) VALUES (?,?,?,?,?,?)`,
			institution, cycleID, o.Kind, o.PersonID, o.UnitID, string(b)); err != nil {
			return fmt.Errorf("outcome: %w", err)
		}
	}
	return nil
}

// An outcome comes from a cycle (placed as its person was in the cycle)
// or from a task review (placed by its unit_id).
const outcomeSelect = `SELECT o.id, COALESCE(o.cycle_id, 0), COALESCE(o.review_id, 0), COALESCE(c.period_key, r.period_key), o.kind, o.person_id, o.unit_id,
	COALESCE((SELECT name FROM persons WHERE id = o.person_id), (SELECT name FROM units WHERE id = o.unit_id), ''),
	COALESCE((SELECT emp_no FROM persons WHERE id = o.person_id), ''), o.proposal, o.state, o.decided_by, o.decided_at, o.reason, o.effect, o.version
	FROM assess_outcomes o LEFT JOIN assess_cycles c ON c.id = o.cycle_id LEFT JOIN assess_task_reviews r ON r.id = o.review_id
	LEFT JOIN assess_subjects s ON s.cycle_id = o.cycle_id AND s.subject_kind = 'person' AND s.subject_id = o.person_id`

func scanOutcome(sc interface{ Scan(...any) error }) (cycle.Outcome, error) {
	var o cycle.Outcome
	var proposal string
	var at platform.Timestamp
	if err := sc.Scan(&o.ID, &o.CycleID, &o.ReviewID, &o.Period, &o.Kind, &o.PersonID, &o.UnitID, &o.Name, &o.EmpNo, &proposal, &o.State,
		&o.DecidedBy, &at, &o.Reason, &o.Effect, &o.Version); err != nil {
		return o, err
	}
	if err := json.Unmarshal([]byte(proposal), &o.Proposal); err != nil {
		return o, fmt.Errorf("outcome %d: %w", o.ID, err)
	}
	if !at.IsZero() {
		t := at.Time
		o.DecidedAt = &t
	}
	return o, nil
}

// outcomeFrom writes the FROM and WHERE of an outcome query: the
// outcomes q selects whose person (placed as in their cycle) or unit lies
// inside scope on asOf.
func outcomeFrom(b *sqlb, sc access.Scope, asOf platform.Date, q cycle.OutcomeQuery, sel string) {
	b.add("WITH RECURSIVE ")
	scopeCTE(b, sc, asOf)
	b.add(" "+sel+" WHERE o.institution_id = ?", q.Institution)
	if q.ID != 0 {
		b.add(" AND o.id = ?", q.ID)
	}
	if q.Cycle != 0 {
		b.add(" AND o.cycle_id = ?", q.Cycle)
	}
	if q.Review != 0 {
		b.add(" AND o.review_id = ?", q.Review)
	}
	if q.State != "" {
		b.add(" AND o.state = ?", q.State)
	}
	if !sc.All {
		if sc.Empty() {
			b.add(" AND 1 = 0")
		} else {
			b.add(" AND (s.unit_id IN (SELECT id FROM scope_units) OR o.unit_id IN (SELECT id FROM scope_units))")
		}
	}
}

// Outcomes returns the outcomes q selects whose person (placed as in
// their cycle) or unit lies inside scope on asOf, newest first.
func (db *DB) Outcomes(ctx context.Context, sc access.Scope, asOf platform.Date, q cycle.OutcomeQuery) ([]cycle.Outcome, error) {
	var b sqlb
	outcomeFrom(&b, sc, asOf, q, outcomeSelect)
	b.add(" ORDER BY o.id DESC")
	if q.Limit > 0 {
		b.add(" LIMIT ? OFFSET ?", q.Limit, q.Offset)
	}
	rows, err := db.query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("outcomes: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []cycle.Outcome{}
	for rows.Next() {
		o, err := scanOutcome(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OutcomeCount counts the outcomes Outcomes would return without a limit.
func (db *DB) OutcomeCount(ctx context.Context, sc access.Scope, asOf platform.Date, q cycle.OutcomeQuery) (int, error) {
	var b sqlb
	outcomeFrom(&b, sc, asOf, q, `SELECT COUNT(*) FROM assess_outcomes o
	LEFT JOIN assess_subjects s ON s.cycle_id = o.cycle_id AND s.subject_kind = 'person' AND s.subject_id = o.person_id`)
	var n int
	if err := db.queryRow(ctx, b.String(), b.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("outcomes: %w", err)
	}
	return n, nil
}

// Outcome returns one outcome of the institution.
func (db *DB) Outcome(ctx context.Context, institution, id int64) (cycle.Outcome, error) {
	o, err := scanOutcome(db.queryRow(ctx, outcomeSelect+" WHERE o.institution_id = ? AND o.id = ?", institution, id))
	if errors.Is(err, sql.ErrNoRows) {
		return cycle.Outcome{}, platform.ErrNotFound
	}
	if err != nil {
		return cycle.Outcome{}, fmt.Errorf("outcome %d: %w", id, err)
	}
	return o, nil
}

// DecideOutcome records a decision if the stored version is still o.Version.
func (db *DB) DecideOutcome(ctx context.Context, o *cycle.Outcome) error {
	var at any
	if o.DecidedAt != nil {
		at = platform.TS(*o.DecidedAt)
	}
	res, err := db.exec(ctx, `UPDATE assess_outcomes SET state = ?, decided_by = ?, decided_at = ?, reason = ?, effect = ?, version = version + 1
		WHERE id = ? AND version = ?`, o.State, o.DecidedBy, at, o.Reason, o.Effect, o.ID, o.Version)
	if err != nil {
		return fmt.Errorf("decide outcome: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return platform.Conflict("stale", "version", "该结果已被处理，请刷新 the outcome was decided meanwhile; reload")
	}
	o.Version++
	return nil
}
