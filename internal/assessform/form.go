// Package assessform writes assessment forms (考核评价表) as XLSX workbooks
// laid out like the paper forms of the branches: a title, the unit and
// date line, one column per scorecard item under a row of maximum points,
// one line per subject assessed, the general manager's comment and a page
// footer, set up to print on A4 landscape.
package assessform

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"cmhub/internal/xlsx"
)

// Item is one column of the form: an item of the scorecard with its maximum whole points.
type Item struct {
	NameZh string
	NameEn string
	Max    int
}

// Row is one subject assessed on the form.
type Row struct {
	Subject string   // "张三（XZ0012）" or a team name
	Points  []string // one per Item, already formatted ("18", "9.5"); "" when not scored
	Total   string   // "" when none
	Remark  string
}

// Form is one paper form: one worksheet.
type Form struct {
	Sheet        string // worksheet name wanted (made unique and valid by Write: max 31 chars, no []:*?/\)
	Title        string // "附件一：客户经理考核评价表"
	TitleEn      string // "Customer manager assessment form" (printed small under the title)
	UnitLabel    string // "证券营业部" / "营业部" / "团队"
	Unit         string // the branch or team name
	Period       string // display text, e.g. "2026年第三季度 2026-Q3"
	Date         string // "2026-10-08" → printed as 日期：2026年10月08日; "" prints "日期：    年  月  日"
	Items        []Item
	Rows         []Row  // may be empty: a blank form gets 10 empty lines to fill by hand
	CommentLabel string // "总经理评语" ; "" means no comment block
	Comment      string
	Footer       string // e.g. "cmhub 2026-11-29 导出 · 周期 2026-Q3 · 模板 cm_form v1"
}

// The fixed rows of every sheet; subjects start below the maximum row.
const (
	rowTitle   = 1
	rowTitleEn = 2
	rowUnit    = 3
	rowHeader  = 4
	rowMax     = 5
	rowFirst   = 6
)

const (
	blankRows   = 10 // lines of a form without subjects, to fill by hand
	commentRows = 4  // height of the comment block, in rows

	// lineHeight and smallLine are the heights in points of a line of
	// headerFont and smallFont text.
	lineHeight = 15
	smallLine  = 11
	headerFont = 11
	smallFont  = 8
	// rowMinHeight leaves room to write a score by hand on the printout.
	rowMinHeight = 24

	maxSheetName = 31 // Excel's limit, in UTF-16 units
	paperA4      = 9  // excelize page size index
	maxDigits    = 15 // Excel keeps 15 significant digits; longer scores stay text
	blankDate    = "日期：    年  月  日"
	pageFooter   = "&C第 &P 页 共 &N 页" // &P page, &N pages
	greyText     = "808080"
	headerFill   = "F2F2F2"
	datePrinted  = "2006年01月02日"
	sheetDefault = "Sheet" // base of the name of a form without one
)

// Write writes forms to w as one XLSX workbook, one worksheet per form, in order.
// It returns an error naming the form (by index and Sheet) when a Row's Points length differs from Items, or forms is empty.
func Write(w io.Writer, forms []Form) (err error) {
	if len(forms) == 0 {
		return errors.New("assessform: no forms to write")
	}
	// Checked before anything is built, so a bad form writes nothing.
	for i := range forms {
		if err := forms[i].check(); err != nil {
			return fmt.Errorf("assessform: forms[%d] (sheet %q): %w", i, forms[i].Sheet, err)
		}
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("assessform: close workbook: %w", cerr))
		}
	}()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	names := sheetNames(forms)
	for i := range forms {
		// The new workbook's only sheet becomes the first form's, so no empty sheet is left over.
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), names[i])
		} else {
			_, err = f.NewSheet(names[i])
		}
		if err == nil {
			err = writeSheet(f, st, names[i], &forms[i])
		}
		if err != nil {
			return fmt.Errorf("assessform: forms[%d] (sheet %q): %w", i, names[i], err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("assessform: write workbook: %w", err)
	}
	return nil
}

func (fm *Form) check() error {
	for i, r := range fm.Rows {
		if len(r.Points) != len(fm.Items) {
			return fmt.Errorf("rows[%d] (%q): %d points for %d items", i, r.Subject, len(r.Points), len(fm.Items))
		}
	}
	return nil
}

// styles are the cell formats of a form, shared by all its sheets.
type styles struct {
	title, titleEn, unitLeft, unitRight int
	header, max, subject, point, total  int
	remark, comment, footer             int
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	box := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1},
		{Type: "bottom", Color: "000000", Style: 1},
	}
	centre := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	grey := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}}
	for _, d := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{
			Font:      &excelize.Font{Bold: true, Size: 16},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
		}},
		{&s.titleEn, excelize.Style{
			Font:      &excelize.Font{Size: 9, Color: greyText},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"},
		}},
		{&s.unitLeft, excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}},
		{&s.unitRight, excelize.Style{Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}},
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: grey, Border: box, Alignment: centre}},
		{&s.max, excelize.Style{Fill: grey, Border: box, Alignment: centre}},
		{&s.subject, excelize.Style{Border: box, Alignment: centre}},
		{&s.point, excelize.Style{Border: box, Alignment: centre}},
		{&s.total, excelize.Style{Font: &excelize.Font{Bold: true}, Border: box, Alignment: centre}},
		{&s.remark, excelize.Style{Border: box, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}},
		{&s.comment, excelize.Style{Border: box, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}}},
		{&s.footer, excelize.Style{
			Font:      &excelize.Font{Size: 9, Color: greyText},
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"},
		}},
	} {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return s, fmt.Errorf("assessform: style: %w", err)
		}
		*d.id = id
	}
	return s, nil
}

// sheet writes the cells of one worksheet and keeps the first error, so
// the layout code reads like the form instead of a column of error checks.
type sheet struct {
	f    *excelize.File
	name string
	err  error
}

func cellName(col, row int) string { return xlsx.ColumnName(col-1) + strconv.Itoa(row) }

func (s *sheet) do(what string, fn func() error) {
	if s.err != nil {
		return
	}
	if err := fn(); err != nil {
		s.err = fmt.Errorf("%s: %w", what, err)
	}
}

// text writes user-supplied text, neutralised; "" leaves the cell empty
// but styled.
func (s *sheet) text(col, row int, v string, style int) {
	ref := cellName(col, row)
	s.cellStyle(col, row, col, row, style)
	if v != "" {
		s.do("cell "+ref, func() error { return s.f.SetCellStr(s.name, ref, xlsx.Neutralise(v)) })
	}
}

func (s *sheet) number(col, row int, v float64, style int) {
	ref := cellName(col, row)
	s.cellStyle(col, row, col, row, style)
	s.do("cell "+ref, func() error { return s.f.SetCellFloat(s.name, ref, v, -1, 64) })
}

// score writes a formatted score as a number when it is one, so Excel can
// sum the column, and as neutralised text otherwise.
func (s *sheet) score(col, row int, v string, style int) {
	if n, ok := decimal(v); ok {
		s.number(col, row, n, style)
		return
	}
	s.text(col, row, v, style)
}

func (s *sheet) cellStyle(col1, row1, col2, row2, style int) {
	a, b := cellName(col1, row1), cellName(col2, row2)
	s.do("style "+a+":"+b, func() error { return s.f.SetCellStyle(s.name, a, b, style) })
}

func (s *sheet) merge(col1, row1, col2, row2 int) {
	a, b := cellName(col1, row1), cellName(col2, row2)
	s.do("merge "+a+":"+b, func() error { return s.f.MergeCell(s.name, a, b) })
}

func (s *sheet) height(row int, h float64) {
	s.do("row height", func() error { return s.f.SetRowHeight(s.name, row, h) })
}

// decimal reports whether v is a score as cmhub formats it — entered
// points with one decimal, composites and item scores with two:
// ^[0-9]+(\.[0-9]{1,2})?$ — and its value. Anything else stays text.
func decimal(v string) (float64, bool) {
	whole, frac, dot := strings.Cut(v, ".")
	if whole == "" || len(whole) > maxDigits || !digits(whole) || dot && (len(frac) < 1 || len(frac) > 2 || !digits(frac)) {
		return 0, false
	}
	n, err := strconv.ParseFloat(v, 64)
	return n, err == nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// writeSheet lays one form out on its (empty) worksheet.
func writeSheet(f *excelize.File, st styles, name string, fm *Form) error {
	s := &sheet{f: f, name: name}
	cols := len(fm.Items) + 3 // subject, items, total, remark
	colTotal, colRemark := cols-1, cols
	widths := columnWidths(fm)

	// Title lines.
	s.text(1, rowTitle, fm.Title, st.title)
	s.merge(1, rowTitle, cols, rowTitle)
	s.height(rowTitle, 32)
	s.text(1, rowTitleEn, fm.TitleEn, st.titleEn)
	s.merge(1, rowTitleEn, cols, rowTitleEn)
	s.height(rowTitleEn, 16)

	// "证券营业部 ：…" on the left, period and date on the right.
	split := cols / 2
	unit := fm.Unit
	if fm.UnitLabel != "" {
		unit = fm.UnitLabel + " ：" + fm.Unit
	}
	s.text(1, rowUnit, unit, st.unitLeft)
	s.merge(1, rowUnit, split, rowUnit)
	when := dateText(fm.Date)
	if fm.Period != "" {
		when = fm.Period + "　　" + when
	}
	s.text(split+1, rowUnit, when, st.unitRight)
	s.merge(split+1, rowUnit, cols, rowUnit)
	s.height(rowUnit, 22)

	// Headings, each in Chinese with the English name beneath in small print.
	heads := make([]Item, 0, cols)
	heads = append(heads, Item{NameZh: "考核对象", NameEn: "Subject"})
	heads = append(heads, fm.Items...)
	heads = append(heads, Item{NameZh: "总分", NameEn: "Total"}, Item{NameZh: "备注", NameEn: "Remark"})
	headHeight := 2 * lineHeight
	for i, h := range heads {
		s.heading(i+1, h.NameZh, h.NameEn, st.header)
		zh := textLines(h.NameZh, widths[i])
		en := 0
		if h.NameEn != "" {
			en = textLines(h.NameEn, widths[i]*headerFont/smallFont)
		}
		headHeight = max(headHeight, zh*lineHeight+en*smallLine)
	}
	s.height(rowHeader, float64(headHeight+6))

	// Maximum points; the total is their sum so any scorecard adds up.
	s.text(1, rowMax, "满分 Max", st.max)
	sum := 0
	for i, it := range fm.Items {
		s.number(i+2, rowMax, float64(it.Max), st.max)
		sum += it.Max
	}
	s.number(colTotal, rowMax, float64(sum), st.max)
	s.text(colRemark, rowMax, "", st.max)
	s.height(rowMax, 20)

	// Subjects, or empty lines to fill in by hand.
	rows := fm.Rows
	if len(rows) == 0 {
		rows = make([]Row, blankRows)
		for i := range rows {
			rows[i].Points = make([]string, len(fm.Items))
		}
	}
	row := rowFirst
	for _, r := range rows {
		s.text(1, row, r.Subject, st.subject)
		for i, p := range r.Points {
			s.score(i+2, row, p, st.point)
		}
		s.score(colTotal, row, r.Total, st.total)
		s.text(colRemark, row, r.Remark, st.remark)
		n := max(textLines(r.Subject, widths[0]), textLines(r.Remark, widths[colRemark-1]))
		s.height(row, max(rowMinHeight, float64(n*lineHeight+4)))
		row++
	}

	// The general manager's comment: one bordered box across the form.
	if fm.CommentLabel != "" {
		full := 0.0
		for _, w := range widths {
			full += w
		}
		text := fm.CommentLabel + "：" + fm.Comment
		h := max(rowMinHeight, float64((textLines(text, full)*lineHeight+8+commentRows-1)/commentRows))
		s.cellStyle(1, row, cols, row+commentRows-1, st.comment)
		s.text(1, row, text, st.comment)
		s.merge(1, row, cols, row+commentRows-1)
		for i := range commentRows {
			s.height(row+i, h)
		}
		row += commentRows
	}

	if fm.Footer != "" {
		s.text(1, row, fm.Footer, st.footer)
		s.merge(1, row, cols, row)
		s.height(row, 18)
		row++
	}
	last := row - 1

	for i, w := range widths {
		c := xlsx.ColumnName(i)
		s.do("column width", func() error { return f.SetColWidth(name, c, c, w) })
	}
	s.do("panes", func() error {
		top := cellName(1, rowFirst)
		return f.SetPanes(name, &excelize.Panes{
			Freeze: true, YSplit: rowMax, TopLeftCell: top, ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
		})
	})
	// Readers that size the sheet from <dimension> see the whole form.
	s.do("dimension", func() error { return f.SetSheetDimension(name, "A1:"+cellName(cols, last)) })
	s.printSetup(cols, last)
	return s.err
}

// printSetup prints the form on A4 landscape, one page wide, with the
// headings and maximum points repeated on every page.
func (s *sheet) printSetup(cols, last int) {
	size, orient, one, auto, fit := paperA4, "landscape", 1, 0, true
	s.do("page layout", func() error {
		return s.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{
			Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &auto,
		})
	})
	// Excel honours FitToWidth only with the sheet's fit-to-page flag set.
	s.do("sheet properties", func() error {
		return s.f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &fit})
	})
	centred := true
	s.do("page margins", func() error {
		return s.f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{Horizontally: &centred})
	})
	s.do("page footer", func() error {
		return s.f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddFooter: pageFooter})
	})
	ref := quoteSheet(s.name)
	s.do("print area", func() error {
		return s.f.SetDefinedName(&excelize.DefinedName{
			Name: "_xlnm.Print_Area", Scope: s.name,
			RefersTo: ref + "!$A$1:$" + xlsx.ColumnName(cols-1) + "$" + strconv.Itoa(last),
		})
	})
	s.do("print titles", func() error {
		return s.f.SetDefinedName(&excelize.DefinedName{
			Name: "_xlnm.Print_Titles", Scope: s.name,
			RefersTo: ref + "!$" + strconv.Itoa(rowHeader) + ":$" + strconv.Itoa(rowMax),
		})
	})
}

// quoteSheet quotes a sheet name for a reference; quoting is always
// allowed and the names here are mostly Chinese, which needs it.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// heading writes a column heading: the Chinese name in bold with the
// English one on a second line in small grey print, as rich text so both
// stay in the one cell.
func (s *sheet) heading(col int, zh, en string, style int) {
	if zh == "" || en == "" {
		s.text(col, rowHeader, zh+en, style)
		return
	}
	ref := cellName(col, rowHeader)
	s.cellStyle(col, rowHeader, col, rowHeader, style)
	s.do("cell "+ref, func() error {
		return s.f.SetCellRichText(s.name, ref, []excelize.RichTextRun{
			{Text: xlsx.Neutralise(zh), Font: &excelize.Font{Bold: true, Size: headerFont}},
			{Text: "\n" + en, Font: &excelize.Font{Size: smallFont, Color: greyText}},
		})
	})
}

func dateText(d string) string {
	if d == "" {
		return blankDate
	}
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		// Not a date: printed as given rather than dropped.
		return "日期：" + d
	}
	return "日期：" + t.Format(datePrinted)
}

// columnWidths sizes the subject and remark columns to their text and the
// item columns to their headings, which wrap beyond a width.
func columnWidths(fm *Form) []float64 {
	ws := make([]float64, 0, len(fm.Items)+3)
	subject := max(xlsx.DisplayWidth("考核对象"), xlsx.DisplayWidth("满分 Max"))
	remark := xlsx.DisplayWidth("备注")
	for _, r := range fm.Rows {
		subject = max(subject, xlsx.DisplayWidth(r.Subject))
		remark = max(remark, xlsx.DisplayWidth(r.Remark))
	}
	ws = append(ws, clamp(subject+4, 14, 30))
	for _, it := range fm.Items {
		ws = append(ws, clamp(max(xlsx.DisplayWidth(it.NameZh), xlsx.DisplayWidth(it.NameEn))+2, 9, 16))
	}
	return append(ws, 9, clamp(remark+2, 16, 40))
}

func clamp(v, lo, hi int) float64 { return float64(min(max(v, lo), hi)) }

// textLines estimates how many lines s wraps to in a column of the given
// width, at least one.
func textLines(s string, colWidth float64) int {
	per := max(int(colWidth)-1, 1)
	n := 0
	for line := range strings.SplitSeq(s, "\n") {
		n += max((xlsx.DisplayWidth(line)+per-1)/per, 1)
	}
	return n
}

// sheetNames makes the wanted names valid and unique. Excel compares
// sheet names case-insensitively and reserves "History".
func sheetNames(forms []Form) []string {
	used := map[string]bool{"history": true}
	names := make([]string, len(forms))
	for i := range forms {
		base := cleanSheetName(forms[i].Sheet)
		if base == "" {
			base = sheetDefault + strconv.Itoa(i+1)
		}
		name := base
		for n := 2; used[strings.ToLower(name)]; n++ {
			suffix := " (" + strconv.Itoa(n) + ")"
			name = strings.TrimRight(truncateUTF16(base, maxSheetName-len(suffix)), " ") + suffix
		}
		used[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}

// cleanSheetName replaces what Excel refuses in a sheet name, cuts it to
// 31 UTF-16 units and trims the spaces and apostrophes Excel refuses at
// either end.
func cleanSheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			return '_'
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
	return strings.Trim(truncateUTF16(strings.Trim(s, " '"), maxSheetName), " '")
}

// truncateUTF16 cuts s to at most n UTF-16 units, the unit of Excel's
// limits, without splitting a character.
func truncateUTF16(s string, n int) string {
	for i, r := range s {
		n -= utf16.RuneLen(r)
		if n < 0 {
			return s[:i]
		}
	}
	return s
}
