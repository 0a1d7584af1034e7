package attendance

import (
	"fmt"

	"cmhub/internal/platform"
)

// Missing says what a working day with punches but no arrival (or no
// departure) counts as. A day with no punch at all is always absent.
type Missing string

// The ways to count a missing punch.
const (
	// MissingAbsent counts the day as absent (旷工), like the worst lateness:
	// anything milder would make not punching better than punching late.
	MissingAbsent Missing = "absent"
	// MissingHalfDay counts half a day of absence.
	MissingHalfDay Missing = "half_absent"
	// MissingLateOrEarly counts a late (no arrival) or an early leave (no
	// departure).
	MissingLateOrEarly Missing = "late_or_early"
	// MissingIgnore counts the day as attended.
	MissingIgnore Missing = "ignore"
)

func (m Missing) valid() bool {
	return m == MissingAbsent || m == MissingHalfDay || m == MissingLateOrEarly || m == MissingIgnore
}

// Rules are an institution's (or an outlet's) attendance rules. The seed
// leaves them to "the company's rules" (001 第八条: hours follow the outlet
// where the manager is stationed), so every number is data. Minutes are
// whole clock minutes (see TimeOfDay.Minutes).
type Rules struct {
	// WorkStart and WorkEnd are the working hours of one day (001 第八条(二):
	// eight hours). A shift across midnight is not supported.
	WorkStart TimeOfDay `json:"workStart"`
	WorkEnd   TimeOfDay `json:"workEnd"`

	// LateGraceMinutes: arriving up to this many minutes after WorkStart is
	// on time. Lateness is still measured from WorkStart.
	LateGraceMinutes int `json:"lateGraceMinutes"`
	// LateHalfDayAfterMinutes: late by more than this counts as half a day
	// of absence instead of a late; 0 = no such rule.
	LateHalfDayAfterMinutes int `json:"lateHalfDayAfterMinutes"`
	// LateAbsentAfterMinutes: late by more than this counts as a whole day
	// of absence (seed 002: 半小时以上按旷工处理, i.e. 30); 0 = no such rule.
	LateAbsentAfterMinutes int `json:"lateAbsentAfterMinutes"`

	// EarlyGraceMinutes: leaving up to this many minutes before WorkEnd is
	// not an early leave (the early-leave threshold).
	EarlyGraceMinutes int `json:"earlyGraceMinutes"`
	// EarlyHalfDayAfterMinutes and EarlyAbsentAfterMinutes are the
	// half-day and whole-day thresholds for leaving early (seed 002: 早退半小时
	// 以上者记为旷工); 0 = no such rule.
	EarlyHalfDayAfterMinutes int `json:"earlyHalfDayAfterMinutes"`
	EarlyAbsentAfterMinutes  int `json:"earlyAbsentAfterMinutes"`

	// MissingIn and MissingOut count a day with no arrival or no departure
	// punch. A punch at or before the middle of the working day is an
	// arrival, a later one a departure.
	MissingIn  Missing `json:"missingIn"`
	MissingOut Missing `json:"missingOut"`

	// OutingAttended: an approved whole-day outing (外出展业, 001 第八条(三))
	// counts as attended. An outing with hours counts as presence during
	// those hours, whatever this says.
	OutingAttended bool `json:"outingAttended"`

	// Full is the rule for full attendance (全勤), which pay rewards.
	Full FullRule `json:"fullAttendance"`
}

// FullRule says when a month is full attendance. Any absence always
// breaks it.
type FullRule struct {
	// MaxLate and MaxEarlyLeave are the lates and early leaves still allowed.
	MaxLate       int `json:"maxLate"`
	MaxEarlyLeave int `json:"maxEarlyLeave"`
	// LeaveAllowed lists the leave type codes that keep full attendance
	// (e.g. marriage leave at some institutions); by default none.
	LeaveAllowed []string `json:"leaveAllowed"`
	// WholeMonth: a person hired or leaving within the month cannot have
	// full attendance.
	WholeMonth bool `json:"wholeMonth"`
}

// DefaultRules are 09:00–17:00, no grace, late or early by more than 30
// minutes counts as a day of absence (seed 002 客户经理管理制度 一), a
// missing punch counts as absent, outings count as attended, and full
// attendance means no late, no early leave, no absence and no leave.
func DefaultRules() Rules {
	return Rules{
		WorkStart:               At(9, 0, 0),
		WorkEnd:                 At(17, 0, 0),
		LateAbsentAfterMinutes:  30,
		EarlyAbsentAfterMinutes: 30,
		MissingIn:               MissingAbsent,
		MissingOut:              MissingAbsent,
		OutingAttended:          true,
	}
}

// maxGrace bounds the grace minutes; a larger grace is a different start.
const maxGrace = 120

// Validate reports the problems by JSON field name; leave codes of
// fullAttendance.leaveAllowed are checked against the leave types by
// NewRuleset.
func (r *Rules) Validate() platform.Fields {
	f := platform.Fields{}
	add := f.Add
	if r.WorkStart.IsZero() {
		add("workStart", "上班时间必填 the start of work is required")
	}
	if r.WorkEnd.IsZero() {
		add("workEnd", "下班时间必填 the end of work is required")
	}
	length := 0
	if !r.WorkStart.IsZero() && !r.WorkEnd.IsZero() {
		length = r.WorkEnd.Minutes() - r.WorkStart.Minutes()
		if length <= 0 {
			add("workEnd", "下班时间须晚于上班时间（暂不支持跨零点的班次）the end of work must be after the start (shifts across midnight are not supported)")
		}
	}
	side := func(name, zh, en string, grace, half, absent int) {
		if grace < 0 || grace > maxGrace || length > 0 && grace >= length {
			add(name+"GraceMinutes", fmt.Sprintf("%s宽限须为 0–%d 分钟且短于工作时长 %s grace must be 0–%d minutes and shorter than the working day", zh, maxGrace, en, maxGrace))
		}
		limit := func(field string, v int) {
			switch {
			case v < 0:
				add(field, fmt.Sprintf("%s分钟数不能为负，0 表示不设此规则 %s minutes cannot be negative; 0 means no such rule", zh, en))
			case v > 0 && v <= grace:
				add(field, fmt.Sprintf("%s超过 %d 分钟才算旷工，须大于宽限 %d 分钟 %s threshold %d must exceed the grace of %d minutes", zh, v, grace, en, v, grace))
			case v > 0 && length > 0 && v >= length:
				add(field, fmt.Sprintf("%s分钟数须短于工作时长 %d 分钟 %s threshold must be shorter than the working day of %d minutes", zh, length, en, length))
			}
		}
		limit(name+"HalfDayAfterMinutes", half)
		limit(name+"AbsentAfterMinutes", absent)
		if half > 0 && absent > 0 && half >= absent {
			add(name+"HalfDayAfterMinutes", fmt.Sprintf("%s按半天旷工的分钟数须小于按全天旷工的 %d %s half-day threshold must be below the whole-day threshold of %d", zh, absent, en, absent))
		}
	}
	side("late", "迟到", "late", r.LateGraceMinutes, r.LateHalfDayAfterMinutes, r.LateAbsentAfterMinutes)
	side("early", "早退", "early-leave", r.EarlyGraceMinutes, r.EarlyHalfDayAfterMinutes, r.EarlyAbsentAfterMinutes)
	for _, m := range []struct {
		field string
		v     Missing
	}{{"missingIn", r.MissingIn}, {"missingOut", r.MissingOut}} {
		if !m.v.valid() {
			add(m.field, "缺卡计为须为 absent、half_absent、late_or_early 或 ignore a missing punch must count as absent, half_absent, late_or_early or ignore")
		}
	}
	if r.Full.MaxLate < 0 || r.Full.MaxLate > 31 {
		add("fullAttendance.maxLate", "全勤允许的迟到次数须为 0–31 lates allowed must be 0–31")
	}
	if r.Full.MaxEarlyLeave < 0 || r.Full.MaxEarlyLeave > 31 {
		add("fullAttendance.maxEarlyLeave", "全勤允许的早退次数须为 0–31 early leaves allowed must be 0–31")
	}
	return f
}

// midday is the minute that separates arrivals from departures.
func (r *Rules) midday() int { return (r.WorkStart.Minutes() + r.WorkEnd.Minutes()) / 2 }
