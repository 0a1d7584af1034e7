package platform

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Column describes one column of an import template or export sheet.
type Column struct {
	Key      string
	Header   string // Chinese first, then English: "工号 EmpNo"
	Required bool
	Example  string
	Note     string
	Date     bool // a YYYY-MM-DD column, formatted as a date in templates
}

// ImportRow is one data row of an uploaded file.
type ImportRow struct {
	Num    int               // row number as the user sees it in the file (header = 1)
	Values map[string]string // by column key
}

// RowError is one problem of one row, by column key.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// CheckListing validates and defaults what every list endpoint takes: a
// keyword of at most 50 characters, an as-of date (default today), page ≥ 1
// and a page size of 1–500 (default 20), and a sort key from sortCols,
// optionally prefixed with "-" for descending. Problems go into fs.
func CheckListing(fs Fields, q *string, asOf *Date, today Date, page, pageSize *int, sort string, sortCols []string) {
	*q = strings.TrimSpace(*q)
	if utf8.RuneCountInString(*q) > 50 {
		fs.Add("q", "关键字最多 50 个字 at most 50 characters")
	}
	if asOf.IsZero() {
		*asOf = today
	}
	if *page < 1 {
		*page = 1
	}
	switch {
	case *pageSize == 0:
		*pageSize = 20
	case *pageSize < 1 || *pageSize > 500:
		fs.Add("pageSize", "每页 1–500 条 must be 1–500")
	}
	if sort != "" && !slices.Contains(sortCols, strings.TrimPrefix(sort, "-")) {
		fs.Add("sort", "排序字段须为 "+strings.Join(sortCols, "、")+" sort must be one of "+strings.Join(sortCols, ", "))
	}
}
