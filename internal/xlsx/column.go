package xlsx

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Kind tells the template how to format a column so Excel keeps what users
// type. The zero value is KindText.
type Kind int

const (
	// KindText formats the column as text ("@"), so ID card numbers, phone
	// numbers and codes with leading zeros are not turned into numbers.
	KindText Kind = iota
	// KindDate formats the column as yyyy-mm-dd; typed dates are stored as
	// date serials and read back as YYYY-MM-DD.
	KindDate
	// KindNumber leaves the column in General format.
	KindNumber
)

// Column describes one column of an import/export sheet.
type Column struct {
	// Key is the stable machine key, e.g. "empNo"; Row.Values is keyed by it.
	Key string
	// Header is shown in templates and exports, Chinese first, e.g.
	// "工号 EmpNo". On import a header cell matches the full header, its
	// Chinese part, its English part or the key, ignoring case, spaces,
	// full-width forms and a "*" required marker.
	Header   string
	Required bool
	// Example is the template's second row.
	Example string
	// Note is shown as a comment on the template header and on its help sheet
	// (allowed codes, format hints).
	Note string
	// Kind selects the template's cell format.
	Kind Kind
}

// columnSet is a validated []Column with its header aliases.
type columnSet struct {
	cols  []Column
	alias map[string]int // matchKey(alias) → index in cols
	byKey map[string]int
}

func compile(cols []Column) (*columnSet, error) {
	if len(cols) == 0 {
		return nil, errors.New("xlsx: no columns")
	}
	s := &columnSet{
		cols:  cols,
		alias: make(map[string]int, 4*len(cols)),
		byKey: make(map[string]int, len(cols)),
	}
	for i, c := range cols {
		if strings.TrimSpace(c.Key) == "" || strings.TrimSpace(c.Header) == "" {
			return nil, fmt.Errorf("xlsx: column %d: key and header are required", i)
		}
		if j, dup := s.byKey[c.Key]; dup {
			return nil, fmt.Errorf("xlsx: columns %d and %d share key %q", j, i, c.Key)
		}
		s.byKey[c.Key] = i
		zh, en := splitHeader(c.Header)
		for _, a := range []string{c.Header, c.Key, zh, en} {
			k := matchKey(a)
			if k == "" {
				continue
			}
			if j, ok := s.alias[k]; ok && j != i {
				return nil, fmt.Errorf("xlsx: header %q of column %q also matches column %q", a, c.Key, cols[j].Key)
			}
			s.alias[k] = i
		}
	}
	return s, nil
}

// lookup finds the column a header cell names.
func (s *columnSet) lookup(header string) (int, bool) {
	i, ok := s.alias[matchKey(header)]
	return i, ok
}

// splitHeader splits "工号 EmpNo" into "工号" and "EmpNo": the English part
// starts at the first ASCII letter after a non-ASCII rune. Headers without
// Chinese have no parts.
func splitHeader(h string) (zh, en string) {
	seenWide := false
	for i, r := range h {
		if r > unicode.MaxASCII {
			seenWide = true
			continue
		}
		if seenWide && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return strings.TrimSpace(h[:i]), strings.TrimSpace(h[i:])
		}
	}
	return "", ""
}

// matchKey is the comparison form of a header: full-width folded, lower
// case, without spaces, zero-width characters or "*" required markers.
func matchKey(s string) string {
	s = width.Fold.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || r == '*' || r == '\u200b' || r == '\ufeff' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// trimCell trims what users cannot see: spaces (including the ideographic
// space and NBSP), zero-width spaces and stray BOMs.
func trimCell(s string) string {
	// Most cells start and end with a printable ASCII character: nothing
	// to trim, and no rune decoding needed to know it.
	if s == "" {
		return s
	}
	if a, z := s[0], s[len(s)-1]; a > ' ' && a < 0x7f && z > ' ' && z < 0x7f {
		return s
	}
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
	})
}

// ColumnName returns the spreadsheet column letters for a 0-based index:
// 0 → "A", 25 → "Z", 26 → "AA".
func ColumnName(i int) string {
	if i < 0 {
		return "?"
	}
	var buf [16]byte // enough for any int
	n := len(buf)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		buf[n] = byte('A' + (i-1)%26)
	}
	return string(buf[n:])
}

// DisplayWidth approximates how many character cells s takes in Excel:
// CJK characters count double.
func DisplayWidth(s string) int {
	w := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			w += 2
		default:
			w++
		}
	}
	return w
}

// columnWidth is a readable width for a column with the given texts.
func columnWidth(kind Kind, texts ...string) float64 {
	w := 0
	for _, t := range texts {
		w = max(w, DisplayWidth(t))
	}
	if kind == KindDate {
		w = max(w, 10)
	}
	return float64(min(max(w+3, 10), 60))
}
