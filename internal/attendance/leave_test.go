package attendance_test

import (
	"errors"
	"testing"

	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

func TestCheckLeave(t *testing.T) {
	rs := ruleset(t, nil)
	c26 := cal2026(t)
	c27, err := attendance.NewCalendar(1, 2027, []attendance.Entry{{Date: date(t, "2027-01-01"), Kind: attendance.Holiday, Name: "元旦"}})
	if err != nil {
		t.Fatal(err)
	}
	both := attendance.Calendars{c26, c27}
	req := func(typ, from, to, on string) attendance.LeaveRequest {
		return attendance.LeaveRequest{Type: typ, From: date(t, from), To: date(t, to), RequestedOn: date(t, on)}
	}
	for _, tc := range []struct {
		name      string
		req       attendance.LeaveRequest
		remaining int
		other     []attendance.Leave
		days      int
		fields    string // validation error fields
		conflict  string // conflict code
	}{
		{name: "leave across a holiday uses only workdays", req: req("personal", "2026-09-28", "2026-10-09", "2026-09-20"), days: 5},
		{name: "across a weekend", req: req("sick", "2026-03-06", "2026-03-09", "2026-03-06"), days: 2},
		{name: "across New Year", req: req("personal", "2026-12-30", "2027-01-05", "2026-12-01"), days: 4},
		{name: "first day is a holiday", req: req("personal", "2026-10-01", "2026-10-09", "2026-09-20"), fields: "from"},
		{name: "last day is a Sunday", req: req("personal", "2026-03-02", "2026-03-08", "2026-02-20"), fields: "to"},
		{name: "make-up Saturday may be taken", req: req("personal", "2026-02-14", "2026-02-14", "2026-02-01"), days: 1},
		{name: "in the past", req: req("sick", "2026-03-02", "2026-03-02", "2026-03-03"), fields: "from"},
		{name: "in the past with the lead's override", req: attendance.LeaveRequest{Type: "sick", From: date(t, "2026-03-02"), To: date(t, "2026-03-02"), RequestedOn: date(t, "2026-03-03"), Override: true}, days: 1},
		{name: "sick leave on the day", req: req("sick", "2026-03-03", "2026-03-03", "2026-03-03"), days: 1},
		{name: "personal leave needs a day's notice", req: req("personal", "2026-03-03", "2026-03-03", "2026-03-03"), fields: "from"},
		{name: "annual leave with notice", req: req("annual", "2026-03-09", "2026-03-13", "2026-03-02"), remaining: 5, days: 5},
		{name: "annual leave beyond the balance", req: req("annual", "2026-03-09", "2026-03-13", "2026-03-02"), remaining: 4, conflict: "balance"},
		{name: "balance ignored for a type without one", req: req("personal", "2026-03-09", "2026-03-13", "2026-03-02"), remaining: 0, days: 5},
		{name: "overlap", req: req("personal", "2026-03-09", "2026-03-13", "2026-03-02"),
			other: []attendance.Leave{{Type: "sick", From: date(t, "2026-03-13"), To: date(t, "2026-03-16")}}, conflict: "overlap"},
		{name: "adjacent is no overlap", req: req("personal", "2026-03-09", "2026-03-13", "2026-03-02"),
			other: []attendance.Leave{{Type: "sick", From: date(t, "2026-03-16"), To: date(t, "2026-03-16")}}, days: 5},
		{name: "unknown type", req: req("sabbatical", "2026-03-09", "2026-03-13", "2026-03-02"), fields: "type"},
		{name: "reversed", req: req("personal", "2026-03-13", "2026-03-09", "2026-03-02"), fields: "to"},
		{name: "no calendar for the year", req: req("personal", "2028-03-13", "2028-03-14", "2028-03-02"), fields: "from,to"},
		{name: "no request date", req: attendance.LeaveRequest{Type: "personal", From: date(t, "2026-03-09"), To: date(t, "2026-03-09")}, fields: "requestedOn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			days, err := rs.CheckLeave(tc.req, both, tc.remaining, tc.other)
			switch {
			case tc.fields != "":
				if got := join(fieldsOf(t, err)); got != tc.fields {
					t.Fatalf("fields %s, want %s", got, tc.fields)
				}
			case tc.conflict != "":
				var ce *platform.ConflictError
				if !errors.As(err, &ce) || ce.Code != tc.conflict {
					t.Fatalf("got %v, want conflict %s", err, tc.conflict)
				}
				bilingual(t, ce.Message)
			default:
				if err != nil || days != tc.days {
					t.Fatalf("got %d, %v; want %d", days, err, tc.days)
				}
			}
		})
	}
	// A single year's calendar answers within its year.
	if days, err := rs.CheckLeave(req("personal", "2026-09-28", "2026-10-09", "2026-09-20"), c26, 0, nil); days != 5 || err != nil {
		t.Fatal(days, err)
	}
}
