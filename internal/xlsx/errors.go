package xlsx

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinels for errors.Is; the errors returned carry a bilingual message
// for the user and wrap one of these.
var (
	ErrTooLarge    = errors.New("xlsx: file too large")
	ErrTooManyRows = errors.New("xlsx: too many rows")
	ErrFormat      = errors.New("xlsx: unsupported or damaged file")
	ErrEncoding    = errors.New("xlsx: invalid text encoding")
	ErrEmpty       = errors.New("xlsx: empty file")
)

// fileError is a whole-file problem: a message fit for the user, the
// sentinel it belongs to and, when there is one, the underlying cause.
type fileError struct {
	msg   string
	kind  error
	cause error
}

func (e *fileError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e *fileError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

// UserMessage returns the message of a whole-file problem written for the
// user (without the underlying cause, which is for the log), and false for
// any other error.
func UserMessage(err error) (string, bool) {
	var fe *fileError
	if errors.As(err, &fe) {
		return fe.msg, true
	}
	return "", false
}

func newFileError(kind, cause error, format string, args ...any) error {
	return &fileError{msg: fmt.Sprintf(format, args...), kind: kind, cause: cause}
}

func tooLarge(limit int64) error {
	return newFileError(ErrTooLarge, nil, "文件超过 %s 上限 file exceeds the %s limit", sizeString(limit), sizeString(limit))
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// HeaderProblemKind classifies a HeaderProblem, for callers that translate.
type HeaderProblemKind string

const (
	HeaderMissing   HeaderProblemKind = "missing"   // a required column is absent
	HeaderUnknown   HeaderProblemKind = "unknown"   // a header cell names no column
	HeaderDuplicate HeaderProblemKind = "duplicate" // two header cells name the same column
)

// HeaderProblem is one problem of the header row.
type HeaderProblem struct {
	Kind HeaderProblemKind
	// Column is the column letter in the file, "" for a missing column.
	Column string
	// Header is the header cell as found, or Column.Header when missing.
	Header string
	// First is the letter of the earlier column a duplicate repeats.
	First string
}

func (p HeaderProblem) String() string {
	switch p.Kind {
	case HeaderMissing:
		return fmt.Sprintf("缺少必填列 missing required column「%s」", p.Header)
	case HeaderDuplicate:
		return fmt.Sprintf("列 %s「%s」: 与列 %s 重复 duplicate of column %s", p.Column, p.Header, p.First, p.First)
	default:
		return fmt.Sprintf("列 %s「%s」: 无法识别的列 unknown column", p.Column, p.Header)
	}
}

// maxListed bounds how many problems an error message lists.
const maxListed = 20

// HeaderError reports every problem of the header row at once, so users
// fix the file in one go.
type HeaderError struct {
	Problems []HeaderProblem
}

func (e *HeaderError) Error() string {
	var b strings.Builder
	b.WriteString("表头有误 invalid header row: ")
	for i, p := range e.Problems {
		if i == maxListed {
			fmt.Fprintf(&b, "; 等 %d 项 and %d more", len(e.Problems)-i, len(e.Problems)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// RowError is a problem of one data row.
type RowError struct {
	Row     int    // spreadsheet row number, header = 1
	Column  string // column header text (or letter when there is none); may be empty
	Message string
}

func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("第 %d 行 row %d: %s", e.Row, e.Row, e.Message)
	}
	return fmt.Sprintf("第 %d 行 row %d「%s」: %s", e.Row, e.Row, e.Column, e.Message)
}

// Errors is a list of row errors; it is an error itself.
type Errors []RowError

func (es Errors) Error() string {
	if len(es) == 0 {
		return "没有错误 no errors"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d 处错误 %d errors: ", len(es), len(es))
	for i := range es {
		if i == maxListed {
			fmt.Fprintf(&b, "; …")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(es[i].Error())
	}
	return b.String()
}

// Add appends an error.
func (es *Errors) Add(row int, column, message string) {
	*es = append(*es, RowError{Row: row, Column: column, Message: message})
}

// Err returns es as an error, or nil when empty (never a typed nil).
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// DefaultCollectorLimit is the number of rows a zero Collector keeps.
const DefaultCollectorLimit = 10_000

// Collector gathers row errors during an import together with the rows
// they belong to, ready for ErrorReport. Rows past Limit are counted but not
// kept, so a file of ten million bad rows does not exhaust memory.
type Collector struct {
	// Limit is how many rows with errors are kept; 0 means
	// DefaultCollectorLimit.
	Limit int

	errs    Errors
	rows    []ReportRow
	at      map[int]int // row number → index in rows
	total   int
	dropped bool
}

// Add records a problem of row; column is the header text, may be empty.
func (c *Collector) Add(row Row, column, message string) {
	c.total++
	i, ok := c.at[row.Num]
	if !ok {
		limit := c.Limit
		if limit <= 0 {
			limit = DefaultCollectorLimit
		}
		if len(c.rows) >= limit {
			c.dropped = true
			return
		}
		if c.at == nil {
			c.at = make(map[int]int)
		}
		i = len(c.rows)
		c.at[row.Num] = i
		c.rows = append(c.rows, ReportRow{Num: row.Num, Raw: row.Raw})
	}
	c.errs.Add(row.Num, column, message)
	msg := message
	if column != "" {
		msg = "「" + column + "」" + message
	}
	c.rows[i].Messages = append(c.rows[i].Messages, msg)
}

// AddError records err against row: a *RowError or Errors keep their
// columns, anything else is recorded by its message.
func (c *Collector) AddError(row Row, err error) {
	var re *RowError
	var es Errors
	switch {
	case errors.As(err, &re):
		c.Add(row, re.Column, re.Message)
	case errors.As(err, &es):
		for _, e := range es {
			c.Add(row, e.Column, e.Message)
		}
	case err != nil:
		c.Add(row, "", err.Error())
	}
}

// Len is the number of errors recorded, including those past Limit.
func (c *Collector) Len() int { return c.total }

// Truncated reports whether rows were dropped because of Limit.
func (c *Collector) Truncated() bool { return c.dropped }

// Errors returns the kept errors in the order they were added.
func (c *Collector) Errors() Errors { return c.errs }

// ReportRows returns the kept rows with their messages, for ErrorReport.
func (c *Collector) ReportRows() []ReportRow { return c.rows }

// Err returns the kept errors as an error, or nil when there are none.
func (c *Collector) Err() error { return c.errs.Err() }
