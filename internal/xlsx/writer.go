package xlsx

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Neutralise makes a user-supplied cell safe to open: text starting with
// = + - @ or a tab, carriage return or line feed gets a leading apostrophe,
// so spreadsheet programs show it instead of evaluating it as a formula
// (CSV/formula injection). Writer, Template and ErrorReport apply it to
// every string cell; Reader removes it again on import.
func Neutralise(s string) string {
	if s != "" && isFormulaStart(s[0]) {
		return "'" + s
	}
	return s
}

func isFormulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return true
	}
	return false
}

// maxExactInt is the largest integer Excel shows without rounding (15
// significant digits); larger ones are written as text.
const maxExactInt = 999_999_999_999_999

// Writer streams an export: a bold, frozen header row, sensible column
// widths, then one row per Write. Past Excel's 1 048 576 rows it continues
// on a new sheet with the header repeated, so exports of any size open.
type Writer struct {
	f      *excelize.File
	sw     *excelize.StreamWriter
	out    io.Writer
	sheet  string
	head   []string
	widths []float64
	freeze int // columns frozen besides the header row

	sheetRows int // rows per sheet, header included: Excel's maximum

	part   int // sheet number, from 1
	row    int // last row written on the current sheet
	cells  []any
	styles writerStyles
	err    error // sticky: a failed write leaves the workbook unusable
	closed bool
}

type writerStyles struct {
	header, date, dateTime, errorText int
}

// NewWriter starts an export with one sheet named sheet (default "Sheet1").
// Rows are buffered in a temporary file and nothing reaches w before Close;
// call Close even after an error, it removes the temporary files.
func NewWriter(w io.Writer, sheet string, cols []Column) (*Writer, error) {
	if len(cols) == 0 {
		return nil, errors.New("xlsx: no columns")
	}
	head := make([]string, len(cols))
	widths := make([]float64, len(cols))
	for i, c := range cols {
		head[i] = c.Header
		widths[i] = columnWidth(c.Kind, c.Header)
	}
	return newWriter(w, sheet, head, widths, 0)
}

func newWriter(w io.Writer, sheet string, head []string, widths []float64, freeze int) (_ *Writer, err error) {
	if sheet == "" {
		sheet = "Sheet1"
	}
	xw := &Writer{
		f: excelize.NewFile(), out: w, sheet: sheet, head: head, widths: widths, freeze: freeze,
		sheetRows: excelize.TotalRows,
	}
	defer func() {
		if err != nil {
			_ = xw.f.Close()
		}
	}()
	if err := xw.f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("xlsx: sheet name %q: %w", sheet, err)
	}
	if xw.styles, err = newWriterStyles(xw.f); err != nil {
		return nil, err
	}
	if err := xw.startSheet(); err != nil {
		return nil, err
	}
	return xw, nil
}

func newWriterStyles(f *excelize.File) (writerStyles, error) {
	var s writerStyles
	date, dateTime := layoutDate, layoutDateTime
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, &excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}},
			Alignment: &excelize.Alignment{Vertical: "center"},
		}},
		{&s.date, &excelize.Style{CustomNumFmt: &date}},
		{&s.dateTime, &excelize.Style{CustomNumFmt: &dateTime}},
		{&s.errorText, &excelize.Style{
			Font:      &excelize.Font{Color: "C00000"},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
		}},
	} {
		id, err := f.NewStyle(st.style)
		if err != nil {
			return s, fmt.Errorf("xlsx: style: %w", err)
		}
		*st.id = id
	}
	return s, nil
}

// startSheet opens the next sheet's stream and writes its header.
func (w *Writer) startSheet() error {
	w.part++
	name := w.sheet
	if w.part > 1 {
		suffix := " " + strconv.Itoa(w.part)
		name = truncateRunes(w.sheet, 31-len(suffix)) + suffix
		if _, err := w.f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx: new sheet: %w", err)
		}
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("xlsx: stream writer: %w", err)
	}
	for i, wd := range w.widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return fmt.Errorf("xlsx: column width: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: w.freeze, YSplit: 1,
		TopLeftCell: ColumnName(w.freeze) + "2", ActivePane: "bottomRight",
	}); err != nil {
		return fmt.Errorf("xlsx: panes: %w", err)
	}
	cells := make([]any, len(w.head))
	for i, h := range w.head {
		cells[i] = excelize.Cell{StyleID: w.styles.header, Value: Neutralise(h)}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("xlsx: header: %w", err)
	}
	w.sw, w.row = sw, 1
	return nil
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// Write appends a row. Accepted values: string (neutralised), the integer
// types, float32/64 (finite), bool, time.Time and *time.Time (a date, or a
// date and time when it is not midnight; the zero time is an empty cell),
// fmt.Stringer (written as its neutralised string) and nil (empty cell).
// Integers beyond 15 digits are written as text, which Excel would round.
func (w *Writer) Write(values ...any) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("xlsx: write after close")
	}
	if len(values) > len(w.head) {
		return fmt.Errorf("xlsx: %d values for %d columns", len(values), len(w.head))
	}
	w.cells = w.cells[:0]
	for i, v := range values {
		c, err := w.cell(v)
		if err != nil {
			return fmt.Errorf("xlsx: column %s: %w", ColumnName(i), err)
		}
		w.cells = append(w.cells, c)
	}
	return w.writeRow(w.cells)
}

func (w *Writer) cell(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return textCell(v), nil
	case int:
		return intCell(int64(v)), nil
	case int8:
		return int64(v), nil
	case int16:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case int64:
		return intCell(v), nil
	case uint:
		return uintCell(uint64(v)), nil
	case uint8:
		return int64(v), nil
	case uint16:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	case uint64:
		return uintCell(v), nil
	case float32:
		return floatCell(float64(v))
	case float64:
		return floatCell(v)
	case bool:
		return v, nil
	case time.Time:
		return w.timeCell(v), nil
	case *time.Time:
		if v == nil {
			return nil, nil
		}
		return w.timeCell(*v), nil
	case fmt.Stringer:
		return textCell(v.String()), nil
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

func textCell(s string) any {
	if s == "" {
		return nil
	}
	return Neutralise(s)
}

func intCell(v int64) any {
	if v > maxExactInt || v < -maxExactInt {
		return Neutralise(strconv.FormatInt(v, 10))
	}
	return v
}

func uintCell(v uint64) any {
	if v > maxExactInt {
		return strconv.FormatUint(v, 10)
	}
	return int64(v)
}

func floatCell(v float64) (any, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("cannot write %v", v)
	}
	return v, nil
}

func (w *Writer) timeCell(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	style := w.styles.dateTime
	if h, m, s := t.Clock(); h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0 {
		style = w.styles.date
	}
	return excelize.Cell{StyleID: style, Value: t}
}

func (w *Writer) writeRow(cells []any) error {
	if w.err != nil {
		return w.err
	}
	if w.row >= w.sheetRows {
		if err := w.sw.Flush(); err != nil {
			w.err = fmt.Errorf("xlsx: flush: %w", err)
			return w.err
		}
		if err := w.startSheet(); err != nil {
			w.err = err
			return err
		}
	}
	w.row++
	if err := w.sw.SetRow("A"+strconv.Itoa(w.row), cells); err != nil {
		w.err = fmt.Errorf("xlsx: row %d: %w", w.row, err)
		return w.err
	}
	return nil
}

// Close finishes the workbook and writes it to the io.Writer given to
// NewWriter. After a failed Write nothing is written.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.err
	if err == nil {
		if err = w.sw.Flush(); err != nil {
			err = fmt.Errorf("xlsx: flush: %w", err)
		} else if err = w.f.Write(w.out); err != nil {
			err = fmt.Errorf("xlsx: write workbook: %w", err)
		}
	}
	return errors.Join(err, w.f.Close())
}

// ReportRow is one row of an error report.
type ReportRow struct {
	Num      int      // row number in the uploaded file
	Raw      []string // the uploaded cells
	Messages []string // what is wrong with the row
}

// Headers of the two columns ErrorReport puts in front of the upload's.
const (
	ErrorColumnHeader = "错误 Error"
	RowColumnHeader   = "行号 Row"
)

// ErrorReport writes the workbook users download after a failed import:
// the rows that have errors, each with its messages (joined with "; ") in
// the first column and its original row number in the second, followed by
// the uploaded cells under the uploaded header, so users fix the rows and
// import them again. header is Reader.Header().
func ErrorReport(w io.Writer, header []string, rows []ReportRow) error {
	head := make([]string, 0, len(header)+2)
	head = append(head, ErrorColumnHeader, RowColumnHeader)
	head = append(head, header...)
	widths := make([]float64, len(head))
	widths[0], widths[1] = 50, 8
	for i, h := range header {
		widths[i+2] = columnWidth(KindText, h)
	}
	xw, err := newWriter(w, "错误 Errors", head, widths, 2)
	if err != nil {
		return err
	}
	var cells []any
	for _, r := range rows {
		cells = append(cells[:0],
			excelize.Cell{StyleID: xw.styles.errorText, Value: Neutralise(joinMessages(r.Messages))},
			r.Num)
		for _, c := range r.Raw {
			cells = append(cells, textCell(c))
		}
		if err := xw.writeRow(cells); err != nil {
			_ = xw.Close()
			return err
		}
	}
	return xw.Close()
}

// joinMessages joins with "; " and keeps the cell within Excel's limit.
func joinMessages(msgs []string) string {
	s := strings.Join(msgs, "; ")
	if len(s) > excelize.TotalCellChars {
		s = truncateRunes(s, excelize.TotalCellChars/2-1) + "…"
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}
