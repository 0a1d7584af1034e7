package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// fuzzOptions keeps fuzz iterations fast.
func fuzzOptions() Options {
	return Options{MaxBytes: 1 << 20, MaxRows: 2000, MaxUnzipBytes: 32 << 20}
}

// checkUpload reads data to the end and checks the invariants that hold for
// any input: no panic, every error is one of ours, row numbers increase,
// values only for known columns.
func checkUpload(t *testing.T, data []byte, name string) {
	cols := peopleCols()
	known := map[string]bool{}
	for _, c := range cols {
		known[c.Key] = true
	}
	rd, err := Open(bytes.NewReader(data), int64(len(data)), name, cols, fuzzOptions())
	if err != nil {
		classified(t, err)
		return
	}
	defer func() { _ = rd.Close() }()
	_ = rd.Encoding()
	last := 0
	for {
		row, err := rd.Next()
		var re *RowError
		switch {
		case errors.Is(err, io.EOF):
			return
		case errors.As(err, &re):
			if re.Row != row.Num {
				t.Fatalf("RowError row %d for row %d", re.Row, row.Num)
			}
		case err != nil:
			classified(t, err)
			return
		}
		if row.Num <= last {
			t.Fatalf("row number %d after %d", row.Num, last)
		}
		last = row.Num
		for k := range row.Values {
			if !known[k] {
				t.Fatalf("unknown key %q", k)
			}
		}
	}
}

func classified(t *testing.T, err error) {
	t.Helper()
	var he *HeaderError
	if errors.As(err, &he) {
		if len(he.Problems) == 0 {
			t.Fatal("HeaderError without problems")
		}
		return
	}
	for _, kind := range []error{ErrTooLarge, ErrTooManyRows, ErrFormat, ErrEncoding, ErrEmpty} {
		if errors.Is(err, kind) {
			return
		}
	}
	t.Fatalf("unclassified error %T: %v", err, err)
}

func FuzzOpenCSV(f *testing.F) {
	var tpl bytes.Buffer
	if err := Template(&tpl, "csv", peopleCols()); err != nil {
		f.Fatal(err)
	}
	text := "工号,姓名,入职日期\r\nE1,张三,2026-01-31\r\n\r\nE2,\"李,四\",\"x\ny\"\r\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(text)
	for _, s := range []string{
		tpl.String(), text, gbk, "\ufeff" + text,
		"工号,姓名\nE1,张\xff\n", "empNo,name\n1,2,3\n", "工号,姓名\n\"open", "<html>",
		"工号,工号,职位\n", "a\x00b", "\xff\xfe", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkUpload(t, data, "fuzz.csv")
	})
}

// xlsxSeeds are workbooks our own code and excelize write.
func xlsxSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	var tpl bytes.Buffer
	if err := Template(&tpl, "xlsx", peopleCols()); err != nil {
		tb.Fatal(err)
	}
	seeds = append(seeds, tpl.Bytes())

	var exp bytes.Buffer
	w, err := NewWriter(&exp, "Data", peopleCols())
	if err != nil {
		tb.Fatal(err)
	}
	_ = w.Write("E1", "张三", "=1+1", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), "A1", 8000)
	_ = w.Write("E2", "李四", nil, time.Date(2026, 1, 31, 8, 0, 0, 0, time.UTC), nil, 3.5)
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	seeds = append(seeds, exp.Bytes())

	seeds = append(seeds, workbook(tb, [][]any{
		{"工号", "姓名", "入职日期"},
		{"E1", "张三", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		nil,
		{"E2", "李四", 46053},
	}))
	var rep bytes.Buffer
	if err := ErrorReport(&rep, []string{"工号", "姓名"}, []ReportRow{{Num: 2, Raw: []string{"E1"}, Messages: []string{"x"}}}); err != nil {
		tb.Fatal(err)
	}
	return append(seeds, rep.Bytes())
}

func FuzzOpenXLSX(f *testing.F) {
	for _, s := range xlsxSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkUpload(t, data, "fuzz.xlsx")
	})
}

// FuzzXLSXParts fuzzes the XML inside a valid zip, which random bytes of a
// whole file (CRC-checked) rarely reach.
func FuzzXLSXParts(f *testing.F) {
	seeds := xlsxSeeds(f)
	base := seeds[2]
	for _, s := range seeds {
		zr, err := zip.NewReader(bytes.NewReader(s), int64(len(s)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(zipPart(f, zr, "xl/worksheets/sheet1.xml"), zipPart(f, zr, "xl/sharedStrings.xml"), zipPart(f, zr, "xl/styles.xml"))
	}
	f.Add([]byte(`<worksheet><sheetData><row r="2"><c r="B2" t="s"><v>99</v></c></row><row r="1"><c r="XFD1" s="7"><v>1e308</v></c></row></sheetData></worksheet>`),
		[]byte(`<sst><si><t>工号</t></si></sst>`),
		[]byte(`<styleSheet><numFmts><numFmt numFmtId="200" formatCode="[h]:mm;yyyy"/></numFmts><cellXfs><xf numFmtId="200"/><xf numFmtId="14"/></cellXfs></styleSheet>`))
	f.Fuzz(func(t *testing.T, sheet, sst, styles []byte) {
		data := replaceZipParts(t, base, map[string][]byte{
			"xl/worksheets/sheet1.xml": sheet,
			"xl/sharedStrings.xml":     sst,
			"xl/styles.xml":            styles,
		})
		checkUpload(t, data, "fuzz.xlsx")
	})
}

func zipPart(f *testing.F, zr *zip.Reader, name string) []byte {
	for _, zf := range zr.File {
		if zf.Name != name {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		defer func() { _ = rc.Close() }()
		b, err := io.ReadAll(rc)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	return nil
}

// FuzzCSVSplit holds the CSV reader (its own splitter for lines without
// quotes, encoding/csv for the rest) to what encoding/csv alone answers
// for the same text: the same records, row numbers that count blank lines
// and count a record spanning lines once, the same failing line.
func FuzzCSVSplit(f *testing.F) {
	for _, s := range []string{
		"a,b,c\nd,e,f\n", "a,\"b,c\"\n\"x\ny\",z\r\nq\n", "\n\r\na,b\r\n\r\n", "a,b\r", "\"a\"\"b\",c\n1,\"2\n3\n4\",5\n6\n",
		"a,b\"c\n", "\"a\"x,b\n", "\"open\n", ",,\n,\n", "a\rb,c\n", "x\n\"a\nb\"\n\ny\n", "\"\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i := range data {
			data[i] &= 0x7f // ASCII: quoting is all ASCII, and the encoding is tested elsewhere
		}
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		src := newCSVSource(bufio.NewReader(bytes.NewReader(data)), data[:min(len(data), 3)])
		prevNum, prevEnd := 0, 0
		for rec := 0; ; rec++ {
			want, wantErr := cr.Read()
			got, num, err := src.next()
			if wantErr != nil {
				var pe *csv.ParseError
				switch {
				case errors.Is(wantErr, io.EOF):
					if !errors.Is(err, io.EOF) {
						t.Fatalf("record %d: encoding/csv ends, got %q, %v", rec, got, err)
					}
				case errors.As(wantErr, &pe):
					var fe *fileError
					if !errors.As(err, &fe) || !strings.Contains(fe.msg, fmt.Sprintf("第 %d 行", pe.Line)) {
						t.Fatalf("record %d: encoding/csv fails with %v, got %q, %v", rec, wantErr, got, err)
					}
				default:
					t.Fatal(wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("record %d: got %q, %v; want %q", rec, got, err, want)
			}
			start, _ := cr.FieldPos(0)
			end, _ := cr.FieldPos(len(want) - 1)
			end += strings.Count(want[len(want)-1], "\n")
			prevNum += start - prevEnd
			prevEnd = end
			if num != prevNum {
				t.Fatalf("record %d %q: row %d, want %d", rec, want, num, prevNum)
			}
		}
	})
}
