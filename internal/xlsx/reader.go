package xlsx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Defaults for a zero Options.
const (
	DefaultMaxBytes = 20 << 20
	DefaultMaxRows  = 1_000_000
	// DefaultUnzipRatio × MaxBytes bounds the uncompressed size of an XLSX.
	// Sheet XML compresses about 10:1, so 32 leaves room for honest files
	// and stops zip bombs.
	DefaultUnzipRatio = 32
)

// sniffSize is how much of an upload is looked at to detect its format and
// its text encoding.
const sniffSize = 64 << 10

// Options bounds what Open accepts.
type Options struct {
	// MaxBytes is the largest upload accepted; default 20 MiB.
	MaxBytes int64
	// MaxRows is the largest number of data rows (header and empty rows not
	// counted); default 1 000 000.
	MaxRows int
	// MaxUnzipBytes is the largest total uncompressed size of an XLSX;
	// default DefaultUnzipRatio × MaxBytes.
	MaxUnzipBytes int64
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxUnzipBytes <= 0 {
		o.MaxUnzipBytes = DefaultUnzipRatio * o.MaxBytes
	}
	return o
}

// Row is one non-empty data row.
type Row struct {
	// Num is the 1-based row number users see in their spreadsheet program;
	// the header is usually row 1.
	Num int
	// Values holds the trimmed cells by Column.Key, for the columns present
	// in the header; a missing cell reads as "".
	Values map[string]string
	// Raw holds the cells in file order, as read, for the error report.
	Raw []string
}

// source yields raw rows of one file format.
type source interface {
	// next returns the cells of the next row that has any and its 1-based
	// row number; io.EOF at the end.
	next() (cells []string, num int, err error)
	encoding() string
	close() error
}

// Reader yields the data rows of an uploaded file.
type Reader struct {
	src     source
	set     *columnSet
	header  []string
	index   []int  // file column → index in set.cols, -1 when ignored
	present []bool // index in set.cols → found in header
	maxRows int

	rows           int
	vals           []string // NextCells' reused values
	started        bool
	skippedExample bool
	err            error
}

// Open reads the header of an upload and returns a Reader positioned at the
// first data row. size is the declared size (-1 when unknown) and name the
// uploaded file name; the format is decided by the content, the name only
// sharpens error messages. A header that does not fit cols gives a
// *HeaderError.
func Open(r io.Reader, size int64, name string, cols []Column, opt Options) (*Reader, error) {
	set, err := compile(cols)
	if err != nil {
		return nil, err
	}
	opt = opt.withDefaults()
	if size > opt.MaxBytes {
		return nil, tooLarge(opt.MaxBytes)
	}
	br := bufio.NewReaderSize(&limitReader{r: r, left: opt.MaxBytes, limit: opt.MaxBytes}, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, readError(err)
	}
	if len(head) == 0 {
		return nil, newFileError(ErrEmpty, nil, "文件为空 the file is empty")
	}
	var src source
	err = nil
	switch detect(head) {
	case formatZip:
		src, err = openXLSX(br, opt)
	case formatText:
		if isExcelName(name) {
			return nil, newFileError(ErrFormat, nil, "文件名为 Excel 但内容不是 .xlsx 工作簿，请在 Excel 中另存为 .xlsx 后重试 the file is named like an Excel file but is not an .xlsx workbook; save it as .xlsx in Excel and retry")
		}
		src = newCSVSource(br, head)
	case formatOLE:
		return nil, newFileError(ErrFormat, nil, "不支持旧版 .xls 或加密的工作簿，请另存为 .xlsx unsupported legacy .xls or password-protected workbook; save it as .xlsx")
	case formatUTF16:
		return nil, newFileError(ErrFormat, nil, "不支持 UTF-16 文本，请另存为「CSV UTF-8」 UTF-16 text is not supported; save as \"CSV UTF-8\"")
	case formatMarkup:
		return nil, newFileError(ErrFormat, nil, "文件是网页或 XML 表格而不是 .xlsx/.csv，请在 Excel 中另存为 .xlsx the file is HTML or XML, not .xlsx or .csv; save it as .xlsx in Excel")
	default:
		return nil, newFileError(ErrFormat, nil, "无法识别的文件格式，请上传 .xlsx 或 .csv unrecognised file format; upload .xlsx or .csv")
	}
	if err != nil {
		return nil, err
	}
	rd := &Reader{src: src, set: set, maxRows: opt.MaxRows}
	if err := rd.readHeader(); err != nil {
		_ = src.close()
		return nil, err
	}
	return rd, nil
}

// readError wraps an error of the upload stream, keeping ours as they are
// since their message is meant for the user.
func readError(err error) error {
	var fe *fileError
	if errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("xlsx: read upload: %w", err)
}

func isExcelName(name string) bool {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/"))) {
	case ".xlsx", ".xlsm", ".xls":
		return true
	}
	return false
}

type format int

const (
	formatText format = iota
	formatZip
	formatOLE
	formatUTF16
	formatMarkup
	formatBinary
)

// detect classifies an upload by its first bytes.
func detect(head []byte) format {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return formatZip
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return formatOLE
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return formatUTF16
	case bytes.IndexByte(head, 0) >= 0:
		return formatBinary
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) > 0 && t[0] == '<' {
		return formatMarkup // HTML tables saved as .xls, SpreadsheetML 2003
	}
	return formatText
}

// limitReader fails with ErrTooLarge once more than limit bytes are read,
// whatever size the client declared.
type limitReader struct {
	r     io.Reader
	left  int64
	limit int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Exactly at the limit is fine; one more byte is not.
		var probe [1]byte
		n, err := l.r.Read(probe[:])
		if n > 0 {
			return 0, tooLarge(l.limit)
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (r *Reader) readHeader() error {
	var cells []string
	for {
		var err error
		cells, _, err = r.src.next()
		if errors.Is(err, io.EOF) {
			return newFileError(ErrEmpty, nil, "文件没有表头 the file has no header row")
		}
		if err != nil {
			return err
		}
		if !allEmpty(cells) {
			break
		}
	}
	if len(cells) > excelize.MaxColumns {
		return newFileError(ErrFormat, nil, "表头超过 %d 列 the header has more than %d columns", excelize.MaxColumns, excelize.MaxColumns)
	}
	r.header = make([]string, len(cells))
	r.index = make([]int, len(cells))
	r.present = make([]bool, len(r.set.cols))
	first := make([]int, len(r.set.cols)) // index in set.cols → file column
	var problems []HeaderProblem
	for i, c := range cells {
		h := trimCell(c)
		r.header[i] = h
		r.index[i] = -1
		if h == "" {
			continue
		}
		ci, ok := r.set.lookup(h)
		switch {
		case !ok:
			problems = append(problems, HeaderProblem{Kind: HeaderUnknown, Column: ColumnName(i), Header: h})
		case r.present[ci]:
			problems = append(problems, HeaderProblem{Kind: HeaderDuplicate, Column: ColumnName(i), Header: h, First: ColumnName(first[ci])})
		default:
			r.present[ci], first[ci], r.index[i] = true, i, ci
		}
	}
	for ci, c := range r.set.cols {
		if c.Required && !r.present[ci] {
			problems = append(problems, HeaderProblem{Kind: HeaderMissing, Header: c.Header})
		}
	}
	if len(problems) > 0 {
		return &HeaderError{Problems: problems}
	}
	return nil
}

// Next returns the next non-empty data row, or io.EOF at the end.
//
// A *RowError means the row is returned but malformed (a value in a column
// without header, typically a CSV field with an unquoted comma): record it
// and keep calling Next. Any other error is final and returned again by
// further calls.
//
// A first data row identical to the template's example row (every Example
// of the columns present) is skipped: users often leave it in.
//
// Values are trimmed, and a leading apostrophe that Neutralise added on
// export is removed, so an export can be edited and imported again.
func (r *Reader) Next() (Row, error) { return r.next(false) }

func (r *Reader) next(cellsOnly bool) (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		cells, num, err := r.src.next()
		if err != nil {
			r.err = err
			return Row{}, err
		}
		if allEmpty(cells) {
			continue
		}
		row := Row{Num: num, Raw: cells}
		if cellsOnly {
			if r.vals == nil {
				r.vals = make([]string, len(r.set.cols))
			}
			clear(r.vals)
		} else {
			row.Values = make(map[string]string, len(r.set.cols))
		}
		stray := -1
		for i, c := range cells {
			if i < len(r.index) && r.index[i] >= 0 {
				v := unneutralise(trimCell(c))
				if cellsOnly {
					r.vals[r.index[i]] = v
				} else {
					row.Values[r.set.cols[r.index[i]].Key] = v
				}
			} else if stray < 0 && trimCell(c) != "" {
				stray = i
			}
		}
		if !r.started {
			r.started = true
			if stray < 0 && r.isExample(row, cellsOnly) {
				r.skippedExample = true
				continue
			}
		}
		r.rows++
		if r.rows > r.maxRows {
			r.err = newFileError(ErrTooManyRows, nil, "数据超过 %d 行上限 the file has more than %d data rows", r.maxRows, r.maxRows)
			return Row{}, r.err
		}
		if stray >= 0 {
			col := ColumnName(stray)
			return row, &RowError{Row: num, Column: col, Message: "列 " + col + " 有数据但没有表头，可能是未加引号的逗号 column " + col + " has a value but no header (an unquoted comma?)"}
		}
		return row, nil
	}
}

// NextCells is Next without the map: it returns the row's trimmed values
// in the order of the columns given to Open ("" for a column the file
// lacks), in a slice that is reused by the next call, and the row's cells
// as read, also reused. Bulk imports of millions of rows use it; the
// rules (example row, row limit, stray cells) are Next's.
func (r *Reader) NextCells() (num int, values, raw []string, err error) {
	row, err := r.next(true)
	return row.Num, r.vals, row.Raw, err
}

// isExample reports whether row repeats the template's example row.
func (r *Reader) isExample(row Row, cellsOnly bool) bool {
	hasExample := false
	for ci, c := range r.set.cols {
		if !r.present[ci] {
			continue
		}
		ex := trimCell(c.Example)
		v := row.Values[c.Key]
		if cellsOnly {
			v = r.vals[ci]
		}
		if v != ex {
			return false
		}
		hasExample = hasExample || ex != ""
	}
	return hasExample
}

// Header returns the header row as found in the file (trimmed), e.g. for
// ErrorReport.
func (r *Reader) Header() []string { return append([]string(nil), r.header...) }

// Has reports whether the header has the column with this key; optional
// columns may be absent, which is not the same as present and empty.
func (r *Reader) Has(key string) bool {
	i, ok := r.set.byKey[key]
	return ok && r.present[i]
}

// SkippedExample reports whether an unchanged template example row was
// skipped, so the UI can say so.
func (r *Reader) SkippedExample() bool { return r.skippedExample }

// Encoding reports the detected encoding: "xlsx" for workbooks, and for CSV
// "utf-8", "utf-8-bom" or "gb18030". Pure ASCII reads as "utf-8"; for CSV
// the answer is final once the first non-ASCII byte has been read.
func (r *Reader) Encoding() string { return r.src.encoding() }

// Close releases temporary files of large workbooks. It does not close the
// io.Reader given to Open.
func (r *Reader) Close() error {
	if r.err == nil {
		r.err = errors.New("xlsx: reader closed")
	}
	return r.src.close()
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if trimCell(c) != "" {
			return false
		}
	}
	return true
}

// unneutralise undoes Neutralise: "'=1" → "=1". Stored values are
// neutralised again on every export, so this is safe.
func unneutralise(s string) string {
	if len(s) >= 2 && s[0] == '\'' && isFormulaStart(s[1]) {
		return s[1:]
	}
	return s
}
