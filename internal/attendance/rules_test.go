package attendance_test

import (
	"errors"
	"testing"

	"cmhub/internal/attendance"
)

func TestDefaultsAreValid(t *testing.T) {
	r := attendance.DefaultRules()
	if f := r.Validate(); len(f) > 0 {
		t.Fatal(f)
	}
	for _, lt := range attendance.DefaultLeaveTypes() {
		if f := lt.Validate(); len(f) > 0 {
			t.Fatal(lt.Code, f)
		}
	}
	rs := ruleset(t, nil)
	if got := rs.Rules(); got.LateAbsentAfterMinutes != 30 || got.EarlyAbsentAfterMinutes != 30 || !got.OutingAttended {
		t.Fatalf("defaults %+v", got)
	}
	if lt, ok := rs.LeaveType("annual"); !ok || !lt.Attended || !lt.Balance {
		t.Fatalf("annual leave %+v", lt)
	}
	if len(rs.LeaveTypes()) != len(attendance.DefaultLeaveTypes()) {
		t.Fatal("leave types")
	}
}

func TestRulesValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(r *attendance.Rules)
		want string
	}{
		{"no start", func(r *attendance.Rules) { r.WorkStart = attendance.At(25, 0, 0) }, "workStart"},
		{"shift across midnight", func(r *attendance.Rules) { r.WorkStart, r.WorkEnd = attendance.At(20, 0, 0), attendance.At(2, 0, 0) }, "workEnd"},
		{"negative grace", func(r *attendance.Rules) { r.LateGraceMinutes = -1 }, "lateGraceMinutes"},
		{"grace too long", func(r *attendance.Rules) { r.EarlyGraceMinutes, r.EarlyAbsentAfterMinutes = 121, 0 }, "earlyGraceMinutes"},
		{"threshold within grace", func(r *attendance.Rules) { r.LateGraceMinutes = 30 }, "lateAbsentAfterMinutes"},
		{"half day not below whole day", func(r *attendance.Rules) { r.LateHalfDayAfterMinutes = 30 }, "lateHalfDayAfterMinutes"},
		{"threshold longer than the day", func(r *attendance.Rules) { r.EarlyAbsentAfterMinutes = 480 }, "earlyAbsentAfterMinutes"},
		{"negative threshold", func(r *attendance.Rules) { r.EarlyHalfDayAfterMinutes = -5 }, "earlyHalfDayAfterMinutes"},
		{"unknown missing policy", func(r *attendance.Rules) { r.MissingOut = "warn" }, "missingOut"},
		{"negative lates allowed", func(r *attendance.Rules) { r.Full.MaxLate = -1 }, "fullAttendance.maxLate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := attendance.DefaultRules()
			tc.edit(&r)
			_, err := attendance.NewRuleset(r, attendance.DefaultLeaveTypes())
			if got := join(fieldsOf(t, err)); got != "rules."+tc.want {
				t.Fatalf("fields %s, want rules.%s", got, tc.want)
			}
		})
	}
}

func TestLeaveTypeValidation(t *testing.T) {
	base := attendance.LeaveType{Code: "annual", Zh: "年休假", En: "Annual leave", Balance: true, AnnualDays: 5}
	for _, tc := range []struct {
		name string
		edit func(lt *attendance.LeaveType)
		want string
	}{
		{"bad code", func(lt *attendance.LeaveType) { lt.Code = "Annual Leave" }, "code"},
		{"no Chinese name", func(lt *attendance.LeaveType) { lt.Zh = "" }, "zh"},
		{"days without balance", func(lt *attendance.LeaveType) { lt.Balance = false }, "annualDays"},
		{"negative days", func(lt *attendance.LeaveType) { lt.AnnualDays = -1 }, "annualDays"},
		{"notice too long", func(lt *attendance.LeaveType) { lt.NoticeDays = 91 }, "noticeDays"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lt := base
			tc.edit(&lt)
			_, err := attendance.NewRuleset(attendance.DefaultRules(), []attendance.LeaveType{lt})
			if got := join(fieldsOf(t, err)); got != "leaveTypes[0]."+tc.want {
				t.Fatalf("fields %s, want leaveTypes[0].%s", got, tc.want)
			}
		})
	}
	types := append(attendance.DefaultLeaveTypes(), attendance.DefaultLeaveTypes()[0])
	r := attendance.DefaultRules()
	r.Full.LeaveAllowed = []string{"marriage", "holiday"}
	_, err := attendance.NewRuleset(r, types)
	if got := join(fieldsOf(t, err)); got != "leaveTypes[5].code,rules.fullAttendance.leaveAllowed[1]" {
		t.Fatalf("fields %s", got)
	}
}

func TestTimeOfDay(t *testing.T) {
	for in, want := range map[string]string{"9:00": "09:00", "09:05:30": "09:05:30", "23:59:59": "23:59:59", "0:00": "00:00", "08：30": "08:30"} {
		got, err := attendance.ParseTimeOfDay(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "24:00", "9", "9:5", "09:60", "09:00:60", "+9:00", "09:00:00:00", "٩:٠٠", "09:00 "} {
		if _, err := attendance.ParseTimeOfDay(in); !errors.Is(err, attendance.ErrBadTime) {
			t.Errorf("ParseTimeOfDay(%q) = %v, want ErrBadTime", in, err)
		}
	}
	if m := clock(t, "09:00:59").Minutes(); m != 540 {
		t.Errorf("Minutes = %d", m)
	}
	var zero attendance.TimeOfDay
	if !zero.IsZero() || zero.Minutes() != -1 || zero.String() != "" || !attendance.At(24, 0, 0).IsZero() {
		t.Error("unset time")
	}
	b, _ := clock(t, "08:30").MarshalJSON()
	var back attendance.TimeOfDay
	if err := back.UnmarshalJSON(b); err != nil || back != clock(t, "08:30") || string(b) != `"08:30"` {
		t.Errorf("JSON round trip %s → %v, %v", b, back, err)
	}
	if err := back.UnmarshalJSON([]byte("null")); err != nil || !back.IsZero() {
		t.Error("null")
	}
}

func TestRecordValidation(t *testing.T) {
	d := date(t, "2026-03-02")
	for _, tc := range []struct {
		name string
		r    attendance.Record
		want string
	}{
		{"status from the clock", attendance.Record{PersonID: 1, Date: d, Source: attendance.SourceClock, Status: attendance.Absent}, "status"},
		{"leave as manual status", attendance.Record{PersonID: 1, Date: d, Source: attendance.SourceManual, Status: attendance.OnLeave}, "status"},
		{"nothing recorded", attendance.Record{PersonID: 1, Date: d, Source: attendance.SourcePhone}, "in"},
		{"out before in", attendance.Record{PersonID: 1, Date: d, Source: attendance.SourceManual, In: clock(t, "17:00"), Out: clock(t, "09:00")}, "out"},
		{"unknown source", attendance.Record{PersonID: 1, Date: d, Source: "gps", In: clock(t, "09:00")}, "source"},
		{"no person", attendance.Record{Date: d, Source: attendance.SourceClock, In: clock(t, "09:00")}, "personId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.r.Validate()
			if got := join(fieldsOf(t, f.Err())); got != tc.want {
				t.Fatalf("fields %s, want %s", got, tc.want)
			}
		})
	}
	ok := attendance.Record{PersonID: 1, Date: d, Source: attendance.SourceManual, Status: attendance.Absent, Note: "巡查未见 not found on patrol"}
	if f := ok.Validate(); len(f) > 0 {
		t.Fatal(f)
	}
}

func TestLabelsAreBilingual(t *testing.T) {
	for _, s := range []attendance.Status{attendance.Present, attendance.Late, attendance.EarlyLeave, attendance.Absent, attendance.OnLeave, attendance.OnOuting, attendance.Rest} {
		bilingual(t, s.Label())
	}
	for _, k := range []attendance.DayKind{attendance.Holiday, attendance.MakeupWorkday, attendance.RestDay} {
		bilingual(t, k.Label())
	}
	for _, lt := range attendance.DefaultLeaveTypes() {
		bilingual(t, lt.Label())
	}
}
