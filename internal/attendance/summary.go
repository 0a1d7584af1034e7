package attendance

import (
	"fmt"
	"strconv"

	"cmhub/internal/platform"
)

// HalfDays counts days in halves: half-day absence rules make half days
// real, and integers keep every sum exact.
type HalfDays int

// Days is the count in days, e.g. 2.5.
func (h HalfDays) Days() float64 { return float64(h) / 2 }

// String formats the days: "2" or "2.5".
func (h HalfDays) String() string {
	s := strconv.Itoa(int(h / 2))
	if h%2 != 0 {
		if h < 0 && h/2 == 0 {
			s = "-0"
		}
		s += ".5"
	}
	return s
}

// MarshalJSON writes the days as a number.
func (h HalfDays) MarshalJSON() ([]byte, error) { return []byte(h.String()), nil }

// MonthInput is what is known of one person's month.
type MonthInput struct {
	PersonID int64
	// Month is a platform.Month period of the calendar's year.
	Month platform.Period
	// HiredOn is the first day employed (zero: before the month); LeftOn the
	// last day employed (zero: still employed). Days outside are not
	// required and not counted.
	HiredOn platform.Date
	LeftOn  platform.Date
	// Through is the last day to count for a month still running (zero: the
	// whole month); later working days are required but pending, not absent.
	Through platform.Date
	// Records are the person's records of the month, any source, any order.
	Records []Record
	// Leaves are the person's approved leave overlapping the month.
	Leaves []Leave
	// Outings are the person's approved outings of the month.
	Outings []Outing
}

// FullMiss says why a month is not full attendance: the first rule missed.
type FullMiss string

// The reasons a month is not full attendance.
const (
	FullMissNoWorkdays   FullMiss = "no_workdays"   // no required day to attend
	FullMissPartialMonth FullMiss = "partial_month" // hired or left within the month, under a whole-month rule
	FullMissAbsent       FullMiss = "absent"
	FullMissLate         FullMiss = "late"
	FullMissEarlyLeave   FullMiss = "early_leave"
	FullMissLeave        FullMiss = "leave"
)

// Summary is one person's attendance of a month: what pay and the
// labour-discipline item of the scorecards read.
type Summary struct {
	PersonID int64           `json:"personId"`
	Month    platform.Period `json:"month"`
	// Required is the working days of the month within the employment.
	Required int `json:"requiredDays"`
	// Present is the days attended: present, late or left early, minus
	// half-day absences, plus leave and outings that count as attended.
	Present    HalfDays `json:"presentDays"`
	Late       int      `json:"late"`
	EarlyLeave int      `json:"earlyLeave"`
	Absent     HalfDays `json:"absentDays"`
	Leave      HalfDays `json:"leaveDays"`
	// LeaveByType splits Leave by leave type code; nil without leave.
	LeaveByType map[string]HalfDays `json:"leaveByType,omitempty"`
	Outing      int                 `json:"outingDays"`
	// Pending is the required days after MonthInput.Through, not counted yet.
	Pending int `json:"pendingDays"`
	// Full is full attendance (全勤) under the rules; with pending days it
	// holds so far.
	Full    bool     `json:"full"`
	NotFull FullMiss `json:"notFull,omitempty"`
}

// The names of the summary's figures: the attendance inputs the scorecards
// declare (assess.Inputs) and attendance.full for pay.
const (
	FigureRequiredDays = "attendance.required_days"
	FigurePresentDays  = "attendance.present_days"
	FigureLate         = "attendance.late"
	FigureEarlyLeave   = "attendance.early_leave"
	FigureAbsentDays   = "attendance.absent_days"
	FigureLeaveDays    = "attendance.leave_days"
	FigureFull         = "attendance.full"
)

// Figures are the summary as named inputs for formulas: days as decimals
// (a half day is 0.5), full attendance as 1 or 0.
func (s *Summary) Figures() map[string]float64 {
	full := 0.0
	if s.Full {
		full = 1
	}
	return map[string]float64{
		FigureRequiredDays: float64(s.Required),
		FigurePresentDays:  s.Present.Days(),
		FigureLate:         float64(s.Late),
		FigureEarlyLeave:   float64(s.EarlyLeave),
		FigureAbsentDays:   s.Absent.Days(),
		FigureLeaveDays:    s.Leave.Days(),
		FigureFull:         full,
	}
}

// Summarise computes one person's month. The result does not depend on the
// order of the records, leaves or outings. Inconsistent input (a record of
// another person or month, overlapping leave, two explicit statuses for a
// day) is an error naming the person and the item, never a silent guess.
func (rs *Ruleset) Summarise(cal *Calendar, in MonthInput) (Summary, error) {
	return rs.summarise(cal, &in, nil)
}

// MonthDays is Summarise with every day of the month and its reason, for
// the team calendar and the "why" of each figure.
func (rs *Ruleset) MonthDays(cal *Calendar, in MonthInput) (Summary, []Day, error) {
	var days []Day
	s, err := rs.summarise(cal, &in, &days)
	if err != nil {
		return Summary{}, nil, err
	}
	return s, days, nil
}

func (rs *Ruleset) summarise(cal *Calendar, in *MonthInput, days *[]Day) (Summary, error) {
	fail := func(field, msg string) (Summary, error) {
		return Summary{}, fmt.Errorf("attendance: person %d, %s: %w", in.PersonID, in.Month, platform.Invalid(field, msg))
	}
	switch {
	case in.Month.Kind != platform.Month || in.Month.N < 1 || in.Month.N > 12:
		return fail("month", "须为月份 YYYY-MM must be a month")
	case in.Month.Year != cal.year:
		return Summary{}, fmt.Errorf("attendance: person %d, %s: calendar of %d: %w", in.PersonID, in.Month, cal.year, ErrNoCalendar)
	case in.PersonID <= 0:
		return fail("personId", "须指定人员 the person is required")
	case !in.HiredOn.IsZero() && !in.LeftOn.IsZero() && in.LeftOn.Before(in.HiredOn):
		return fail("leftOn", "离职日期早于入职日期 left before being hired")
	}
	start, end := in.Month.Start(), in.Month.End()
	n := end.Day()
	base := start.Time().YearDay() - 1
	// The employed days and the counted days, as day-of-month indexes.
	lo, hi, through := 0, n-1, n-1
	if h := in.HiredOn; !h.IsZero() && h.After(start) {
		lo = n
		if !h.After(end) {
			lo = h.Day() - 1
		}
	}
	if l := in.LeftOn; !l.IsZero() && l.Before(end) {
		hi = -1
		if !l.Before(start) {
			hi = l.Day() - 1
		}
	}
	if t := in.Through; !t.IsZero() && t.Before(end) {
		through = -1
		if !t.Before(start) {
			through = t.Day() - 1
		}
	}

	var aggs [31]dayAgg
	for k := range in.Records {
		r := &in.Records[k]
		var field, msg string
		r.check(func(f, m string) {
			if field == "" {
				field, msg = f, m
			}
		})
		if field != "" {
			return fail(fmt.Sprintf("records[%d].%s", k, field), msg)
		}
		y, m, d := r.Date.Time().Date()
		switch {
		case r.PersonID != in.PersonID:
			return fail(fmt.Sprintf("records[%d].personId", k), fmt.Sprintf("记录属于人员 %d the record is of person %d", r.PersonID, r.PersonID))
		case y != in.Month.Year || int(m) != in.Month.N:
			return fail(fmt.Sprintf("records[%d].date", k), fmt.Sprintf("%s 不在 %s 内 %s is not in %s", r.Date, in.Month, r.Date, in.Month))
		}
		if err := aggs[d-1].addRecord(r); err != nil {
			return Summary{}, fmt.Errorf("attendance: person %d, %s: %w", in.PersonID, in.Month, err)
		}
	}

	var leaveOf [31]int16 // 1 + leave type index; 0 for none
	for k := range in.Leaves {
		l := &in.Leaves[k]
		j, ok := rs.byCode[l.Type]
		switch {
		case !ok:
			return fail(fmt.Sprintf("leaves[%d].type", k), "「"+l.Type+"」不是已设置的假别 not a configured leave type")
		case l.From.IsZero() || l.To.IsZero() || l.To.Before(l.From):
			return fail(fmt.Sprintf("leaves[%d].to", k), "请假起止日期无效 the leave's dates are invalid")
		case l.To.Before(start) || l.From.After(end):
			continue
		}
		a, b := 0, n-1
		if l.From.After(start) {
			a = l.From.Day() - 1
		}
		if l.To.Before(end) {
			b = l.To.Day() - 1
		}
		for i := a; i <= b; i++ {
			if leaveOf[i] != 0 {
				return fail(fmt.Sprintf("leaves[%d].from", k), fmt.Sprintf("请假重叠于 %s overlapping leave on %s", start.AddDays(i), start.AddDays(i)))
			}
			leaveOf[i] = int16(j + 1)
		}
	}

	var outingOf [31]*Outing
	for k := range in.Outings {
		o := &in.Outings[k]
		var field, msg string
		o.check(func(f, m string) {
			if field == "" {
				field, msg = f, m
			}
		})
		if field != "" {
			return fail(fmt.Sprintf("outings[%d].%s", k, field), msg)
		}
		y, m, d := o.Date.Time().Date()
		switch {
		case y != in.Month.Year || int(m) != in.Month.N:
			return fail(fmt.Sprintf("outings[%d].date", k), fmt.Sprintf("%s 不在 %s 内 %s is not in %s", o.Date, in.Month, o.Date, in.Month))
		case outingOf[d-1] != nil:
			return fail(fmt.Sprintf("outings[%d].date", k), fmt.Sprintf("%s 有两条外出登记 %s has two outings", o.Date, o.Date))
		}
		outingOf[d-1] = o
	}

	s := Summary{PersonID: in.PersonID, Month: in.Month}
	if days != nil {
		*days = make([]Day, 0, n)
	}
	leaveBreaksFull := false
	for i := range n {
		ci := base + i
		var date platform.Date
		if days != nil {
			date = start.AddDays(i) // only the day list needs it
		}
		switch {
		case i < lo || i > hi:
			if days != nil {
				d := Day{Date: date, Workday: cal.days[ci].work, Cause: CauseNotEmployed}
				d.Reason = rs.explain(&d, nil)
				*days = append(*days, d)
			}
			continue
		case !cal.days[ci].work:
			if days != nil {
				d := rs.decide(cal, ci, date, &aggs[i], -1, nil)
				d.Reason = rs.explain(&d, nil)
				*days = append(*days, d)
			}
			continue
		}
		s.Required++
		if i > through {
			s.Pending++
			if days != nil {
				d := Day{Date: date, Workday: true, Cause: CauseNotYet}
				d.Reason = rs.explain(&d, nil)
				*days = append(*days, d)
			}
			continue
		}
		d := rs.decide(cal, ci, date, &aggs[i], int(leaveOf[i])-1, outingOf[i])
		s.Present += d.Attended
		s.Absent += d.Absent
		if d.Late {
			s.Late++
		}
		if d.EarlyLeave {
			s.EarlyLeave++
		}
		switch d.Status {
		case OnLeave:
			s.Leave += 2
			if s.LeaveByType == nil {
				s.LeaveByType = map[string]HalfDays{}
			}
			s.LeaveByType[d.Leave] += 2
			leaveBreaksFull = leaveBreaksFull || !rs.fullOK[leaveOf[i]-1]
		case OnOuting:
			s.Outing++
		}
		if days != nil {
			d.Reason = rs.explain(&d, outingOf[i])
			*days = append(*days, d)
		}
	}

	full := &rs.rules.Full
	switch {
	case s.Required == 0:
		s.NotFull = FullMissNoWorkdays
	case full.WholeMonth && (lo > 0 || hi < n-1):
		s.NotFull = FullMissPartialMonth
	case s.Absent > 0:
		s.NotFull = FullMissAbsent
	case s.Late > full.MaxLate:
		s.NotFull = FullMissLate
	case s.EarlyLeave > full.MaxEarlyLeave:
		s.NotFull = FullMissEarlyLeave
	case leaveBreaksFull:
		s.NotFull = FullMissLeave
	default:
		s.Full = true
	}
	return s, nil
}
