package xlsx

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Sheet names of a template.
const (
	TemplateDataSheet = "数据 Data"
	TemplateHelpSheet = "说明 Help"
)

// templateHelp is the general advice under the column list of the help
// sheet, one line per row.
const templateHelp = "第 1 行是表头，请勿修改；第 2 行是示例，请覆盖或删除（原样保留的示例行导入时会被忽略）。\n" +
	"Row 1 is the header, do not change it. Row 2 is an example: overwrite or delete it (an unchanged example row is ignored on import).\n" +
	"红色表头为必填列。可上传 .xlsx，或 UTF-8 / GBK 编码的 .csv。\n" +
	"Red headers are required columns. Upload .xlsx, or .csv encoded as UTF-8 or GBK."

// Template writes an import template for cols. format "xlsx" gives a
// workbook with the header row (required columns in red, notes as
// comments), an example row, columns formatted by Kind, and a second sheet
// "说明 Help" listing the columns; "csv" gives UTF-8 with BOM (so Excel
// detects the encoding) with the header and example rows.
func Template(w io.Writer, format string, cols []Column) error {
	if _, err := compile(cols); err != nil {
		return err
	}
	switch strings.ToLower(format) {
	case "xlsx":
		return templateXLSX(w, cols)
	case "csv":
		return templateCSV(w, cols)
	}
	return fmt.Errorf("xlsx: unknown template format %q", format)
}

func templateCSV(w io.Writer, cols []Column) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes and expects
	head := make([]string, len(cols))
	example := make([]string, len(cols))
	hasExample := false
	for i, c := range cols {
		head[i] = Neutralise(c.Header)
		example[i] = Neutralise(c.Example)
		hasExample = hasExample || c.Example != ""
	}
	_ = cw.Write(head) // errors surface in cw.Error
	if hasExample {
		_ = cw.Write(example)
	}
	cw.Flush()
	return cw.Error()
}

type templateStyles struct {
	header, required int
	cell, example    [3]int // by Kind
	helpHeader       int
}

func newTemplateStyles(f *excelize.File) (templateStyles, error) {
	var s templateStyles
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}
	date := layoutDate
	fmts := [3]excelize.Style{
		KindText:   {NumFmt: 49}, // "@": keeps leading zeros and long IDs
		KindDate:   {CustomNumFmt: &date},
		KindNumber: {},
	}
	type spec struct {
		id    *int
		style excelize.Style
	}
	specs := []spec{
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill, NumFmt: 49}},
		{&s.required, excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: fill, NumFmt: 49}},
		{&s.helpHeader, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill}},
	}
	for k := range fmts {
		specs = append(specs, spec{&s.cell[k], fmts[k]})
		ex := fmts[k]
		ex.Font = &excelize.Font{Italic: true, Color: "808080"}
		specs = append(specs, spec{&s.example[k], ex})
	}
	for _, sp := range specs {
		id, err := f.NewStyle(&sp.style)
		if err != nil {
			return s, fmt.Errorf("xlsx: style: %w", err)
		}
		*sp.id = id
	}
	return s, nil
}

func templateXLSX(w io.Writer, cols []Column) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := buildTemplate(f, cols); err != nil {
		return fmt.Errorf("xlsx: template: %w", err)
	}
	return f.Write(w)
}

func buildTemplate(f *excelize.File, cols []Column) error {
	const data, help = TemplateDataSheet, TemplateHelpSheet
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return err
	}
	st, err := newTemplateStyles(f)
	if err != nil {
		return err
	}
	for i, c := range cols {
		kind := c.Kind
		if kind < KindText || kind > KindNumber {
			kind = KindText
		}
		col := ColumnName(i)
		// Column style first: SetColStyle restyles existing cells.
		if err := f.SetColStyle(data, col, st.cell[kind]); err != nil {
			return err
		}
		if err := f.SetColWidth(data, col, col, columnWidth(kind, c.Header, c.Example)); err != nil {
			return err
		}
		headStyle := st.header
		if c.Required {
			headStyle = st.required
		}
		if err := setStyled(f, data, col+"1", Neutralise(c.Header), headStyle); err != nil {
			return err
		}
		if c.Example != "" {
			if err := setStyled(f, data, col+"2", exampleValue(kind, c.Example), st.example[kind]); err != nil {
				return err
			}
		}
		if note := columnNote(c); note != "" {
			if err := f.AddComment(data, excelize.Comment{Cell: col + "1", Author: "cmhub", Text: note}); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(data, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	helpHead := []string{"列 Column", "表头 Header", "必填 Required", "格式 Format", "示例 Example", "说明 Note"}
	for i, h := range helpHead {
		if err := setStyled(f, help, ColumnName(i)+"1", h, st.helpHeader); err != nil {
			return err
		}
	}
	for i, c := range cols {
		required := "否 No"
		if c.Required {
			required = "是 Yes"
		}
		row := []any{ColumnName(i), Neutralise(c.Header), required, kindName(c.Kind), Neutralise(c.Example), Neutralise(c.Note)}
		if err := f.SetSheetRow(help, "A"+strconv.Itoa(i+2), &row); err != nil {
			return err
		}
	}
	for i, line := range strings.Split(templateHelp, "\n") {
		if err := f.SetCellStr(help, "A"+strconv.Itoa(len(cols)+3+i), line); err != nil {
			return err
		}
	}
	for i, wd := range []float64{8, 24, 14, 16, 20, 60} {
		col := ColumnName(i)
		if err := f.SetColWidth(help, col, col, wd); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	return nil
}

func setStyled(f *excelize.File, sheet, cell string, v any, style int) error {
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		return err
	}
	// After the value: SetCellValue of a time replaces the style.
	return f.SetCellStyle(sheet, cell, cell, style)
}

// exampleValue stores a date example as a date and a number as a number,
// so the example row looks like what users should type.
func exampleValue(kind Kind, s string) any {
	switch kind {
	case KindDate:
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t
		}
	case KindNumber:
		if v, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eExXpP_") {
			return v
		}
	}
	return Neutralise(s)
}

func columnNote(c Column) string {
	var parts []string
	if c.Required {
		parts = append(parts, "必填 Required")
	}
	if c.Kind == KindDate {
		parts = append(parts, "日期格式 date format: YYYY-MM-DD")
	}
	if c.Note != "" {
		parts = append(parts, c.Note)
	}
	return strings.Join(parts, "\n")
}

func kindName(k Kind) string {
	switch k {
	case KindDate:
		return "日期 Date"
	case KindNumber:
		return "数字 Number"
	}
	return "文本 Text"
}
