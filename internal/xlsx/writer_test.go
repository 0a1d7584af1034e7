package xlsx

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestNeutralise(t *testing.T) {
	tests := map[string]string{
		"":          "",
		"=1+1":      "'=1+1",
		"+1":        "'+1",
		"-1":        "'-1",
		"@SUM(A1)":  "'@SUM(A1)",
		"\tx":       "'\tx",
		"\rx":       "'\rx",
		"\nx":       "'\nx",
		"张三":        "张三",
		"a=b":       "a=b",
		"'=already": "'=already",
		"１＋１":       "１＋１",
	}
	for in, want := range tests {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
		if in != "" && isFormulaStart(in[0]) {
			if got := unneutralise(Neutralise(in)); got != in {
				t.Errorf("unneutralise(Neutralise(%q)) = %q", in, got)
			}
		}
	}
}

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

func TestWriter(t *testing.T) {
	cols := []Column{
		{Key: "text", Header: "文本 Text"},
		{Key: "n", Header: "数字 Number", Kind: KindNumber},
		{Key: "d", Header: "日期 Date", Kind: KindDate},
		{Key: "x", Header: "其他 Other"},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, "人员 People", cols)
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 1, 31, 0, 0, 0, 0, time.Local)
	rows := [][]any{
		{"=1+1", 42, date, nil},
		{"+1", int64(-7), time.Date(2026, 1, 31, 9, 30, 15, 0, time.UTC), true},
		{"-1", 3.5, &date, stringer{"=cmd|' /C calc'!A0"}},
		{"@SUM(A1)", int64(1234567890123456789), time.Time{}, uint8(7)},
		{"张三", "", (*time.Time)(nil)},
	}
	for _, r := range rows {
		if err := w.Write(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(1, 2, 3, 4, 5); err == nil {
		t.Error("too many values accepted")
	}
	if err := w.Write(struct{}{}); err == nil || !strings.Contains(err.Error(), "unsupported") {
		t.Errorf("struct accepted: %v", err)
	}
	if err := w.Write(math.NaN()); err == nil {
		t.Error("NaN accepted")
	}
	if buf.Len() != 0 {
		t.Error("wrote before Close")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Write("late"); err == nil {
		t.Error("write after close accepted")
	}

	f := openFile(t, buf.Bytes())
	sheet := "人员 People"
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{sheet}) {
		t.Fatalf("sheets = %q", got)
	}
	raw := func(cell string) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	typ := func(cell string) excelize.CellType {
		t.Helper()
		ct, err := f.GetCellType(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	for cell, want := range map[string]string{
		"A1": "文本 Text", "A2": "'=1+1", "A3": "'+1", "A4": "'-1", "A5": "'@SUM(A1)", "A6": "张三",
		"B2": "42", "B3": "-7", "B4": "3.5", "B5": "1234567890123456789",
		"D3": "1", "D4": "'=cmd|' /C calc'!A0", "D5": "7",
		"C5": "", "B6": "", "C6": "",
	} {
		if got := raw(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	for _, cell := range []string{"A2", "A3", "A4", "A5", "B5"} {
		if ct := typ(cell); ct != excelize.CellTypeInlineString {
			t.Errorf("%s type = %v, want inline string", cell, ct)
		}
	}
	for _, cell := range []string{"B2", "B3", "B4"} {
		if ct := typ(cell); ct != excelize.CellTypeNumber && ct != excelize.CellTypeUnset {
			t.Errorf("%s type = %v, want number", cell, ct)
		}
	}
	for cell, want := range map[string]string{"C2": "2026-01-31", "C3": "2026-01-31 09:30:15", "C4": "2026-01-31"} {
		if got, _ := f.GetCellValue(sheet, cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	// Bold header, frozen first row, widths set.
	style, _ := f.GetCellStyle(sheet, "B1")
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style = %+v, %v", s, err)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v", panes, err)
	}
	if wd, _ := f.GetColWidth(sheet, "A"); wd < 10 {
		t.Errorf("width A = %v", wd)
	}

	// An export can be imported again: neutralised values come back as
	// they were.
	got, _ := readAll(t, buf.Bytes(), "", cols, Options{})
	if v := values(got, "text"); !reflect.DeepEqual(v, []string{"=1+1", "+1", "-1", "@SUM(A1)", "张三"}) {
		t.Errorf("re-imported = %q", v)
	}
}

func TestWriterBadInput(t *testing.T) {
	if _, err := NewWriter(io.Discard, "a", nil); err == nil {
		t.Error("no columns accepted")
	}
	if _, err := NewWriter(io.Discard, "bad[name]", []Column{{Key: "a", Header: "A"}}); err == nil {
		t.Error("invalid sheet name accepted")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterOutputError(t *testing.T) {
	w, err := NewWriter(failWriter{}, "", []Column{{Key: "a", Header: "A"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write("x"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Close = %v", err)
	}
}

// TestWriterRollover continues on a new sheet at the row limit.
func TestWriterRollover(t *testing.T) {
	name := "一二三四五六七八九十 Personnel export lst" // 31 characters, the maximum
	var buf bytes.Buffer
	w, err := NewWriter(&buf, name, []Column{{Key: "n", Header: "序号 N"}})
	if err != nil {
		t.Fatal(err)
	}
	if w.sheetRows != excelize.TotalRows {
		t.Fatalf("rows per sheet = %d", w.sheetRows)
	}
	w.sheetRows = 5 // header + 4 rows
	for i := range 10 {
		if err := w.Write(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f := openFile(t, buf.Bytes())
	sheets := []string{name, "一二三四五六七八九十 Personnel export l 2", "一二三四五六七八九十 Personnel export l 3"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, sheets) {
		t.Fatalf("sheets = %q", got)
	}
	want := [][][]string{
		{{"序号 N"}, {"0"}, {"1"}, {"2"}, {"3"}},
		{{"序号 N"}, {"4"}, {"5"}, {"6"}, {"7"}},
		{{"序号 N"}, {"8"}, {"9"}},
	}
	for i, s := range sheets {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rows, want[i]) {
			t.Errorf("sheet %d = %q", i+1, rows)
		}
		if panes, err := f.GetPanes(s); err != nil || !panes.Freeze {
			t.Errorf("sheet %d panes = %+v, %v", i+1, panes, err)
		}
	}
}

func TestErrorReport(t *testing.T) {
	header := []string{"工号 EmpNo", "姓名 Name", "=evil"}
	rows := []ReportRow{
		{Num: 3, Raw: []string{"E1", "", "x"}, Messages: []string{"「姓名 Name」必填 required"}},
		{Num: 7, Raw: []string{"=1+1", "张三"}, Messages: []string{"a", "b"}},
	}
	var buf bytes.Buffer
	if err := ErrorReport(&buf, header, rows); err != nil {
		t.Fatal(err)
	}
	f := openFile(t, buf.Bytes())
	sheet := f.GetSheetList()[0]
	got, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"错误 Error", "行号 Row", "工号 EmpNo", "姓名 Name", "'=evil"},
		{"「姓名 Name」必填 required", "3", "E1", "", "x"},
		{"a; b", "7", "'=1+1", "张三"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report =\n%q\nwant\n%q", got, want)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || panes.XSplit != 2 || panes.YSplit != 1 || panes.TopLeftCell != "C2" {
		t.Errorf("panes = %+v, %v", panes, err)
	}
}

func TestCollector(t *testing.T) {
	c := Collector{Limit: 2}
	r3 := Row{Num: 3, Raw: []string{"a"}}
	c.Add(r3, "姓名 Name", "必填 required")
	c.AddError(r3, &RowError{Row: 3, Column: "C", Message: "stray"})
	c.AddError(Row{Num: 4}, errors.New("bad"))
	c.AddError(Row{Num: 5}, Errors{{Row: 5, Message: "dropped"}})
	c.AddError(Row{Num: 6}, nil)
	if c.Len() != 4 || !c.Truncated() || len(c.Errors()) != 3 {
		t.Fatalf("Len %d Truncated %v Errors %v", c.Len(), c.Truncated(), c.Errors())
	}
	want := []ReportRow{
		{Num: 3, Raw: []string{"a"}, Messages: []string{"「姓名 Name」必填 required", "「C」stray"}},
		{Num: 4, Messages: []string{"bad"}},
	}
	if !reflect.DeepEqual(c.ReportRows(), want) {
		t.Errorf("ReportRows = %+v", c.ReportRows())
	}
	err := c.Err()
	var es Errors
	if !errors.As(err, &es) || !strings.Contains(err.Error(), "第 3 行 row 3「姓名 Name」: 必填 required") {
		t.Errorf("Err = %v", err)
	}
	if (&Collector{}).Err() != nil {
		t.Error("empty collector has an error")
	}
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD", -1: "?"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, want)
		}
	}
}
