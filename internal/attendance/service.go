package attendance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// Store is the persistence the attendance use cases need. Writes run
// inside WithTx.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// WorkCalendar returns a stored calendar year, or platform.ErrNotFound.
	WorkCalendar(ctx context.Context, institution int64, year int) (CalendarDoc, error)
	// SaveWorkCalendar stores doc as the next version if the stored one is
	// still doc.Version (0: none stored yet), and sets doc.Version.
	SaveWorkCalendar(ctx context.Context, institution int64, doc *CalendarDoc) error
	// AttendanceRuleSet returns the rules in force, or platform.ErrNotFound.
	AttendanceRuleSet(ctx context.Context, institution int64) (RuleSetDoc, error)
	SaveAttendanceRuleSet(ctx context.Context, institution int64, doc *RuleSetDoc) error
	// AttendancePeople lists the people inside the scope whose record in
	// force on asOf places them under unit (0: anywhere), by employee
	// number, with their employment dates; a page of them and the total.
	AttendancePeople(ctx context.Context, sc access.Scope, asOf platform.Date, q PeopleQuery) ([]Member, int, error)
	// ScopedPeople maps employee numbers of people inside the scope to ids.
	ScopedPeople(ctx context.Context, sc access.Scope, asOf platform.Date, empNos []string) (map[string]int64, error)
	UpsertAttendanceRecords(ctx context.Context, institution int64, rs []Record, by string, at time.Time) error
	AttendanceRecords(ctx context.Context, institution int64, people []int64, from, to platform.Date) ([]Record, error)
}

// Periods refuses writes dated in a closed period.
type Periods interface {
	EnsureOpen(ctx context.Context, institution int64, d platform.Date) error
}

// Service holds the calendar and attendance use cases.
type Service struct {
	Store   Store
	Audit   audit.Log
	Clock   platform.Clock
	Periods Periods
	// Location is the institution's wall clock for phone check-ins
	// (Asia/Shanghai for the presets); nil means UTC.
	Location *time.Location
}

// CalendarDoc is a stored calendar year.
type CalendarDoc struct {
	Year      int       `json:"year"`
	Entries   []Entry   `json:"entries"`
	Version   int       `json:"version"`
	UpdatedBy string    `json:"updatedBy"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// RuleSetDoc is a stored version of the attendance rules and leave types.
type RuleSetDoc struct {
	Version    int         `json:"version"`
	Rules      Rules       `json:"rules"`
	LeaveTypes []LeaveType `json:"leaveTypes"`
	Note       string      `json:"note"`
	CreatedBy  string      `json:"createdBy"`
	CreatedAt  *time.Time  `json:"createdAt"` // nil for the defaults, never saved
}

// PeopleQuery narrows AttendancePeople: under a unit, one person (0: any),
// a page (Limit 0: everyone).
type PeopleQuery struct {
	Unit, Person  int64
	Limit, Offset int
}

// Member is a person as the attendance views list them.
type Member struct {
	PersonID int64         `json:"personId"`
	EmpNo    string        `json:"empNo"`
	Name     string        `json:"name"`
	UnitID   int64         `json:"unitId"`
	Position string        `json:"position"`
	HiredOn  platform.Date `json:"hiredOn"`
	// LeftOn is the last day employed: the day before a terminated record
	// starts; zero while employed.
	LeftOn platform.Date `json:"leftOn"`
}

const maxNoteRunes = 200

func principal(ctx context.Context, perm access.Permission) (*access.Principal, error) {
	p := access.FromContext(ctx)
	if p == nil {
		return nil, platform.ErrUnauthorized
	}
	if perm != "" && !p.Can(perm) {
		return nil, platform.ErrForbidden
	}
	return p, nil
}

func (s *Service) today() platform.Date { return platform.DateOf(s.now()) }

func (s *Service) now() time.Time {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	return s.Clock.Now().In(loc)
}

// CalendarView is a calendar year as the UI shows it: the stored entries
// and, when the year has a calendar, the working days of each month.
type CalendarView struct {
	Year      int        `json:"year"`
	Defined   bool       `json:"defined"`
	Entries   []Entry    `json:"entries"`
	Workdays  []int      `json:"workdays"` // by month, January first; empty without a calendar
	Version   int        `json:"version"`
	UpdatedBy string     `json:"updatedBy,omitempty"`
	UpdatedAt *time.Time `json:"updatedAt"`
}

func checkYear(year int) error {
	if year < 2000 || year > 2100 {
		return platform.Invalid("year", "年份须在 2000–2100 之间 the year must be within 2000–2100")
	}
	return nil
}

// Calendar returns the institution's calendar of a year. A year nobody
// set up is shown as undefined, never as a plain Monday–Friday: the
// Spring Festival would count as a week of absence.
func (s *Service) Calendar(ctx context.Context, year int) (CalendarView, error) {
	p, err := principal(ctx, access.AttendanceRead)
	if err != nil {
		return CalendarView{}, err
	}
	if err := checkYear(year); err != nil {
		return CalendarView{}, err
	}
	doc, err := s.Store.WorkCalendar(ctx, p.Institution, year)
	if errors.Is(err, platform.ErrNotFound) {
		return CalendarView{Year: year, Entries: []Entry{}, Workdays: []int{}}, nil
	}
	if err != nil {
		return CalendarView{}, err
	}
	return view(p.Institution, doc)
}

func view(institution int64, doc CalendarDoc) (CalendarView, error) {
	cal, err := NewCalendar(institution, doc.Year, doc.Entries)
	if err != nil {
		return CalendarView{}, fmt.Errorf("stored calendar %d: %w", doc.Year, err)
	}
	v := CalendarView{Year: doc.Year, Defined: true, Entries: cal.Entries(), Version: doc.Version, UpdatedBy: doc.UpdatedBy}
	if !doc.UpdatedAt.IsZero() {
		t := doc.UpdatedAt
		v.UpdatedAt = &t
	}
	for m := 1; m <= 12; m++ {
		n, err := cal.PeriodWorkdays(platform.Period{Kind: platform.Month, Year: doc.Year, N: m})
		if err != nil {
			return CalendarView{}, err
		}
		v.Workdays = append(v.Workdays, n)
	}
	return v, nil
}

// CalendarInput replaces a year's entries.
type CalendarInput struct {
	Entries []Entry `json:"entries"`
	// Version is the version the editor started from (0 for a new year).
	Version int `json:"version"`
}

// SaveCalendar replaces the entries of a year, checked whole; a change
// made meanwhile by someone else is refused (stale version). Audited with
// the entries before and after.
func (s *Service) SaveCalendar(ctx context.Context, year int, in CalendarInput) (CalendarView, error) {
	p, err := principal(ctx, access.CalendarManage)
	if err != nil {
		return CalendarView{}, err
	}
	if err := checkYear(year); err != nil {
		return CalendarView{}, err
	}
	cal, err := NewCalendar(p.Institution, year, in.Entries)
	if err != nil {
		return CalendarView{}, err
	}
	var out CalendarView
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		var before any
		old, err := s.Store.WorkCalendar(ctx, p.Institution, year)
		switch {
		case errors.Is(err, platform.ErrNotFound):
		case err != nil:
			return err
		default:
			before = old.Entries
		}
		if old.Version != in.Version {
			return platform.Conflict("stale", "version", "日历已被他人修改，请刷新 the calendar was changed meanwhile; reload")
		}
		doc := CalendarDoc{Year: year, Entries: cal.Entries(), Version: in.Version, UpdatedBy: p.Username, UpdatedAt: s.Clock.Now()}
		if err := s.Store.SaveWorkCalendar(ctx, p.Institution, &doc); err != nil {
			return err
		}
		if out, err = view(p.Institution, doc); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "attendance.calendar.save", ObjectType: "work_calendar", ObjectID: fmt.Sprint(year),
			Before: before, After: doc.Entries})
	})
	return out, err
}

// Rules returns the attendance rules and leave types in force; an
// institution that never saved any has the defaults (version 0).
func (s *Service) Rules(ctx context.Context) (RuleSetDoc, error) {
	p, err := principal(ctx, access.AttendanceRead)
	if err != nil {
		return RuleSetDoc{}, err
	}
	return s.ruleSet(ctx, p.Institution)
}

func (s *Service) ruleSet(ctx context.Context, institution int64) (RuleSetDoc, error) {
	doc, err := s.Store.AttendanceRuleSet(ctx, institution)
	if errors.Is(err, platform.ErrNotFound) {
		return RuleSetDoc{Rules: DefaultRules(), LeaveTypes: DefaultLeaveTypes(), Note: "默认规则 defaults", CreatedBy: "system"}, nil
	}
	return doc, err
}

func (s *Service) ruleset(ctx context.Context, institution int64) (*Ruleset, error) {
	doc, err := s.ruleSet(ctx, institution)
	if err != nil {
		return nil, err
	}
	rs, err := NewRuleset(doc.Rules, doc.LeaveTypes)
	if err != nil {
		return nil, fmt.Errorf("attendance rules v%d: %w", doc.Version, err)
	}
	return rs, nil
}

// RulesInput replaces the attendance rules and leave types.
type RulesInput struct {
	Rules      Rules       `json:"rules"`
	LeaveTypes []LeaveType `json:"leaveTypes"`
	Note       string      `json:"note"`
}

// SaveRules stores new attendance rules and leave types as the next
// version, checked whole; audited.
func (s *Service) SaveRules(ctx context.Context, in RulesInput) (RuleSetDoc, error) {
	p, err := principal(ctx, access.CalendarManage)
	if err != nil {
		return RuleSetDoc{}, err
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > maxNoteRunes {
		return RuleSetDoc{}, platform.Invalid("note", "说明最多 200 字 the note is at most 200 characters")
	}
	if _, err := NewRuleset(in.Rules, in.LeaveTypes); err != nil {
		return RuleSetDoc{}, err
	}
	var out RuleSetDoc
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.ruleSet(ctx, p.Institution)
		if err != nil {
			return err
		}
		out = RuleSetDoc{Rules: in.Rules, LeaveTypes: in.LeaveTypes, Note: note, CreatedBy: p.Username}
		if err := s.Store.SaveAttendanceRuleSet(ctx, p.Institution, &out); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "attendance.rules.save", ObjectType: "attendance_rules", ObjectID: fmt.Sprint(out.Version),
			Before: map[string]any{"rules": before.Rules, "leaveTypes": before.LeaveTypes},
			After:  map[string]any{"rules": out.Rules, "leaveTypes": out.LeaveTypes}, Reason: note})
	})
	return out, err
}

// RecordRow is one manually entered day: an explicit status, or the
// times seen, for a person named by employee number.
type RecordRow struct {
	EmpNo  string `json:"empNo"`
	Date   string `json:"date"`
	In     string `json:"in"`
	Out    string `json:"out"`
	Status Status `json:"status"`
	Note   string `json:"note"`
}

const maxRows = 5000

// SaveRecords stores the team lead's manual entries: each names a person
// inside the enterer's scope, a date in an open period up to today, and
// an explicit status or times. Every bad row is named and nothing is
// stored unless all are good; an entry for a day already entered by hand
// replaces it. Audited with the entry before and after.
func (s *Service) SaveRecords(ctx context.Context, rows []RecordRow) ([]Record, error) {
	p, err := principal(ctx, access.AttendanceManage)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || len(rows) > maxRows {
		return nil, platform.Invalid("rows", fmt.Sprintf("须录入 1–%d 行 enter 1–%d rows", maxRows, maxRows))
	}
	today := s.today()
	nos := make([]string, len(rows))
	for i, r := range rows {
		nos[i] = strings.TrimSpace(r.EmpNo)
	}
	ids, err := s.Store.ScopedPeople(ctx, p.Scope, today, nos)
	if err != nil {
		return nil, err
	}
	fs := platform.Fields{}
	type key struct {
		person int64
		day    platform.Date
	}
	seen := map[key]int{}
	recs := make([]Record, 0, len(rows))
	for i, r := range rows {
		at := func(field string) string { return fmt.Sprintf("rows[%d].%s", i, field) }
		rowZh, rowEn := fmt.Sprintf("第 %d 行：", i+1), fmt.Sprintf("row %d: ", i+1)
		id, ok := ids[nos[i]]
		if !ok {
			fs.Add(at("empNo"), fmt.Sprintf("%s工号 %q 不存在或不在您的范围内 %semployee number %q is unknown or outside your scope", rowZh, nos[i], rowEn, nos[i]))
		}
		d, err := platform.ParseDate(strings.TrimSpace(r.Date))
		switch {
		case err != nil:
			fs.Add(at("date"), rowZh+"日期须为 YYYY-MM-DD "+rowEn+"the date must be YYYY-MM-DD")
		case d.After(today):
			fs.Add(at("date"), fmt.Sprintf("%s%s 尚未到来 %s%s has not come yet", rowZh, d, rowEn, d))
		}
		rec := Record{PersonID: id, Date: d, Source: SourceManual, Status: r.Status, Note: strings.TrimSpace(r.Note)}
		for _, t := range []struct {
			field string
			text  string
			into  *TimeOfDay
		}{{"in", r.In, &rec.In}, {"out", r.Out, &rec.Out}} {
			if strings.TrimSpace(t.text) == "" {
				continue
			}
			v, err := ParseTimeOfDay(strings.TrimSpace(t.text))
			if err != nil {
				fs.Add(at(t.field), fmt.Sprintf("%s时间须为 HH:MM %stime must be HH:MM", rowZh, rowEn))
				continue
			}
			*t.into = v
		}
		if utf8.RuneCountInString(rec.Note) > maxNoteRunes {
			fs.Add(at("note"), rowZh+"备注最多 200 字 "+rowEn+"the note is at most 200 characters")
		}
		if ok && err == nil {
			for k, msg := range rec.Validate() {
				fs.Add(at(k), rowZh+msg)
			}
			if j, dup := seen[key{id, d}]; dup {
				fs.Add(fmt.Sprintf("rows[%d]", i), fmt.Sprintf("%s与第 %d 行重复（同一人同一天） %srepeats row %d (same person and day)", rowZh, j+1, rowEn, j+1))
			}
			seen[key{id, d}] = i
		}
		recs = append(recs, rec)
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		for _, r := range recs {
			if err := s.Periods.EnsureOpen(ctx, p.Institution, r.Date); err != nil {
				return err
			}
		}
		return s.write(ctx, p, recs)
	})
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// write stores records of one source, audited with what each replaced.
func (s *Service) write(ctx context.Context, p *access.Principal, recs []Record) error {
	byPerson := map[int64][]Record{}
	from, to := recs[0].Date, recs[0].Date
	for _, r := range recs {
		if r.Date.Before(from) {
			from = r.Date
		}
		if r.Date.After(to) {
			to = r.Date
		}
	}
	people := make([]int64, 0, len(recs))
	for _, r := range recs {
		if !slices.Contains(people, r.PersonID) {
			people = append(people, r.PersonID)
		}
	}
	old, err := s.Store.AttendanceRecords(ctx, p.Institution, people, from, to)
	if err != nil {
		return err
	}
	for _, o := range old {
		byPerson[o.PersonID] = append(byPerson[o.PersonID], o)
	}
	changes := make([]audit.Change, 0, len(recs))
	for _, r := range recs {
		ch := audit.Change{Action: "attendance.record.save", ObjectType: "person", ObjectID: fmt.Sprint(r.PersonID), After: r}
		for _, o := range byPerson[r.PersonID] {
			if o.Date == r.Date && o.Source == r.Source {
				ch.Before = o
			}
		}
		changes = append(changes, ch)
	}
	if err := s.Store.UpsertAttendanceRecords(ctx, p.Institution, recs, p.Username, s.Clock.Now()); err != nil {
		return err
	}
	return s.Audit.RecordMany(ctx, changes)
}

// CheckIn records the signed-in person's phone check-in now: the first of
// the day is the arrival, any later one the departure.
func (s *Service) CheckIn(ctx context.Context) (Record, error) {
	p, err := principal(ctx, "")
	if err != nil {
		return Record{}, err
	}
	if p.PersonID == 0 {
		return Record{}, platform.Invalid("person", "您的账号未关联人员，不能签到 your account has no person to check in as")
	}
	d, t := Local(s.Clock.Now(), s.location())
	var out Record
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Periods.EnsureOpen(ctx, p.Institution, d); err != nil {
			return err
		}
		old, err := s.Store.AttendanceRecords(ctx, p.Institution, []int64{p.PersonID}, d, d)
		if err != nil {
			return err
		}
		out = Record{PersonID: p.PersonID, Date: d, Source: SourcePhone, In: t}
		for _, o := range old {
			if o.Source == SourcePhone && !o.In.IsZero() {
				out.In, out.Out = o.In, t
			}
		}
		return s.write(ctx, p, []Record{out})
	})
	return out, err
}

func (s *Service) location() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// MonthQuery selects the people of a month view.
type MonthQuery struct {
	Month    string
	UnitID   int64
	PersonID int64 // one person (inside the scope), e.g. one's own month
	Page     int
	PageSize int
}

// PersonMonth is one person's month: every day with its status and reason,
// and the summary pay and the scorecards read.
type PersonMonth struct {
	Member
	Days    []Day   `json:"days"`
	Summary Summary `json:"summary"`
}

// MonthView is the team attendance calendar of a month.
type MonthView struct {
	Month    string        `json:"month"`
	Workdays int           `json:"workdays"`
	Through  platform.Date `json:"through"`
	People   []PersonMonth `json:"people"`
	Total    int           `json:"total"`
}

// Month derives the attendance of a month for the people in scope (under
// a unit, a page at a time): every day's status from the records of all
// sources under the rules in force, and each person's summary. A month
// still running counts up to today; later working days are pending.
func (s *Service) Month(ctx context.Context, q MonthQuery) (MonthView, error) {
	p, err := principal(ctx, access.AttendanceRead)
	if err != nil {
		return MonthView{}, err
	}
	per, err := platform.ParsePeriod(strings.TrimSpace(q.Month))
	if err != nil || per.Kind != platform.Month {
		return MonthView{}, platform.Invalid("month", "月份须为 YYYY-MM the month must be YYYY-MM")
	}
	today := s.today()
	if per.Start().After(today) {
		return MonthView{}, platform.Invalid("month", fmt.Sprintf("%s 尚未开始 %s has not begun", per, per))
	}
	size := q.PageSize
	if size <= 0 || size > 500 {
		size = 50
	}
	page := max(q.Page, 1)
	doc, err := s.Store.WorkCalendar(ctx, p.Institution, per.Year)
	if errors.Is(err, platform.ErrNotFound) {
		return MonthView{}, platform.Conflict("no_calendar", "month", fmt.Sprintf("%d 年的工作日历尚未设置，请先设置 the working calendar of %d is not set up yet", per.Year, per.Year))
	}
	if err != nil {
		return MonthView{}, err
	}
	cal, err := NewCalendar(p.Institution, per.Year, doc.Entries)
	if err != nil {
		return MonthView{}, fmt.Errorf("stored calendar %d: %w", per.Year, err)
	}
	rs, err := s.ruleset(ctx, p.Institution)
	if err != nil {
		return MonthView{}, err
	}
	asOf := per.End()
	through := platform.Date{}
	if !per.End().Before(today) {
		asOf, through = today, today
	}
	members, total, err := s.Store.AttendancePeople(ctx, p.Scope, asOf, PeopleQuery{Unit: q.UnitID, Person: q.PersonID, Limit: size, Offset: (page - 1) * size})
	if err != nil {
		return MonthView{}, err
	}
	ids := make([]int64, len(members))
	for i, m := range members {
		ids[i] = m.PersonID
	}
	recs, err := s.Store.AttendanceRecords(ctx, p.Institution, ids, per.Start(), per.End())
	if err != nil {
		return MonthView{}, err
	}
	byPerson := map[int64][]Record{}
	for _, r := range recs {
		byPerson[r.PersonID] = append(byPerson[r.PersonID], r)
	}
	workdays, err := cal.PeriodWorkdays(per)
	if err != nil {
		return MonthView{}, err
	}
	out := MonthView{Month: per.String(), Workdays: workdays, Through: through, People: make([]PersonMonth, 0, len(members)), Total: total}
	for _, m := range members {
		sum, days, err := rs.MonthDays(cal, MonthInput{PersonID: m.PersonID, Month: per, HiredOn: m.HiredOn, LeftOn: m.LeftOn,
			Through: through, Records: byPerson[m.PersonID]})
		if err != nil {
			return MonthView{}, fmt.Errorf("attendance of %s: %w", m.EmpNo, err)
		}
		out.People = append(out.People, PersonMonth{Member: m, Days: days, Summary: sum})
	}
	return out, nil
}

// Figures adds up people's monthly attendance summaries over a period
// for the figures scorecards read (attendance.required_days …; full is
// 1 only when every month was full attendance). It acts for the system,
// not a user. A month whose year has no calendar gives nobody figures —
// a half-known period must not look like a bad one — and a person not
// employed at a month's end has none either. A month still running
// counts up to today.
func (s *Service) Figures(ctx context.Context, institution int64, per platform.Period, people []int64) (map[int64]map[string]float64, error) {
	out := map[int64]map[string]float64{}
	if len(people) == 0 {
		return out, nil
	}
	rs, err := s.ruleset(ctx, institution)
	if err != nil {
		return nil, err
	}
	want := make(map[int64]bool, len(people))
	for _, id := range people {
		want[id] = true
	}
	today := s.today()
	all := access.Scope{Institution: institution, All: true}
	first := true
	for d := per.Start(); !d.After(per.End()) && !d.After(today); {
		m := platform.Period{Kind: platform.Month, Year: d.Year(), N: int(d.Month())}
		d = m.End().AddDays(1)
		doc, err := s.Store.WorkCalendar(ctx, institution, m.Year)
		if errors.Is(err, platform.ErrNotFound) {
			return map[int64]map[string]float64{}, nil
		}
		if err != nil {
			return nil, err
		}
		cal, err := NewCalendar(institution, m.Year, doc.Entries)
		if err != nil {
			return nil, fmt.Errorf("stored calendar %d: %w", m.Year, err)
		}
		asOf, through := m.End(), platform.Date{}
		if !m.End().Before(today) {
			asOf, through = today, today
		}
		members, _, err := s.Store.AttendancePeople(ctx, all, asOf, PeopleQuery{})
		if err != nil {
			return nil, err
		}
		var ids []int64
		var ms []Member
		for _, mb := range members {
			if want[mb.PersonID] {
				ids = append(ids, mb.PersonID)
				ms = append(ms, mb)
			}
		}
		recs, err := s.Store.AttendanceRecords(ctx, institution, ids, m.Start(), m.End())
		if err != nil {
			return nil, err
		}
		byPerson := map[int64][]Record{}
		for _, r := range recs {
			byPerson[r.PersonID] = append(byPerson[r.PersonID], r)
		}
		month := map[int64]bool{}
		for _, mb := range ms {
			sum, err := rs.Summarise(cal, MonthInput{PersonID: mb.PersonID, Month: m, HiredOn: mb.HiredOn, LeftOn: mb.LeftOn, Through: through, Records: byPerson[mb.PersonID]})
			if err != nil {
				return nil, fmt.Errorf("attendance of %s in %s: %w", mb.EmpNo, m, err)
			}
			month[mb.PersonID] = true
			f := sum.Figures()
			acc, seen := out[mb.PersonID]
			if !seen && !first {
				continue // not employed in an earlier month of the period: figures would be partial
			}
			if !seen {
				out[mb.PersonID] = f
				continue
			}
			for k, v := range f {
				if k == FigureFull {
					acc[k] = min(acc[k], v)
				} else {
					acc[k] += v
				}
			}
		}
		for id := range out {
			if !month[id] {
				delete(out, id) // gone before the month's end: partial
			}
		}
		first = false
	}
	return out, nil
}
