package xlsx

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const benchRows = 100_000

// benchCols is a 10-column export layout.
func benchCols() []Column {
	return []Column{
		{Key: "empNo", Header: "工号 EmpNo", Required: true},
		{Key: "name", Header: "姓名 Name", Required: true},
		{Key: "unit", Header: "所属机构 Unit"},
		{Key: "hireDate", Header: "入职日期 Hire Date", Kind: KindDate},
		{Key: "grade", Header: "职级 Grade"},
		{Key: "salary", Header: "月薪 Salary", Kind: KindNumber},
		{Key: "phone", Header: "手机 Phone"},
		{Key: "idNo", Header: "身份证号 ID No"},
		{Key: "score", Header: "得分 Score", Kind: KindNumber},
		{Key: "remark", Header: "备注 Remark"},
	}
}

var benchNames = [...]string{"张三", "李四", "王五", "欧阳娜娜", "赵六"}

func benchValues(i int) []any {
	return []any{
		"E" + strconv.Itoa(100000+i),
		benchNames[i%len(benchNames)],
		"总行营业部",
		time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%2000),
		"A" + strconv.Itoa(i%5),
		int64(800000 + i),
		"138" + strconv.Itoa(10000000+i),
		"11010119900101" + strconv.Itoa(1000+i%9000),
		float64(i%1000) / 10,
		"-",
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func writeBench(tb testing.TB, w io.Writer, rows int) {
	xw, err := NewWriter(w, "Data", benchCols())
	if err != nil {
		tb.Fatal(err)
	}
	for i := range rows {
		if err := xw.Write(benchValues(i)...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := xw.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkWriter writes 100 000 rows × 10 columns; MB/s is of the .xlsx
// produced.
func BenchmarkWriter(b *testing.B) {
	var cw countWriter
	writeBench(b, &cw, benchRows)
	b.SetBytes(cw.n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		writeBench(b, io.Discard, benchRows)
	}
}

func benchCSV(tb testing.TB) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cols := benchCols()
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Header
	}
	_ = cw.Write(head)
	rec := make([]string, len(cols))
	for i := range benchRows {
		for j, v := range benchValues(i) {
			switch v := v.(type) {
			case string:
				rec[j] = v
			case time.Time:
				rec[j] = v.Format(time.DateOnly)
			case int64:
				rec[j] = strconv.FormatInt(v, 10)
			case float64:
				rec[j] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func readBench(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	opt := Options{MaxBytes: 1 << 30}
	for b.Loop() {
		rd, err := Open(bytes.NewReader(data), int64(len(data)), "", benchCols(), opt)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchRows {
			b.Fatalf("read %d rows", n)
		}
		_ = rd.Close()
	}
}

// BenchmarkReadCSV reads 100 000 rows × 10 columns.
func BenchmarkReadCSV(b *testing.B) {
	data := benchCSV(b)
	b.Run("utf-8", func(b *testing.B) { readBench(b, data) })
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("gbk", func(b *testing.B) { readBench(b, gbk) })
}

// BenchmarkReadXLSX reads 100 000 rows × 10 columns written by Writer.
func BenchmarkReadXLSX(b *testing.B) {
	var buf bytes.Buffer
	writeBench(b, &buf, benchRows)
	readBench(b, buf.Bytes())
}
