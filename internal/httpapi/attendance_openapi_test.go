package httpapi_test

import (
	"testing"
)

// oaExerciseAttendance calls every attendance operation: the demo's
// calendar, a new year and its refusals, the rules, manual entries with
// a bad row, a phone check-in and the month view, as a team lead, a CM
// and the marketing director.
func oaExerciseAttendance(t *testing.T, h *harness) {
	mkt := h.login(t, "mktdir")
	tl := h.login(t, "tl11")
	cm := h.login(t, "cm02")

	var cal struct {
		Defined  bool  `json:"defined"`
		Workdays []int `json:"workdays"`
		Version  int   `json:"version"`
	}
	oaCall(t, cm, "GET", "/api/attendance/calendar/2026", nil, nil, 200, &cal)
	if !cal.Defined || len(cal.Workdays) != 12 {
		t.Fatalf("2026 calendar: %+v", cal)
	}
	oaCall(t, mkt, "GET", "/api/attendance/calendar/2031", nil, nil, 200, &cal)
	oaCall(t, mkt, "GET", "/api/attendance/calendar/x", nil, nil, 400, nil)
	oaCall(t, mkt, "PUT", "/api/attendance/calendar/2031", map[string]any{"entries": []map[string]any{{"date": "2031-01-01", "kind": "holiday", "name": ""}}, "version": 0}, nil, 400, nil)
	oaCall(t, cm, "PUT", "/api/attendance/calendar/2031", map[string]any{"entries": []any{}, "version": 0}, nil, 403, nil)
	oaCall(t, mkt, "PUT", "/api/attendance/calendar/2031", map[string]any{"entries": []map[string]any{{"date": "2031-01-01", "kind": "holiday", "name": "元旦"}}, "version": 0}, nil, 200, &cal)
	if cal.Version != 1 || cal.Workdays[0] != 22 { // January 2031: 23 weekdays, New Year's Day a Wednesday
		t.Fatalf("2031 saved: %+v", cal)
	}
	oaCall(t, mkt, "PUT", "/api/attendance/calendar/2031", map[string]any{"entries": []any{}, "version": 0}, nil, 409, nil)

	var rules map[string]any
	oaCall(t, cm, "GET", "/api/attendance/rules", nil, nil, 200, &rules)
	oaCall(t, mkt, "PUT", "/api/attendance/rules", map[string]any{"rules": rules["rules"], "leaveTypes": rules["leaveTypes"], "note": "契约测试 contract test"}, nil, 200, nil)
	oaCall(t, cm, "PUT", "/api/attendance/rules", map[string]any{"rules": rules["rules"], "leaveTypes": rules["leaveTypes"]}, nil, 403, nil)

	var month struct {
		People []struct {
			EmpNo    string `json:"empNo"`
			Position string `json:"position"`
		} `json:"people"`
		Total int `json:"total"`
	}
	oaCall(t, tl, "GET", "/api/attendance/month?month=2026-11&pageSize=100", nil, nil, 200, &month)
	if month.Total == 0 {
		t.Fatal("the team lead sees nobody")
	}
	emp := month.People[len(month.People)-1].EmpNo
	oaCall(t, tl, "PUT", "/api/attendance/records", map[string]any{"rows": []map[string]any{{"empNo": emp, "date": "2026-11-02", "in": "25:00"}}}, nil, 400, nil)
	oaCall(t, cm, "PUT", "/api/attendance/records", map[string]any{"rows": []map[string]any{{"empNo": emp, "date": "2026-11-02", "status": "present"}}}, nil, 403, nil)
	oaCall(t, tl, "PUT", "/api/attendance/records", map[string]any{"rows": []map[string]any{{"empNo": emp, "date": "2026-11-02", "in": "08:58", "out": "17:02"},
		{"empNo": emp, "date": "2026-11-03", "status": "on_outing", "note": "拜访客户"}}}, nil, 200, nil)
	oaCall(t, cm, "POST", "/api/attendance/check-in", nil, nil, 200, nil)
	oaCall(t, cm, "GET", "/api/attendance/month?month=2026-11", nil, nil, 200, &month)
	if month.Total != 1 {
		t.Fatalf("a CM sees %d people", month.Total)
	}
	oaCall(t, mkt, "GET", "/api/attendance/month?month=2024-11", nil, nil, 409, nil)
	oaCall(t, mkt, "GET", "/api/attendance/month?month=2026-13", nil, nil, 400, nil)
}
