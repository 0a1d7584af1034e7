package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

const (
	// maxZipEntries bounds the zip directory; real workbooks have dozens.
	maxZipEntries = 10_000
	// spillSize is the size above which excelize extracts worksheets and
	// the shared strings to temporary files instead of memory.
	spillSize = 4 << 20
	// maxPartSize bounds every other part, which excelize always holds in
	// memory (styles, workbook, drawings, images).
	maxPartSize = 16 << 20
	// maxInMemory bounds all parts held in memory together, so a small
	// upload of many mid-sized sheets cannot take hundreds of megabytes.
	maxInMemory = 64 << 20
)

// xlsxSource streams the first worksheet of a workbook.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	num  int // row number of the last row returned by rows.Next
}

func openXLSX(br *bufio.Reader, opt Options) (_ *xlsxSource, err error) {
	// excelize reads its input fully anyway; MaxBytes bounds it.
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, readError(err)
	}
	if err := checkZip(data, opt.MaxUnzipBytes); err != nil {
		return nil, err
	}
	s := &xlsxSource{}
	defer func() {
		// excelize parses untrusted XML; a panic in it must not take down
		// the server.
		if p := recover(); p != nil {
			err = damaged(fmt.Errorf("panic: %v", p))
		}
		if err != nil {
			_ = s.close()
		}
	}()
	s.f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    opt.MaxUnzipBytes,
		UnzipXMLSizeLimit: min(spillSize, opt.MaxUnzipBytes),
	})
	if err != nil {
		return nil, damaged(err)
	}
	if err := normaliseDates(s.f); err != nil {
		return nil, damaged(err)
	}
	sheets := s.f.GetSheetList()
	if len(sheets) == 0 {
		return nil, newFileError(ErrFormat, nil, "工作簿中没有工作表 the workbook has no worksheet")
	}
	if s.rows, err = s.f.Rows(sheets[0]); err != nil {
		return nil, damaged(err)
	}
	return s, nil
}

func damaged(cause error) error {
	return newFileError(ErrFormat, cause, "无法读取 .xlsx 文件，文件可能已损坏 cannot read the .xlsx file, it may be damaged")
}

// checkZip looks at the zip directory before excelize inflates anything:
// the declared sizes are binding (archive/zip fails on entries that inflate
// past them), so summing them stops zip bombs cheaply.
func checkZip(data []byte, maxUnzip int64) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return damaged(err)
	}
	if len(zr.File) > maxZipEntries {
		return newFileError(ErrFormat, nil, "压缩包条目过多，不是正常的工作簿 too many zip entries for a workbook")
	}
	var total, inMemory uint64
	workbook := false
	for _, zf := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, `\`, "/"))
		size := zf.UncompressedSize64
		total += size
		if total > uint64(maxUnzip) {
			return newFileError(ErrTooLarge, nil, "工作簿解压后超过 %s 上限 the workbook expands beyond the %s limit", sizeString(maxUnzip), sizeString(maxUnzip))
		}
		// Mirror excelize's choice of what it spills to disk.
		spilled := (strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml") && size > spillSize
		if !spilled {
			inMemory += size
		}
		if !spilled && size > maxPartSize || inMemory > maxInMemory {
			return newFileError(ErrTooLarge, nil, "工作簿中的「%s」过大 part %q of the workbook is too large", zf.Name, zf.Name)
		}
		if strings.HasSuffix(name, "workbook.xml") {
			workbook = true
		}
	}
	if !workbook {
		return newFileError(ErrFormat, nil, "压缩文件不是 Excel 工作簿 the zip file is not an Excel workbook")
	}
	// excelize ignores inflate and checksum errors and would read a damaged
	// sheet as a shorter one; inflating once here costs little next to
	// parsing the XML.
	for _, zf := range zr.File {
		if err := verifyEntry(zf); err != nil {
			return damaged(fmt.Errorf("%s: %w", zf.Name, err))
		}
	}
	return nil
}

func verifyEntry(zf *zip.File) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, rc)
	return errors.Join(err, rc.Close())
}

func (s *xlsxSource) next() (cells []string, num int, err error) {
	defer func() {
		if p := recover(); p != nil {
			cells, num = nil, 0
			err = newFileError(ErrFormat, fmt.Errorf("panic: %v", p), "第 %d 行无法读取 cannot read row %d", s.num, s.num)
		}
	}()
	for s.rows.Next() {
		s.num++
		// Rows.Next steps through every row number up to a row's r
		// attribute; a forged r="999999999" must not spin for minutes.
		if s.num > excelize.TotalRows {
			return nil, 0, newFileError(ErrFormat, nil, "行号超过 %d the sheet has rows beyond row %d", excelize.TotalRows, excelize.TotalRows)
		}
		cells, err := s.rows.Columns()
		if err != nil {
			return nil, 0, newFileError(ErrFormat, err, "第 %d 行无法读取 cannot read row %d", s.num, s.num)
		}
		if len(cells) > 0 {
			return cells, s.num, nil
		}
	}
	if err := s.rows.Error(); err != nil {
		return nil, 0, damaged(err)
	}
	return nil, 0, io.EOF
}

func (s *xlsxSource) encoding() string { return "xlsx" }

func (s *xlsxSource) close() error {
	var errs []error
	if s.rows != nil {
		errs = append(errs, s.rows.Close())
		s.rows = nil
	}
	if s.f != nil {
		errs = append(errs, s.f.Close())
		s.f = nil
	}
	return errors.Join(errs...)
}

// Date layouts of exports, and the number formats date and time cells are
// read with.
const (
	layoutDate     = "yyyy-mm-dd"
	layoutDateTime = "yyyy-mm-dd hh:mm:ss"
	layoutTime     = "hh:mm:ss"
)

// readLocale prefixes the read layouts: without a locale excelize searches
// every language it knows for each date token, which made date cells ten
// times slower to read than all other cells together.
const readLocale = "[$-409]"

// normaliseDates points every cell style with a date or time number format
// at an ISO layout, so date cells read as 2026-01-31 whatever the format
// they were typed with. Without it excelize renders built-in format 14 as
// "01-31-26" and leaves the East Asian built-ins (27–36, 50–58) as serial
// numbers, depending on the locale of the machine that wrote the file.
//
// excelize has no API to change a number format in place, so this edits the
// parsed style sheet (exported fields) and adds the layouts with NewStyle.
func normaliseDates(f *excelize.File) error {
	if f.Styles == nil || f.Styles.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	ids := map[string]int{} // layout → number format id
	n := len(f.Styles.CellXfs.Xf)
	for i := range n {
		p := f.Styles.CellXfs.Xf[i].NumFmtID
		if p == nil {
			continue
		}
		var layout string
		if code, ok := custom[*p]; ok {
			layout = dateLayout(code)
		} else {
			layout = builtinDateLayout(*p)
		}
		if layout == "" {
			continue
		}
		id, ok := ids[layout]
		if !ok {
			code := readLocale + layout
			style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
			if err != nil {
				return err
			}
			// NewStyle may have grown the slice; index afresh.
			np := f.Styles.CellXfs.Xf[style].NumFmtID
			if np == nil {
				return errors.New("xlsx: no number format on new style")
			}
			id = *np
			ids[layout] = id
		}
		f.Styles.CellXfs.Xf[i].NumFmtID = &id
	}
	return nil
}

// builtinDateLayout maps the built-in number formats that show dates or
// times. 27–36 and 50–58 are East Asian date formats whose code depends on
// the reader's locale.
func builtinDateLayout(id int) string {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return layoutDate
	case id == 22:
		return layoutDateTime
	case id >= 18 && id <= 21, id >= 32 && id <= 35, id == 45, id == 47:
		return layoutTime
	}
	return "" // includes 46, [h]:mm:ss, a duration
}

// dateLayout classifies a custom number format code: the ISO layout for a
// date, date-time or time format, "" for anything else. Any format showing a
// date reads as a full date, even "yyyy年m月", so no information is lost.
func dateLayout(code string) string {
	var b strings.Builder
	inQuote := false
scan:
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			inQuote = c != '"'
		case c == '"':
			inQuote = true
		case c == '\\', c == '_', c == '*':
			i++ // literal, padding or fill character follows
		case c == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				break scan
			}
			switch strings.ToLower(code[i+1 : i+j]) {
			case "h", "hh", "m", "mm", "s", "ss":
				return "" // elapsed time: a duration, not a clock time
			}
			i += j // locale, currency or colour
		case c == ';':
			break scan // the first section decides
		default:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
	s := strings.NewReplacer("am/pm", "", "a/p", "", "general", "").Replace(b.String())
	if strings.ContainsAny(s, "0#?") && !strings.ContainsAny(s, "hs") {
		return "" // a number format
	}
	hasTime := strings.ContainsAny(s, "hs")
	hasDate := strings.ContainsAny(s, "yd") || strings.ContainsRune(s, 'm') && !hasTime
	switch {
	case hasDate && hasTime:
		return layoutDateTime
	case hasDate:
		return layoutDate
	case hasTime:
		return layoutTime
	}
	return ""
}
