package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"
)

// peopleCols is a realistic import layout.
func peopleCols() []Column {
	return []Column{
		{Key: "empNo", Header: "工号 EmpNo", Required: true, Example: "E0001"},
		{Key: "name", Header: "姓名 Name", Required: true, Example: "张三"},
		{Key: "unit", Header: "所属机构 Unit", Example: "总行营业部", Note: "填写机构编码或名称 unit code or name"},
		{Key: "hireDate", Header: "入职日期 Hire Date", Kind: KindDate, Example: "2026-01-31"},
		{Key: "grade", Header: "职级 Grade", Note: "可选值 allowed: A1, A2, B1"},
		{Key: "salary", Header: "月薪 Salary", Kind: KindNumber, Example: "8000"},
	}
}

// readAll opens data and returns every row; a *RowError stops it.
func readAll(t testing.TB, data []byte, name string, cols []Column, opt Options) ([]Row, *Reader) {
	t.Helper()
	rd, err := Open(bytes.NewReader(data), int64(len(data)), name, cols, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = rd.Close() })
	var rows []Row
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rows, rd
		}
		if err != nil {
			t.Fatalf("Next after %d rows: %v", len(rows), err)
		}
		rows = append(rows, row)
	}
}

// openErr opens data and returns the error from Open or the first from Next.
func openErr(data []byte, name string, cols []Column, opt Options) error {
	rd, err := Open(bytes.NewReader(data), int64(len(data)), name, cols, opt)
	if err != nil {
		return err
	}
	defer func() { _ = rd.Close() }()
	for {
		if _, err := rd.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// workbook builds an .xlsx whose first sheet holds rows (values as given to
// excelize.SetSheetRow).
func workbook(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	return saveFile(t, f)
}

func saveFile(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openFile(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// replaceZipParts copies the zip base, replacing (or adding) the named
// entries. Each distinct part is deflated once, so tests can add many
// large identical parts cheaply.
func replaceZipParts(t testing.TB, base []byte, parts map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	deflated := map[*byte][]byte{}
	addPart := func(name string, p []byte) {
		var raw []byte
		if len(p) > 0 {
			if raw = deflated[&p[0]]; raw == nil {
				var b bytes.Buffer
				fw, err := flate.NewWriter(&b, flate.DefaultCompression)
				if err == nil {
					_, err = fw.Write(p)
				}
				if err == nil {
					err = fw.Close()
				}
				if err != nil {
					t.Fatal(err)
				}
				raw = b.Bytes()
				deflated[&p[0]] = raw
			}
		} else {
			raw = []byte{3, 0} // empty deflate stream
		}
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(p),
			CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(len(p)),
		})
		if err == nil {
			_, err = w.Write(raw)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	done := map[string]bool{}
	for _, zf := range zr.File {
		if p, ok := parts[zf.Name]; ok {
			done[zf.Name] = true
			addPart(zf.Name, p)
			continue
		}
		if err := zw.Copy(zf); err != nil {
			t.Fatal(err)
		}
	}
	for name, p := range parts {
		if !done[name] {
			addPart(name, p)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func values(rows []Row, key string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Values[key]
	}
	return out
}

// newZip writes a zip holding files.
func newZip(w io.Writer, files map[string]string) error {
	zw := zip.NewWriter(w)
	for name, content := range files {
		fw, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, content); err != nil {
			return err
		}
	}
	return zw.Close()
}
