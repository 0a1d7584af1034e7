package attendance_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"cmhub/internal/attendance"
	"cmhub/internal/platform"
	"cmhub/internal/xlsx"
)

// checkPunches checks what holds for any rows: no panic, each row gives a
// punch or errors (never both, never neither), errors name the row and a
// known column, and a punch reads back the same when written canonically.
func checkPunches(t *testing.T, rows []platform.ImportRow) {
	t.Helper()
	known := map[string]bool{}
	for _, c := range attendance.PunchColumns() {
		known[c.Key] = true
	}
	ps, errs := attendance.ParsePunches(rows)
	bad := map[int]bool{}
	for _, e := range errs {
		if !known[e.Column] || e.Message == "" || !utf8.ValidString(e.Message) {
			t.Fatalf("bad row error %+v", e)
		}
		bad[e.Row] = true
	}
	good := map[int]bool{}
	for _, p := range ps {
		if bad[p.Row] || good[p.Row] {
			t.Fatalf("row %d gave a punch and errors, or two punches", p.Row)
		}
		good[p.Row] = true
		if p.EmpNo == "" || !utf8.ValidString(p.EmpNo) || utf8.RuneCountInString(p.EmpNo) > 32 || p.Date.IsZero() || p.Time.IsZero() {
			t.Fatalf("bad punch %+v", p)
		}
		back, errs := attendance.ParsePunches([]platform.ImportRow{{Num: p.Row, Values: map[string]string{
			"empNo": p.EmpNo, "punchedAt": p.Date.String() + " " + p.Time.String()}}})
		if len(errs) > 0 || len(back) != 1 || back[0] != p {
			t.Fatalf("punch %+v reads back as %+v %+v", p, back, errs)
		}
	}
	for _, r := range rows {
		if !bad[r.Num] && !good[r.Num] {
			t.Fatalf("row %d gave neither a punch nor an error", r.Num)
		}
	}
	_ = attendance.FirstLast(ps)
}

func FuzzParsePunches(f *testing.F) {
	f.Add("XZ0101", "2026-03-02 08:55:12", "", "")
	f.Add("XZ0101", "", "2026/3/2", "8:55")
	f.Add("XZ0101", "2026-03-02T17:01:00", "2026-03-02", "17:01")
	f.Add("", "2026-02-30 25:00", "2026.13.1", "٠٩:٠٠")
	f.Add("工号\x00", "46083.37", "2026-03-02 00:00:00", "2026-03-02 18:31:00")
	f.Add("a", "2026-3-2  9:01", "", "：")
	f.Fuzz(func(t *testing.T, empNo, at, d, tm string) {
		checkPunches(t, []platform.ImportRow{{Num: 2, Values: map[string]string{"empNo": empNo, "punchedAt": at, "date": d, "time": tm}}})
	})
}

func xlsxColumns(cols []platform.Column) []xlsx.Column {
	out := make([]xlsx.Column, len(cols))
	for i, c := range cols {
		out[i] = xlsx.Column{Key: c.Key, Header: c.Header, Required: c.Required, Example: c.Example, Note: c.Note}
		if c.Date {
			out[i].Kind = xlsx.KindDate
		}
	}
	return out
}

// FuzzPunchFile feeds whole uploads through the reader every import uses
// and then the punch parser, as the import endpoint will.
func FuzzPunchFile(f *testing.F) {
	f.Add([]byte("工号,打卡时间\nXZ0101,2026-03-02 08:55:12\nXZ0101,2026-03-02 17:31\n"))
	f.Add([]byte("\xef\xbb\xbfEmpNo,Date,Time,Name\r\nXZ0101,2026/3/2,8:55,张三\r\nXZ0102,2026/3/2,,李四\r\n"))
	f.Add([]byte("工号,日期,时间\nXZ0101,2026-03-02,08:55,extra\n\"XZ,0102\",\"2026-03-02\",\"9:00\"\n"))
	f.Add([]byte("工号,打卡时间,日期\nXZ0101,2026-03-02 08:55,2026-03-03\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cols := xlsxColumns(attendance.PunchColumns())
		rd, err := xlsx.Open(bytes.NewReader(data), int64(len(data)), "punches.csv", cols, xlsx.Options{MaxBytes: 1 << 20, MaxRows: 2000})
		if err != nil {
			return // whole-file problems are the reader's, fuzzed in its package
		}
		defer func() { _ = rd.Close() }()
		var rows []platform.ImportRow
		for {
			row, err := rd.Next()
			var re *xlsx.RowError
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil && !errors.As(err, &re) {
				return
			}
			rows = append(rows, platform.ImportRow{Num: row.Num, Values: row.Values})
		}
		checkPunches(t, rows)
	})
}

func FuzzParseCalendar(f *testing.F) {
	f.Add("2026-10-01", "法定节假日", "国庆节")
	f.Add("2026-10-10", "补班", "")
	f.Add("2026-10-09", "makeup_workday", "x")
	f.Add("2026-02-30", "rest", "\x00")
	f.Fuzz(func(t *testing.T, d, kind, name string) {
		rows := []platform.ImportRow{{Num: 2, Values: map[string]string{"date": d, "kind": kind, "name": name}}}
		es, errs := attendance.ParseCalendar(2026, rows)
		if (len(es) == 0) == (len(errs) == 0) {
			t.Fatalf("entries %v and errors %v", es, errs)
		}
		if len(es) > 0 {
			if _, err := attendance.NewCalendar(1, 2026, es); err != nil {
				t.Fatalf("parsed %+v does not build: %v", es, err)
			}
		}
	})
}
