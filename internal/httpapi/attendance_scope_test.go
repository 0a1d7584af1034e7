package httpapi_test

import (
	"bytes"
	"testing"
)

// checkAttendanceScopes: the month view lists exactly the people in each
// demo user's scope, and manual entries are accepted for people in scope
// only.
func checkAttendanceScopes(t *testing.T, h *harness, w *world, mark func(method, path string)) {
	for _, r := range []string{"GET /api/attendance/month", "PUT /api/attendance/records",
		// The calendar and the rules hold no people's data; check-in writes one's own record.
		"GET /api/attendance/calendar/{year}", "PUT /api/attendance/calendar/{year}", "GET /api/attendance/rules",
		"PUT /api/attendance/rules", "POST /api/attendance/check-in"} {
		m, p, _ := cut(r)
		mark(m, p)
	}
	for username := range matrixUsers {
		t.Run("attendance/"+username, func(t *testing.T) {
			cl := h.login(t, username)
			vis := w.visible(username, w.unitOf)
			st, b := cl.do(t, "GET", "/api/attendance/month?month=2026-11&pageSize=500", nil)
			if st == 403 {
				if username != "archivist" {
					t.Errorf("attendance refused to %s", username)
				}
				return
			}
			if st != 200 {
				t.Fatalf("month: %d %s", st, b)
			}
			var m struct {
				People []struct {
					PersonID int64 `json:"personId"`
				} `json:"people"`
				Total int `json:"total"`
			}
			decodeJSON(t, b, &m)
			seen := map[int64]bool{}
			for _, p := range m.People {
				seen[p.PersonID] = true
				if !vis[p.PersonID] {
					t.Errorf("%s sees the attendance of %d", username, p.PersonID)
				}
			}
			// Everyone in scope is listed (the demo terminates nobody).
			for p := range vis {
				if !seen[p] {
					t.Errorf("%s does not see the attendance of %d", username, p)
				}
			}
			// Manual entries: a person outside the scope is refused by row.
			for _, p := range w.persons {
				if vis[p] {
					continue
				}
				st, b := cl.do(t, "PUT", "/api/attendance/records", map[string]any{"rows": []map[string]any{{"empNo": w.empNo[p], "date": "2026-11-02", "status": "present"}}})
				if st != 400 && st != 403 || st == 400 && !bytes.Contains(b, []byte("rows[0].empNo")) {
					t.Errorf("%s entered the attendance of %d: %d %s", username, p, st, b)
				}
				break
			}
		})
	}
}
