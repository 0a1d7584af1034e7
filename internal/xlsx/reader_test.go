package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestTemplateRoundTrip(t *testing.T) {
	cols := peopleCols()
	var tpl bytes.Buffer
	if err := Template(&tpl, "xlsx", cols); err != nil {
		t.Fatal(err)
	}
	f := openFile(t, tpl.Bytes())
	if got, want := f.GetSheetList(), []string{TemplateDataSheet, TemplateHelpSheet}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}

	// Fill it like a user would: keep the example row, add people below,
	// with a blank row in between and a date typed as a date.
	sheet := TemplateDataSheet
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A3", "00123")
	set("B3", " 李四 ")
	set("C3", "总行")
	set("D3", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC))
	set("E3", "A1")
	set("F3", 12000)
	set("A5", "E0100")
	set("B5", "王五")
	set("D5", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)) // excelize picks "mmm-yy" for the 1st
	set("A6", "E0101")
	set("B6", "'=HYPERLINK(\"x\")")
	data := saveFile(t, f)

	rows, rd := readAll(t, data, "people.xlsx", cols, Options{})
	if rd.Encoding() != "xlsx" {
		t.Errorf("Encoding = %q", rd.Encoding())
	}
	if !rd.SkippedExample() {
		t.Error("example row not skipped")
	}
	if len(rows) != 3 {
		t.Fatalf("got %d rows: %+v", len(rows), rows)
	}
	if got := []int{rows[0].Num, rows[1].Num, rows[2].Num}; !reflect.DeepEqual(got, []int{3, 5, 6}) {
		t.Errorf("row numbers = %v", got)
	}
	want := map[string]string{"empNo": "00123", "name": "李四", "unit": "总行", "hireDate": "2026-01-31", "grade": "A1", "salary": "12000"}
	if !reflect.DeepEqual(rows[0].Values, want) {
		t.Errorf("row 3 = %v, want %v", rows[0].Values, want)
	}
	if got := rows[1].Values["hireDate"]; got != "2025-03-01" {
		t.Errorf("first-of-month date = %q", got)
	}
	if got := rows[2].Values["name"]; got != `=HYPERLINK("x")` {
		t.Errorf("neutralised value not restored: %q", got)
	}
	if got := rd.Header(); !reflect.DeepEqual(got, []string{"工号 EmpNo", "姓名 Name", "所属机构 Unit", "入职日期 Hire Date", "职级 Grade", "月薪 Salary"}) {
		t.Errorf("Header = %q", got)
	}
}

func TestTemplateContent(t *testing.T) {
	cols := peopleCols()
	var buf bytes.Buffer
	if err := Template(&buf, "xlsx", cols); err != nil {
		t.Fatal(err)
	}
	f := openFile(t, buf.Bytes())
	rows, err := f.GetRows(TemplateDataSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "工号 EmpNo" || rows[1][1] != "张三" {
		t.Fatalf("data sheet = %q", rows)
	}
	comments, err := f.GetComments(TemplateDataSheet)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, c := range comments {
		notes[c.Cell] = c.Text
		for _, p := range c.Paragraph {
			notes[c.Cell] += p.Text
		}
	}
	if !strings.Contains(notes["A1"], "必填") || !strings.Contains(notes["E1"], "A1, A2, B1") {
		t.Errorf("comments = %q", notes)
	}
	help, err := f.GetRows(TemplateHelpSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(help) < len(cols)+1 || help[1][1] != "工号 EmpNo" || help[1][2] != "是 Yes" || help[5][5] != "可选值 allowed: A1, A2, B1" {
		t.Errorf("help sheet = %q", help)
	}
	// Text columns are formatted as text so IDs keep their digits.
	style, err := f.GetCellStyle(TemplateDataSheet, "A10")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(style); err != nil || s.NumFmt != 49 {
		t.Errorf("column A style = %+v, %v; want text format", s, err)
	}

	// CSV: BOM, header, example, and it reads back with the example skipped.
	buf.Reset()
	if err := Template(&buf, "csv", cols); err != nil {
		t.Fatal(err)
	}
	want := "\ufeff工号 EmpNo,姓名 Name,所属机构 Unit,入职日期 Hire Date,职级 Grade,月薪 Salary\r\nE0001,张三,总行营业部,2026-01-31,,8000\r\n"
	if buf.String() != want {
		t.Errorf("csv template = %q", buf.String())
	}
	got, rd := readAll(t, buf.Bytes(), "t.csv", cols, Options{})
	if len(got) != 0 || !rd.SkippedExample() || rd.Encoding() != "utf-8-bom" {
		t.Errorf("csv template read: %v rows, skipped=%v, enc=%q", got, rd.SkippedExample(), rd.Encoding())
	}

	if err := Template(io.Discard, "ods", cols); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestHeaderMatching(t *testing.T) {
	cols := []Column{
		{Key: "empNo", Header: "工号 EmpNo", Required: true},
		{Key: "hireDate", Header: "入职日期 Hire Date"},
	}
	tests := []struct {
		name   string
		header string
	}{
		{"full", "工号 EmpNo,入职日期 Hire Date"},
		{"chinese", "工号,入职日期"},
		{"english", "EmpNo,Hire Date"},
		{"key", "empNo,hireDate"},
		{"case and spaces", " EMPNO ,hire  date"},
		{"no space between parts", "工号EmpNo,入职日期HireDate"},
		{"full-width", "ＥｍｐＮｏ,入职日期　Ｈｉｒｅ　Ｄａｔｅ"},
		{"required marker", "*工号,入职日期"},
		{"reordered", "入职日期,工号"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.header + "\n"
			if strings.HasPrefix(tt.header, "入职日期,") {
				in += "2026-01-31,E1\n"
			} else {
				in += "E1,2026-01-31\n"
			}
			rows, rd := readAll(t, []byte(in), "x.csv", cols, Options{})
			if len(rows) != 1 || rows[0].Values["empNo"] != "E1" || rows[0].Values["hireDate"] != "2026-01-31" {
				t.Errorf("rows = %+v", rows)
			}
			if !rd.Has("hireDate") || rd.Has("nope") {
				t.Error("Has")
			}
		})
	}

	t.Run("optional column absent", func(t *testing.T) {
		rows, rd := readAll(t, []byte("工号\nE1\n"), "x.csv", cols, Options{})
		if len(rows) != 1 || rd.Has("hireDate") {
			t.Errorf("rows = %+v, Has(hireDate) = %v", rows, rd.Has("hireDate"))
		}
	})
}

func TestHeaderErrors(t *testing.T) {
	cols := peopleCols()
	tests := []struct {
		name   string
		header string
		want   []HeaderProblem
		text   []string
	}{
		{
			name:   "missing required",
			header: "姓名,所属机构",
			want:   []HeaderProblem{{Kind: HeaderMissing, Header: "工号 EmpNo"}},
			text:   []string{"缺少必填列 missing required column「工号 EmpNo」"},
		},
		{
			name:   "unknown",
			header: "工号,姓名,职位",
			want:   []HeaderProblem{{Kind: HeaderUnknown, Column: "C", Header: "职位"}},
			text:   []string{"列 C「职位」: 无法识别的列 unknown column"},
		},
		{
			name:   "duplicate",
			header: "工号,姓名,EmpNo",
			want:   []HeaderProblem{{Kind: HeaderDuplicate, Column: "C", Header: "EmpNo", First: "A"}},
			text:   []string{"列 C「EmpNo」: 与列 A 重复"},
		},
		{
			name:   "all at once",
			header: "姓名,,职位,姓名",
			want: []HeaderProblem{
				{Kind: HeaderUnknown, Column: "C", Header: "职位"},
				{Kind: HeaderDuplicate, Column: "D", Header: "姓名", First: "A"},
				{Kind: HeaderMissing, Header: "工号 EmpNo"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(strings.NewReader(tt.header+"\n"), -1, "x.csv", cols, Options{})
			var he *HeaderError
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want *HeaderError", err)
			}
			if !reflect.DeepEqual(he.Problems, tt.want) {
				t.Errorf("problems = %+v\nwant %+v", he.Problems, tt.want)
			}
			for _, s := range tt.text {
				if !strings.Contains(he.Error(), s) {
					t.Errorf("%q does not contain %q", he.Error(), s)
				}
			}
		})
	}
}

func TestColumnSpecErrors(t *testing.T) {
	tests := map[string][]Column{
		"none":          nil,
		"empty key":     {{Header: "a"}},
		"duplicate key": {{Key: "a", Header: "甲 A"}, {Key: "a", Header: "乙 B"}},
		"ambiguous":     {{Key: "a", Header: "名称 Name"}, {Key: "b", Header: "名称 Title"}},
	}
	for name, cols := range tests {
		if _, err := Open(strings.NewReader("x\n"), -1, "", cols, Options{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRows(t *testing.T) {
	cols := []Column{{Key: "a", Header: "甲 A"}, {Key: "b", Header: "乙 B"}}
	t.Run("xlsx empty rows and blank header start", func(t *testing.T) {
		data := workbook(t, [][]any{
			nil,
			{"甲", "乙"},
			{"1", "2"},
			nil,
			{"", "  "},
			{nil, "4"},
		})
		rows, _ := readAll(t, data, "", cols, Options{})
		if len(rows) != 2 || rows[0].Num != 3 || rows[1].Num != 6 || rows[1].Values["b"] != "4" || rows[1].Values["a"] != "" {
			t.Errorf("rows = %+v", rows)
		}
	})
	t.Run("csv row numbers", func(t *testing.T) {
		in := "\r\n甲,乙\r\n1,2\r\n\r\n,\r\n\"multi\nline\",x\r\n5,6\r\n\r\n"
		rows, _ := readAll(t, []byte(in), "", cols, Options{})
		var nums []int
		for _, r := range rows {
			nums = append(nums, r.Num)
		}
		// Excel shows: 1 blank, 2 header, 3 data, 4 blank, 5 commas, 6 multi-line, 7 data.
		if !reflect.DeepEqual(nums, []int{3, 6, 7}) || rows[1].Values["a"] != "multi\nline" {
			t.Errorf("rows = %+v", rows)
		}
	})
	t.Run("stray cell", func(t *testing.T) {
		rd, err := Open(strings.NewReader("甲,乙\n北京市,朝阳区,x\n1,2\n"), -1, "", cols, Options{})
		if err != nil {
			t.Fatal(err)
		}
		row, err := rd.Next()
		var re *RowError
		if !errors.As(err, &re) || re.Row != 2 || re.Column != "C" || row.Values["a"] != "北京市" {
			t.Fatalf("row = %+v, err = %v", row, err)
		}
		if row, err = rd.Next(); err != nil || row.Values["b"] != "2" {
			t.Fatalf("after RowError: %+v, %v", row, err)
		}
	})
	t.Run("quoted fields", func(t *testing.T) {
		rows, _ := readAll(t, []byte("甲,乙\n\"a,b\",\"say \"\"hi\"\"\"\n"), "", cols, Options{})
		if rows[0].Values["a"] != "a,b" || rows[0].Values["b"] != `say "hi"` {
			t.Errorf("rows = %+v", rows)
		}
	})
	t.Run("malformed csv", func(t *testing.T) {
		err := openErr([]byte("甲,乙\n1,2\n3,x\"y\n"), "", cols, Options{})
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "第 3 行") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestDates covers the number formats date cells arrive with.
func TestDates(t *testing.T) {
	cols := []Column{{Key: "v", Header: "值 Value"}}
	serial := 46053.0 // 2026-01-31
	tests := []struct {
		name  string
		style excelize.Style
		value any
		want  string
	}{
		{"builtin 14", excelize.Style{NumFmt: 14}, serial, "2026-01-31"},
		{"builtin 22", excelize.Style{NumFmt: 22}, serial + 0.5, "2026-01-31 12:00:00"},
		{"builtin 31 zh-CN long date", excelize.Style{NumFmt: 31}, serial, "2026-01-31"},
		{"builtin 57 East Asian", excelize.Style{NumFmt: 57}, serial, "2026-01-31"},
		{"builtin 20 time", excelize.Style{NumFmt: 20}, 0.75, "18:00:00"},
		{"custom yyyy/m/d", excelize.Style{CustomNumFmt: ptr("yyyy/m/d")}, serial, "2026-01-31"},
		{"custom Chinese", excelize.Style{CustomNumFmt: ptr(`yyyy"年"m"月"d"日"`)}, serial, "2026-01-31"},
		{"custom locale prefix", excelize.Style{CustomNumFmt: ptr(`[$-804]yyyy年m月d日;@`)}, serial, "2026-01-31"},
		{"custom year-month", excelize.Style{CustomNumFmt: ptr(`yyyy"年"m"月"`)}, serial, "2026-01-31"},
		{"custom date time", excelize.Style{CustomNumFmt: ptr("yyyy/m/d h:mm")}, serial + 0.25, "2026-01-31 06:00:00"},
		{"elapsed stays", excelize.Style{NumFmt: 46}, 1.5, "36:00:00"},
		{"number stays", excelize.Style{NumFmt: 2}, 3.14159, "3.14"},
		{"general number", excelize.Style{}, 13800138000.0, "13800138000"},
		{"text", excelize.Style{NumFmt: 49}, "2026/1/31", "2026/1/31"},
	}
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := f.SetCellValue("Sheet1", "A1", "值"); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		cell := fmt.Sprintf("A%d", i+2)
		id, err := f.NewStyle(&tt.style)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue("Sheet1", cell, tt.value); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle("Sheet1", cell, cell, id); err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := readAll(t, saveFile(t, f), "", cols, Options{})
	if len(rows) != len(tests) {
		t.Fatalf("got %d rows", len(rows))
	}
	for i, tt := range tests {
		if got := rows[i].Values["v"]; got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestDateLayout(t *testing.T) {
	tests := map[string]string{
		"yyyy-mm-dd":            layoutDate,
		"m/d/yy":                layoutDate,
		"d-mmm":                 layoutDate,
		"mmmm":                  layoutDate,
		`yyyy"年"m"月"d"日"`:       layoutDate,
		"[$-F800]dddd, mmmm dd": layoutDate,
		"yyyy/m/d h:mm AM/PM":   layoutDateTime,
		"h:mm":                  layoutTime,
		"mm:ss.0":               layoutTime,
		"[h]:mm:ss":             "",
		"0.00":                  "",
		"#,##0.00 \"元\"":        "",
		`0.00"d"`:               "",
		"General":               "",
		"@":                     "",
		"[Red]0.00;[Blue]-0.00": "",
		"0%":                    "",
		"":                      "",
		`\d0`:                   "",
	}
	for code, want := range tests {
		if got := dateLayout(code); got != want {
			t.Errorf("dateLayout(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestDetectFormat(t *testing.T) {
	cols := peopleCols()
	var zipBuf bytes.Buffer
	if err := newZip(&zipBuf, map[string]string{"word/document.xml": "<w/>"}); err != nil {
		t.Fatal(err)
	}
	notWorkbook := zipBuf.Bytes()
	tests := []struct {
		name string
		data []byte
		file string
		want error
		text string
	}{
		{"empty", nil, "a.csv", ErrEmpty, "文件为空"},
		{"only blank lines", []byte("\r\n\r\n"), "a.csv", ErrEmpty, "表头"},
		{"legacy xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "a.xls", ErrFormat, ".xls"},
		{"utf-16", []byte("\xff\xfe\x25\x5de\x00"), "a.csv", ErrFormat, "UTF-16"},
		{"html as xls", []byte("  <html><table><tr><td>工号</td></tr></table></html>"), "a.xls", ErrFormat, "HTML"},
		{"binary", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "a.png", ErrFormat, "无法识别"},
		{"text named xlsx", []byte("工号,姓名\n"), "people.xlsx", ErrFormat, "另存为 .xlsx"},
		{"damaged zip", []byte("PK\x03\x04garbage"), "a.xlsx", ErrFormat, "损坏"},
		{"zip, not a workbook", notWorkbook, "a.xlsx", ErrFormat, "不是 Excel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openErr(tt.data, tt.file, cols, Options{})
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want %v containing %q", err, tt.want, tt.text)
			}
		})
	}

	t.Run("xlsx named csv is read as xlsx", func(t *testing.T) {
		rows, rd := readAll(t, workbook(t, [][]any{{"工号", "姓名"}, {"E1", "甲"}}), "people.csv", cols, Options{})
		if rd.Encoding() != "xlsx" || len(rows) != 1 {
			t.Errorf("enc %q, rows %+v", rd.Encoding(), rows)
		}
	})
}

func TestLimits(t *testing.T) {
	cols := []Column{{Key: "a", Header: "甲 A"}}
	csvRows := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString("甲\n")
		for i := range n {
			fmt.Fprintf(&b, "%d\n", i)
		}
		return b.Bytes()
	}
	t.Run("declared size", func(t *testing.T) {
		_, err := Open(strings.NewReader("甲\n"), 30<<20, "a.csv", cols, Options{})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "20 MiB") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("actual size", func(t *testing.T) {
		data := csvRows(100_000) // ~590 KB
		for _, size := range []int64{-1, 10} {
			rd, err := Open(bytes.NewReader(data), size, "a.csv", cols, Options{MaxBytes: 100 << 10})
			if err == nil {
				for err == nil {
					_, err = rd.Next()
				}
			}
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "100 KiB") {
				t.Errorf("size %d: err = %v", size, err)
			}
		}
	})
	t.Run("exactly at the limit", func(t *testing.T) {
		data := csvRows(10)
		if err := openErr(data, "a.csv", cols, Options{MaxBytes: int64(len(data))}); err != nil {
			t.Error(err)
		}
	})
	t.Run("xlsx over MaxBytes", func(t *testing.T) {
		data := workbook(t, [][]any{{"甲"}, {"1"}})
		err := openErr(data, "a.xlsx", cols, Options{MaxBytes: int64(len(data) - 1)})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("rows", func(t *testing.T) {
		rowsXLSX := [][]any{{"甲"}}
		for i := range 11 {
			rowsXLSX = append(rowsXLSX, []any{i})
		}
		for name, data := range map[string][]byte{"csv": csvRows(11), "xlsx": workbook(t, rowsXLSX)} {
			err := openErr(data, "", cols, Options{MaxRows: 10})
			if !errors.Is(err, ErrTooManyRows) || !strings.Contains(err.Error(), "10 行") {
				t.Errorf("%s: err = %v", name, err)
			}
			if err := openErr(data, "", cols, Options{MaxRows: 11}); err != nil {
				t.Errorf("%s at the limit: %v", name, err)
			}
		}
	})
	t.Run("zip bomb", func(t *testing.T) {
		// 40 MiB of spaces inside a sheet compresses to about 40 KB; with
		// MaxBytes 1 MiB the workbook may expand to 32 MiB.
		opt := Options{MaxBytes: 1 << 20}
		base := workbook(t, [][]any{{"甲"}, {"1"}})
		sheet := append([]byte(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c></row></sheetData></worksheet>`),
			bytes.Repeat([]byte(" "), 40<<20)...)
		data := replaceZipParts(t, base, map[string][]byte{"xl/worksheets/sheet1.xml": sheet})
		err := openErr(data, "", cols, opt)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "解压") {
			t.Errorf("err = %v (compressed %d bytes)", err, len(data))
		}
		// A big part that excelize would hold in memory.
		data = replaceZipParts(t, base, map[string][]byte{"xl/styles.xml": bytes.Repeat([]byte(" "), 17<<20)})
		if err := openErr(data, "", cols, opt); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "styles") {
			t.Errorf("big styles: err = %v", err)
		}
		// Many sheets just small enough to stay in memory.
		parts := map[string][]byte{}
		mid := bytes.Repeat([]byte(" "), spillSize)
		for i := 2; i <= 18; i++ {
			parts[fmt.Sprintf("xl/worksheets/sheet%d.xml", i)] = mid
		}
		data = replaceZipParts(t, base, parts)
		if err := openErr(data, "", cols, Options{}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("many sheets: err = %v", err)
		}
	})
	t.Run("damaged entry", func(t *testing.T) {
		rows := [][]any{{"甲"}}
		for i := range 2000 {
			rows = append(rows, []any{fmt.Sprintf("value %d", i*7919%10007)})
		}
		data := workbook(t, rows)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			if zf.Name != "xl/worksheets/sheet1.xml" {
				continue
			}
			off, err := zf.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			data[off+int64(zf.CompressedSize64)/2] ^= 0x55
		}
		if err := openErr(data, "", cols, Options{}); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "损坏") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("forged row number", func(t *testing.T) {
		base := workbook(t, [][]any{{"甲"}, {"1"}})
		sheet := []byte(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c></row><row r="2000000000"><c r="A2000000000"><v>1</v></c></row></sheetData></worksheet>`)
		data := replaceZipParts(t, base, map[string][]byte{"xl/worksheets/sheet1.xml": sheet})
		start := time.Now()
		err := openErr(data, "", cols, Options{})
		if !errors.Is(err, ErrFormat) || time.Since(start) > 5*time.Second {
			t.Errorf("err = %v after %v", err, time.Since(start))
		}
	})
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadError(t *testing.T) {
	cols := []Column{{Key: "a", Header: "甲 A"}}
	broken := errors.New("connection reset")
	var csvText bytes.Buffer
	csvText.WriteString("甲\n")
	for csvText.Len() < 3*sniffSize {
		csvText.WriteString("some value\n")
	}
	for name, data := range map[string][]byte{
		"csv header": []byte("甲"),
		"csv rows":   csvText.Bytes(),
		"xlsx":       workbook(t, [][]any{{"甲"}, {"1"}})[:100],
	} {
		err := func() error {
			rd, err := Open(&failingReader{data: data, err: broken}, -1, "", cols, Options{})
			if err != nil {
				return err
			}
			for {
				if _, err := rd.Next(); err != nil {
					return err
				}
			}
		}()
		if !errors.Is(err, broken) {
			t.Errorf("%s: err = %v, want it to wrap %v", name, err, broken)
		}
	}
}

func TestASCIIEncoding(t *testing.T) {
	rows, rd := readAll(t, []byte("empNo,name\r\nE1,Zhang San\r\n"), "", peopleCols(), Options{})
	if rd.Encoding() != "utf-8" || len(rows) != 1 {
		t.Errorf("%q %+v", rd.Encoding(), rows)
	}
}
