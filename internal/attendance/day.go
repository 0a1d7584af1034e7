package attendance

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cmhub/internal/platform"
)

// Source is where a daily record comes from. Records of every source are
// kept side by side; none overwrites another.
type Source string

// The sources of daily records.
const (
	SourceClock  Source = "clock"  // the punch-clock import
	SourcePhone  Source = "phone"  // a check-in on the phone
	SourceManual Source = "manual" // the team lead's entry (001 第八条(四))
)

// Valid reports whether s is one of the sources.
func (s Source) Valid() bool { return s == SourceClock || s == SourcePhone || s == SourceManual }

// Status is a day's attendance status.
type Status string

// The statuses of a day. Rest is the status of a day that is not a working
// day; the others are those of SPEC §2.
const (
	Present    Status = "present"
	Late       Status = "late"
	EarlyLeave Status = "early_leave"
	Absent     Status = "absent" // 旷工, absent without leave
	OnLeave    Status = "on_leave"
	OnOuting   Status = "on_outing"
	Rest       Status = "rest"
)

func (s Status) names() (zh, en string) {
	switch s {
	case Present:
		return "出勤", "present"
	case Late:
		return "迟到", "late"
	case EarlyLeave:
		return "早退", "left early"
	case Absent:
		return "旷工", "absent"
	case OnLeave:
		return "请假", "on leave"
	case OnOuting:
		return "外出", "on an outing"
	case Rest:
		return "休息", "rest day"
	}
	return string(s), string(s)
}

// Label is the status's name for people, Chinese first.
func (s Status) Label() string {
	zh, en := s.names()
	return zh + " " + en
}

// manualStatus reports whether a team lead may record s directly. Leave
// is not among them: leave goes through a request (001 第八条(五)).
func manualStatus(s Status) bool {
	return s == Present || s == Late || s == EarlyLeave || s == Absent || s == OnOuting
}

const maxNote = 200

// Record is one source's account of one person's day: the first arrival
// and last departure it saw, or (manual records only) an explicit status.
type Record struct {
	PersonID int64         `json:"personId"`
	Date     platform.Date `json:"date"`
	Source   Source        `json:"source"`
	In       TimeOfDay     `json:"in"`
	Out      TimeOfDay     `json:"out"`
	// Status is the team lead's explicit status; it decides the day over
	// any punch. Empty for clock and phone records.
	Status Status `json:"status,omitempty"`
	Note   string `json:"note,omitempty"`
}

func (r *Record) check(add func(field, msg string)) {
	if r.PersonID <= 0 {
		add("personId", "须指定人员 the person is required")
	}
	if r.Date.IsZero() {
		add("date", "日期必填 the date is required")
	}
	if !r.Source.Valid() {
		add("source", "来源须为 clock、phone 或 manual the source must be clock, phone or manual")
	}
	switch {
	case r.Status != "" && r.Source != SourceManual:
		add("status", "只有负责人手工登记可直接给出考勤状态 only a manual record may set a status")
	case r.Status != "" && !manualStatus(r.Status):
		add("status", "手工登记的状态须为 present、late、early_leave、absent 或 on_outing；请假须走请假申请 a manual status must be present, late, early_leave, absent or on_outing; leave goes through a request")
	case r.Status == "" && r.In.IsZero() && r.Out.IsZero():
		add("in", "须有上班或下班时间（手工登记也可直接给出状态）a record needs a time, or a status when manual")
	}
	if !r.In.IsZero() && !r.Out.IsZero() && r.Out.Seconds() < r.In.Seconds() {
		add("out", "下班时间早于上班时间 the departure is before the arrival")
	}
	if !utf8.ValidString(r.Note) || utf8.RuneCountInString(r.Note) > maxNote {
		add("note", fmt.Sprintf("备注最多 %d 个字 the note has at most %d characters", maxNote, maxNote))
	}
}

// Validate reports the record's problems by JSON field name.
func (r Record) Validate() platform.Fields {
	f := platform.Fields{}
	r.check(f.Add)
	return f
}

// Outing is an approved outing (外出展业, with its slip 营销人员出访单) of one
// day. Without hours it covers the whole working day; with hours it counts
// as presence from From to To.
type Outing struct {
	Date platform.Date `json:"date"`
	From TimeOfDay     `json:"from"`
	To   TimeOfDay     `json:"to"`
}

func (o *Outing) wholeDay() bool { return o.From.IsZero() && o.To.IsZero() }

func (o *Outing) check(add func(field, msg string)) {
	if o.Date.IsZero() {
		add("date", "日期必填 the date is required")
	}
	switch {
	case o.From.IsZero() != o.To.IsZero():
		add("to", "外出起止时间须同时填写或都不填 give both times of the outing or neither")
	case !o.From.IsZero() && o.To.Seconds() <= o.From.Seconds():
		add("to", "外出结束时间须晚于开始时间 the outing must end after it starts")
	}
}

// Cause says which rule decided a day; Day.Reason spells it out.
type Cause string

// The causes.
const (
	CauseWeekend     Cause = "weekend"
	CauseHoliday     Cause = "holiday"
	CauseRestDay     Cause = "rest_day"
	CauseNotEmployed Cause = "not_employed" // before hire or after leaving
	CauseNotYet      Cause = "not_yet"      // after the day the summary runs through
	CauseLeave       Cause = "leave"
	CauseManual      Cause = "manual"
	CauseOuting      Cause = "outing"
	CauseNoPunch     Cause = "no_punch"
	CausePunches     Cause = "punches"
)

// Day is the derived attendance of one person on one day, with what it
// was derived from.
type Day struct {
	Date    platform.Date `json:"date"`
	Workday bool          `json:"workday"`
	// Status is empty on days that are not counted (not employed, not yet).
	Status Status `json:"status"`
	Cause  Cause  `json:"cause"`
	// In and Out are the arrival and departure used, from punches or an
	// outing's hours; unset when missing.
	In  TimeOfDay `json:"in"`
	Out TimeOfDay `json:"out"`
	// LateMinutes and EarlyMinutes are measured from the working hours,
	// also when within grace.
	LateMinutes  int `json:"lateMinutes"`
	EarlyMinutes int `json:"earlyMinutes"`
	// Late and EarlyLeave say whether the day counts a late and an early
	// leave; a day can count both. Lateness turned into absence does not.
	Late       bool     `json:"late"`
	EarlyLeave bool     `json:"earlyLeave"`
	Absent     HalfDays `json:"absentDays"`
	Attended   HalfDays `json:"attendedDays"`
	// Leave is the leave type's code on a day of leave.
	Leave string `json:"leave,omitempty"`
	// Holiday is the calendar entry's name, when the day has one.
	Holiday string `json:"holiday,omitempty"`
	// Reason explains the status for people, Chinese then English.
	Reason string `json:"reason"`
}

// dayAgg gathers a day's records: the earliest and latest time any
// record shows, and the lead's explicit status.
type dayAgg struct {
	first, last TimeOfDay
	manual      Status
}

func (a *dayAgg) addTime(t TimeOfDay) {
	if t.IsZero() {
		return
	}
	if a.first.IsZero() || t.v < a.first.v {
		a.first = t
	}
	if t.v > a.last.v {
		a.last = t
	}
}

// addRecord adds a checked record; two different explicit statuses for one
// day are an error, since which one holds would depend on input order.
func (a *dayAgg) addRecord(r *Record) error {
	if r.Status != "" {
		if a.manual != "" && a.manual != r.Status {
			return platform.Invalid("status", fmt.Sprintf("%s 有两条不同的手工登记状态 %s 与 %s %s has two manual statuses, %s and %s", r.Date, a.manual, r.Status, r.Date, a.manual, r.Status))
		}
		a.manual = r.Status
	}
	a.addTime(r.In)
	a.addTime(r.Out)
	return nil
}

// DayInput is what is known of one person's day.
type DayInput struct {
	Date platform.Date
	// Records are the person's records of the day, from any source.
	Records []Record
	// Leave is the code of the approved leave covering the day, "" for none.
	Leave string
	// Outing is the approved outing of the day, if any.
	Outing *Outing
}

// Day derives the status of one day, with its reason. The caller knows the
// person is employed that day.
func (rs *Ruleset) Day(cal *Calendar, in DayInput) (Day, error) {
	i, err := cal.index(in.Date)
	if err != nil {
		return Day{}, err
	}
	fs := platform.Fields{}
	var agg dayAgg
	for k := range in.Records {
		r := &in.Records[k]
		prefix := fmt.Sprintf("records[%d].", k)
		r.check(func(field, msg string) { fs.Add(prefix+field, msg) })
		if r.Date != in.Date {
			fs.Add(prefix+"date", fmt.Sprintf("记录日期 %s 不是 %s the record is of %s, not %s", r.Date, in.Date, r.Date, in.Date))
		}
		if len(fs) == 0 {
			if err := agg.addRecord(r); err != nil {
				return Day{}, fmt.Errorf("attendance: %s: %w", in.Date, err)
			}
		}
	}
	leave := -1
	if in.Leave != "" {
		j, ok := rs.byCode[in.Leave]
		if !ok {
			fs.Add("leave", "「"+in.Leave+"」不是已设置的假别 not a configured leave type")
		}
		leave = j
	}
	if o := in.Outing; o != nil {
		o.check(func(field, msg string) { fs.Add("outing."+field, msg) })
		if o.Date != in.Date {
			fs.Add("outing.date", fmt.Sprintf("外出日期 %s 不是 %s the outing is on %s, not %s", o.Date, in.Date, o.Date, in.Date))
		}
	}
	if err := fs.Err(); err != nil {
		return Day{}, err
	}
	d := rs.decide(cal, i, in.Date, &agg, leave, in.Outing)
	d.Reason = rs.explain(&d, in.Outing)
	return d, nil
}

// decide applies the rules to one day of the calendar (index i). Its order
// is the order of authority: the calendar, approved leave, the lead's
// explicit status, a whole-day outing, then punches.
func (rs *Ruleset) decide(cal *Calendar, i int, date platform.Date, a *dayAgg, leave int, o *Outing) Day {
	info := cal.days[i]
	d := Day{Date: date, Workday: info.work}
	if info.entry >= 0 {
		d.Holiday = cal.entries[info.entry].Name
	}
	r := &rs.rules
	switch {
	case !info.work:
		d.Status, d.Cause = Rest, CauseWeekend
		if info.entry >= 0 {
			d.Cause = CauseHoliday
			if cal.entries[info.entry].Kind == RestDay {
				d.Cause = CauseRestDay
			}
		}
		return d
	case leave >= 0:
		d.Status, d.Cause, d.Leave = OnLeave, CauseLeave, rs.types[leave].Code
		if rs.types[leave].Attended {
			d.Attended = 2
		}
		return d
	case a.manual != "":
		d.Status, d.Cause = a.manual, CauseManual
		switch a.manual {
		case Absent:
			d.Absent = 2
		case OnOuting:
			if r.OutingAttended {
				d.Attended = 2
			}
		default:
			d.Attended = 2
			d.Late = a.manual == Late
			d.EarlyLeave = a.manual == EarlyLeave
		}
		return d
	case o != nil && o.wholeDay():
		d.Status, d.Cause = OnOuting, CauseOuting
		if r.OutingAttended {
			d.Attended = 2
		}
		return d
	}
	times := *a
	if o != nil {
		// An outing with hours is presence during those hours.
		times.addTime(o.From)
		times.addTime(o.To)
	}
	if times.first.IsZero() {
		d.Status, d.Cause, d.Absent = Absent, CauseNoPunch, 2
		return d
	}
	d.Cause = CausePunches
	mid := r.midday()
	if times.first.Minutes() <= mid {
		d.In = times.first
	}
	if times.last.Minutes() > mid {
		d.Out = times.last
	}
	var absent HalfDays
	count := func(m Missing, set *bool) {
		switch m {
		case MissingAbsent:
			absent += 2
		case MissingHalfDay:
			absent++
		case MissingLateOrEarly:
			*set = true
		}
	}
	over := func(minutes, grace, half, whole int, set *bool) {
		switch {
		case minutes <= grace:
		case whole > 0 && minutes > whole:
			absent += 2
		case half > 0 && minutes > half:
			absent++
		default:
			*set = true
		}
	}
	if d.In.IsZero() {
		count(r.MissingIn, &d.Late)
	} else if late := d.In.Minutes() - r.WorkStart.Minutes(); late > 0 {
		d.LateMinutes = late
		over(late, r.LateGraceMinutes, r.LateHalfDayAfterMinutes, r.LateAbsentAfterMinutes, &d.Late)
	}
	if d.Out.IsZero() {
		count(r.MissingOut, &d.EarlyLeave)
	} else if early := r.WorkEnd.Minutes() - d.Out.Minutes(); early > 0 {
		d.EarlyMinutes = early
		over(early, r.EarlyGraceMinutes, r.EarlyHalfDayAfterMinutes, r.EarlyAbsentAfterMinutes, &d.EarlyLeave)
	}
	d.Absent = min(absent, 2)
	d.Attended = 2 - d.Absent
	switch {
	case d.Absent > 0:
		d.Status = Absent
	case d.Late:
		d.Status = Late
	case d.EarlyLeave:
		d.Status = EarlyLeave
	default:
		d.Status = Present
	}
	return d
}

// explain writes a day's reason, Chinese first, then English.
func (rs *Ruleset) explain(d *Day, o *Outing) string {
	r := &rs.rules
	var zh, en []string
	say := func(z, e string) { zh, en = append(zh, z), append(en, e) }
	attended := func() (string, string) {
		if d.Attended > 0 {
			return "（计出勤）", " (counts as attended)"
		}
		return "（不计出勤）", " (not attended)"
	}
	switch d.Cause {
	case CauseWeekend:
		say("周末休息", "weekend")
	case CauseHoliday:
		say("法定节假日 "+d.Holiday, "public holiday "+d.Holiday)
	case CauseRestDay:
		say(strings.TrimSpace("公司休息日 "+d.Holiday), strings.TrimSpace("company rest day "+d.Holiday))
	case CauseNotEmployed:
		say("未在职", "not employed on this day")
	case CauseNotYet:
		say("尚未到", "not yet counted")
	case CauseLeave:
		t := rs.types[rs.byCode[d.Leave]]
		z, e := attended()
		say("请假："+t.Zh+z, "on leave: "+t.En+e)
	case CauseManual:
		z, e := d.Status.names()
		say("团队负责人登记为「"+z+"」", "recorded by the team lead as "+e)
	case CauseOuting:
		z, e := attended()
		say("全天外出"+z, "on an approved outing all day"+e)
	case CauseNoPunch:
		say("无打卡记录，按旷工", "no punches: absent")
	case CausePunches:
		if o != nil && !o.wholeDay() {
			say("外出 "+o.From.String()+"–"+o.To.String()+" 计为在岗", "outing "+o.From.String()+"–"+o.To.String()+" counts as presence")
		}
		punch := func(t TimeOfDay, minutes, grace, half, whole int, missing Missing, zhIn, enIn, zhLate, enLate, enCounted string) {
			if t.IsZero() {
				z, e := missingNames(missing, zhLate, enCounted)
				say("缺"+zhIn+"卡，"+z, "no "+enIn+" punch: "+e)
				return
			}
			z, e := zhIn+" "+t.String(), enIn+" "+t.String()
			if minutes > 0 {
				m := strconv.Itoa(minutes)
				z += "，" + zhLate + " " + m + " 分钟"
				e += ", " + enLate + " by " + m + " minutes"
				switch {
				case minutes <= grace:
					z += "，在宽限 " + strconv.Itoa(grace) + " 分钟内"
					e += ", within the grace of " + strconv.Itoa(grace)
				case whole > 0 && minutes > whole:
					z += "，超过 " + strconv.Itoa(whole) + " 分钟按旷工"
					e += ", more than " + strconv.Itoa(whole) + " counts as absent"
				case half > 0 && minutes > half:
					z += "，超过 " + strconv.Itoa(half) + " 分钟按旷工半天"
					e += ", more than " + strconv.Itoa(half) + " counts as half a day absent"
				}
			}
			say(z, e)
		}
		punch(d.In, d.LateMinutes, r.LateGraceMinutes, r.LateHalfDayAfterMinutes, r.LateAbsentAfterMinutes, r.MissingIn, "上班", "in", "迟到", "late", "a late")
		punch(d.Out, d.EarlyMinutes, r.EarlyGraceMinutes, r.EarlyHalfDayAfterMinutes, r.EarlyAbsentAfterMinutes, r.MissingOut, "下班", "out", "早退", "early", "an early leave")
	}
	return strings.Join(zh, "；") + " " + strings.Join(en, "; ")
}

func missingNames(m Missing, zhCounted, enCounted string) (string, string) {
	switch m {
	case MissingAbsent:
		return "按旷工", "absent"
	case MissingHalfDay:
		return "按旷工半天", "half a day absent"
	case MissingLateOrEarly:
		return "计" + zhCounted, "counts as " + enCounted
	}
	return "不计", "not counted"
}

// Local turns an instant (a phone check-in) into the local date and time
// of day the rules speak; loc is the institution's zone (Asia/Shanghai).
func Local(at time.Time, loc *time.Location) (platform.Date, TimeOfDay) {
	t := at.In(loc)
	return platform.NewDate(t.Year(), t.Month(), t.Day()), At(t.Hour(), t.Minute(), t.Second())
}
