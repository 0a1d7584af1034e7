package attendance

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"cmhub/internal/platform"
)

// LeaveType is a kind of leave as data (事假、病假、年休假 …).
type LeaveType struct {
	// Code is the stable key, e.g. "annual".
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
	// Attended: a day of this leave counts as attended (paid leave such as
	// annual or marriage leave), so it does not lower present_days.
	Attended bool `json:"attended"`
	// Balance: the type has a yearly balance, AnnualDays by default; the
	// service keeps what each person has left.
	Balance    bool `json:"balance"`
	AnnualDays int  `json:"annualDays"`
	// NoticeDays is how many days before its first day the leave must be
	// asked for; 0 = on the day itself, before it is taken (001 第八条(五)).
	NoticeDays int `json:"noticeDays"`
}

// Limits of leave data.
const (
	maxLeaveNotice = 90
	maxLeaveSpan   = 366 // calendar days of one request
	maxLeaveName   = 20
)

// DefaultLeaveTypes are examples an institution edits: the seeds name
// personal and sick leave (001 第八条(五), 002) and give no numbers.
func DefaultLeaveTypes() []LeaveType {
	return []LeaveType{
		{Code: "personal", Zh: "事假", En: "Personal leave", NoticeDays: 1},
		{Code: "sick", Zh: "病假", En: "Sick leave"},
		{Code: "annual", Zh: "年休假", En: "Annual leave", Attended: true, Balance: true, AnnualDays: 5, NoticeDays: 3},
		{Code: "marriage", Zh: "婚假", En: "Marriage leave", Attended: true, NoticeDays: 7},
		{Code: "bereavement", Zh: "丧假", En: "Bereavement leave", Attended: true},
	}
}

// validCode reports whether s has the shape of a code: lower-case, stable
// in data and URLs.
func validCode(s string) bool {
	if len(s) == 0 || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		default:
			return false
		}
	}
	return true
}

// Validate reports the problems by JSON field name.
func (t *LeaveType) Validate() platform.Fields {
	f := platform.Fields{}
	if !validCode(t.Code) {
		f.Add("code", "编码须为小写字母开头的字母、数字或下划线，最多 32 个 the code must be lower-case letters, digits or _, starting with a letter, at most 32")
	}
	name := func(field, v string) {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			f.Add(field, "名称必填 the name is required")
		case !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxLeaveName:
			f.Add(field, fmt.Sprintf("名称最多 %d 个字 at most %d characters", maxLeaveName, maxLeaveName))
		}
	}
	name("zh", t.Zh)
	name("en", t.En)
	switch {
	case t.AnnualDays < 0 || t.AnnualDays > 366:
		f.Add("annualDays", "每年天数须为 0–366 days a year must be 0–366")
	case !t.Balance && t.AnnualDays != 0:
		f.Add("annualDays", "不计余额的假别不设每年天数 a type without a balance has no days a year")
	}
	if t.NoticeDays < 0 || t.NoticeDays > maxLeaveNotice {
		f.Add("noticeDays", fmt.Sprintf("提前天数须为 0–%d notice must be 0–%d days", maxLeaveNotice, maxLeaveNotice))
	}
	return f
}

// Label is the type's name for people, Chinese first.
func (t *LeaveType) Label() string { return t.Zh + " " + t.En }

// Leave is a span of leave of one person, whole working days from From to
// To inclusive: approved for the summary, pending or approved when a new
// request is checked for overlap.
type Leave struct {
	Type string        `json:"type"`
	From platform.Date `json:"from"`
	To   platform.Date `json:"to"`
}

// LeaveRequest is a request as the person (or the lead on their behalf)
// submits it.
type LeaveRequest struct {
	Type string        `json:"type"`
	From platform.Date `json:"from"`
	To   platform.Date `json:"to"`
	// RequestedOn is the day of the request (the service's today).
	RequestedOn platform.Date `json:"requestedOn"`
	// Override is the team lead's permission for a request after the leave
	// began or at shorter notice than the type asks (补假).
	Override bool `json:"override"`
}

// CheckLeave checks a request against its type, the calendar, what is left
// of the type's balance this year (ignored for a type without one) and the
// person's other pending or approved leave, and returns the working days
// it uses. Bad input is a *platform.ValidationError (fields type, from, to,
// requestedOn); too little balance or an overlap is a *platform.ConflictError
// (codes "balance", "overlap").
func (rs *Ruleset) CheckLeave(req LeaveRequest, cal Days, remaining int, other []Leave) (int, error) {
	fs := platform.Fields{}
	t, ok := rs.LeaveType(req.Type)
	if !ok {
		fs.Add("type", "「"+req.Type+"」不是已设置的假别 not a configured leave type")
	}
	if req.RequestedOn.IsZero() {
		fs.Add("requestedOn", "申请日期必填 the request date is required")
	}
	for _, e := range []struct {
		field, zh, en string
		d             platform.Date
	}{{"from", "开始日期", "the first day", req.From}, {"to", "结束日期", "the last day", req.To}} {
		if e.d.IsZero() {
			fs.Add(e.field, e.zh+"必填 "+e.en+" is required")
			continue
		}
		work, err := cal.IsWorkday(e.d)
		switch {
		case errors.Is(err, ErrNoCalendar):
			fs.Add(e.field, fmt.Sprintf("%d 年的工作日历尚未设置 the working calendar of %d is not set up", e.d.Year(), e.d.Year()))
		case err != nil:
			return 0, fmt.Errorf("attendance: leave check: %w", err)
		case !work:
			fs.Add(e.field, fmt.Sprintf("%s%s 不是工作日 %s %s is not a working day", e.zh, e.d, e.en, e.d))
		}
	}
	if !req.From.IsZero() && !req.To.IsZero() {
		switch {
		case req.To.Before(req.From):
			fs.Add("to", "结束日期不能早于开始日期 the last day cannot be before the first")
		case req.To.Time().Sub(req.From.Time()).Hours()/24 >= maxLeaveSpan:
			fs.Add("to", fmt.Sprintf("一次请假最长 %d 天 one request covers at most %d days", maxLeaveSpan, maxLeaveSpan))
		}
	}
	if ok && !req.RequestedOn.IsZero() && !req.From.IsZero() && !req.Override {
		earliest := req.RequestedOn.AddDays(t.NoticeDays)
		switch {
		case req.From.Before(req.RequestedOn):
			fs.Add("from", "请假须在休假前申请，事后补假须由团队负责人办理 leave is asked before it is taken; afterwards only the team lead can record it")
		case req.From.Before(earliest):
			fs.Add("from", fmt.Sprintf("%s须提前 %d 天申请，最早可从 %s 开始 %s needs %d days' notice; the earliest first day is %s", t.Zh, t.NoticeDays, earliest, t.En, t.NoticeDays, earliest))
		}
	}
	if err := fs.Err(); err != nil {
		return 0, err
	}
	days, err := cal.Workdays(req.From, req.To)
	if err != nil {
		if errors.Is(err, ErrNoCalendar) {
			return 0, platform.Invalid("to", "请假期间跨越尚未设置工作日历的年度 the leave spans a year without a working calendar")
		}
		return 0, fmt.Errorf("attendance: leave check: %w", err)
	}
	for _, o := range other {
		if !o.To.Before(req.From) && !req.To.Before(o.From) {
			return 0, platform.Conflict("overlap", "from", fmt.Sprintf("与已有请假 %s 至 %s 重叠 overlaps leave from %s to %s", o.From, o.To, o.From, o.To))
		}
	}
	if t.Balance && days > remaining {
		return 0, platform.Conflict("balance", "to", fmt.Sprintf("%s余额 %d 天，本次需 %d 个工作日 %s balance is %d days; this request needs %d working days", t.Zh, max(remaining, 0), days, t.En, max(remaining, 0), days))
	}
	return days, nil
}
