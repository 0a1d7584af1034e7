package httpapi_test

import (
	"bytes"
	"testing"
)

// TestAttendanceImports: a punch-clock export and a calendar file through
// the import dialog's endpoint. A bad row rejects the whole file naming
// row and column; a good file writes each person's first and last punch
// of a day; importing it again changes nothing, and a later file of the
// same day widens the day. A calendar file replaces the years it covers.
func TestAttendanceImports(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		tl := h.login(t, "tl11")
		var month struct {
			People []struct {
				EmpNo string `json:"empNo"`
				Days  []struct {
					Date   string  `json:"date"`
					In     *string `json:"in"`
					Out    *string `json:"out"`
					Status string  `json:"status"`
				} `json:"days"`
			} `json:"people"`
		}
		if st, b := tl.do(t, "GET", "/api/attendance/month?month=2026-11&pageSize=100", nil); st != 200 {
			t.Fatalf("month: %d %s", st, b)
		} else {
			decodeJSON(t, b, &month)
		}
		emp := month.People[0].EmpNo
		day := func() (in, out, status string) {
			t.Helper()
			_, b := tl.do(t, "GET", "/api/attendance/month?month=2026-11&pageSize=100", nil)
			decodeJSON(t, b, &month)
			for _, p := range month.People {
				if p.EmpNo != emp {
					continue
				}
				for _, d := range p.Days {
					if d.Date == "2026-11-10" {
						if d.In != nil {
							in = *d.In
						}
						if d.Out != nil {
							out = *d.Out
						}
						return in, out, d.Status
					}
				}
			}
			t.Fatalf("no 2026-11-10 for %s", emp)
			return
		}

		if st, b := tl.do(t, "GET", "/api/import/punches/template?format=csv", nil); st != 200 || !bytes.Contains(b, []byte("打卡时间")) {
			t.Fatalf("template: %d %s", st, b)
		}
		const header = "工号 EmpNo,打卡时间 Punched at"
		st, b := tl.upload(t, "/api/import/punches", "clock.csv", csvBody(header,
			emp+",2026-11-10 08:51:07",
			"NOBODY,2026-11-10 08:52",
			emp+",2026-12-10 08:50"))
		if st != 422 || !bytes.Contains(b, []byte(`"row":3`)) || !bytes.Contains(b, []byte(`"row":4`)) {
			t.Fatalf("bad file: %d %s", st, b)
		}
		if in, _, _ := day(); in != "" {
			t.Fatalf("a rejected file wrote %s", in)
		}
		file := csvBody(header, emp+",2026-11-10 08:51:07", emp+",2026-11-10 12:01", emp+",2026-11-10 17:03:00")
		for range 2 {
			if st, b := tl.upload(t, "/api/import/punches", "clock.csv", file); st != 200 || !bytes.Contains(b, []byte(`"created":1`)) {
				t.Fatalf("import: %d %s", st, b)
			}
			if in, out, status := day(); in != "08:51:07" || out != "17:03" || status != "present" {
				t.Fatalf("day %s %s %s", in, out, status)
			}
		}
		if st, b := tl.upload(t, "/api/import/punches", "clock2.csv", csvBody(header, emp+",2026-11-10 18:30")); st != 200 {
			t.Fatalf("second file: %d %s", st, b)
		}
		if in, out, _ := day(); in != "08:51:07" || out != "18:30" {
			t.Fatalf("merged day %s %s", in, out)
		}
		if st, _ := h.login(t, "cm02").upload(t, "/api/import/punches", "clock.csv", file); st != 403 {
			t.Fatalf("a CM imported punches: %d", st)
		}

		// The calendar of 2029 from a file; a bad kind rejects it whole.
		mkt := h.login(t, "mktdir")
		const calHeader = "日期 Date,类型 Kind,名称 Name"
		st, b = mkt.upload(t, "/api/import/calendar", "cal.csv", csvBody(calHeader, "2029-01-01,法定节假日,元旦", "2029-01-02,放假,x"))
		if st != 422 || !bytes.Contains(b, []byte(`"row":3`)) {
			t.Fatalf("bad calendar: %d %s", st, b)
		}
		st, b = mkt.upload(t, "/api/import/calendar", "cal.csv", csvBody(calHeader, "2029-01-01,法定节假日,元旦", "2029-02-10,调休上班,春节调休"))
		if st != 200 {
			t.Fatalf("calendar: %d %s", st, b)
		}
		var cal struct {
			Defined  bool  `json:"defined"`
			Workdays []int `json:"workdays"`
		}
		_, b = mkt.do(t, "GET", "/api/attendance/calendar/2029", nil)
		decodeJSON(t, b, &cal)
		// January 2029: 23 weekdays less New Year's Day; February: 20 and a Saturday worked.
		if !cal.Defined || cal.Workdays[0] != 22 || cal.Workdays[1] != 21 {
			t.Fatalf("2029: %+v", cal)
		}
		if st, _ := tl.upload(t, "/api/import/calendar", "cal.csv", csvBody(calHeader, "2029-01-01,法定节假日,元旦")); st != 403 {
			t.Fatalf("a team lead imported the calendar: %d", st)
		}
	})
}
