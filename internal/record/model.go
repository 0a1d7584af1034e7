// Package record keeps the business records (业务记录) an institution
// imports each month from its CRM or core system: one row per business
// event with a source id, credited to the manager(s) who owned the customer
// on the event's date, split by their shares (SPEC §4; seed 001 第十五条).
//
// Imports are the heavy path of the whole system (ten million rows a month
// at the largest institutions), so the importer works in one streaming pass
// over the file against compact in-memory indexes of the customers,
// attributions and people it needs, and loads the result with the engine's
// bulk path in one transaction: the database holds the month as it was
// before the import or as it is after it, never in between. See
// docs/decisions/0011-business-records.md.
package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cmhub/internal/customer"
	"cmhub/internal/platform"
)

// Signs a record type allows for its amount or quantity.
const (
	SignNonNegative = "non_negative"
	SignAny         = "any"
)

// Type is a kind of business record the institution imports.
type Type struct {
	Key          string `json:"key"`
	NameZh       string `json:"nameZh"`
	NameEn       string `json:"nameEn"`
	AmountSign   string `json:"amountSign"`
	QuantitySign string `json:"quantitySign"`
}

// Import modes.
const (
	// ModeAllOrNothing rejects the whole file when any row is invalid.
	ModeAllOrNothing = "all_or_nothing"
	// ModeValidRows imports the valid rows and reports the others.
	ModeValidRows = "valid_rows"
)

// Column keys of the import file.
const (
	colSource   = "sourceId"
	colDate     = "date"
	colCustomer = "customerIdNumber"
	colType     = "recordType"
	colAmount   = "amount"
	colQuantity = "quantity"
	colProduct  = "product"
	colManager  = "managerEmpNo"
)

// ImportColumns are the columns of the business-record import, in order.
func ImportColumns() []platform.Column {
	return []platform.Column{
		{Key: colSource, Header: "流水号 Source ID", Required: true, Example: "CRM-20261103-000001", Note: "源系统中业务记录的唯一编号；同月内再次导入同一流水号：内容相同不变，内容不同则替换 unique in the source system; the same id again in the month is skipped when unchanged, replaced when changed"},
		{Key: colDate, Header: "业务日期 Date", Required: true, Date: true, Example: "2026-11-03", Note: "YYYY-MM-DD，须在导入月份内 within the month imported"},
		{Key: colCustomer, Header: "客户证件号码 Customer ID number", Required: true, Example: "11010519491231002X", Note: "客户档案中的证件号码 the customer's ID number as on file"},
		{Key: colType, Header: "业务类型 Record type", Required: true, Example: "account_opened", Note: "业务类型代码，见指标库 a record-type code, see the metric catalogue"},
		{Key: colAmount, Header: "金额（元）Amount", Example: "50000.00", Note: "最多两位小数，默认 0 at most 2 decimals, default 0"},
		{Key: colQuantity, Header: "数量 Quantity", Example: "0", Note: "合约手数、份额或件数，最多三位小数，默认 0 contracts, shares or items, at most 3 decimals, default 0"},
		{Key: colProduct, Header: "产品/合约代码 Product", Example: "", Note: "期货合约或产品代码 the contract or product code"},
		{Key: colManager, Header: "指定客户经理工号 Manager (explicit)", Example: "", Note: "留空则按业务日期的营销归属计入；填写则全部计入此人 empty: credited by the customer's attribution on the date; given: all credited to this manager"},
	}
}

// Result is what one import did.
type Result struct {
	ImportID  int64  `json:"importId"`
	Month     string `json:"month"`
	FileName  string `json:"fileName"`
	Rows      int64  `json:"rows"`
	Inserted  int64  `json:"inserted"`
	Replaced  int64  `json:"replaced"`
	Unchanged int64  `json:"unchanged"`
	Rejected  int64  `json:"rejected"`
}

// ImportLog is a committed import, as listed.
type ImportLog struct {
	ID          int64     `json:"id"`
	Institution int64     `json:"-"`
	Month       string    `json:"month"`
	FileName    string    `json:"fileName"`
	FileSHA256  string    `json:"fileSha256"`
	Mode        string    `json:"mode"`
	Rows        int64     `json:"rows"`
	Inserted    int64     `json:"inserted"`
	Replaced    int64     `json:"replaced"`
	Unchanged   int64     `json:"unchanged"`
	Rejected    int64     `json:"rejected"`
	JobID       string    `json:"jobId"`
	CreatedBy   string    `json:"createdBy"`
	CreatedByID int64     `json:"-"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Credit is one stored row: a record as credited to one manager (or to
// nobody: PersonID 0, kept with the customer's branch in UnitID).
type Credit struct {
	SourceID     string        `json:"sourceId"`
	Date         platform.Date `json:"date"`
	CustomerID   int64         `json:"customerId"`
	CustomerName string        `json:"customerName"`
	RecordType   string        `json:"recordType"`
	Amount       int64         `json:"-"` // fen
	Quantity     int64         `json:"-"` // thousandths
	Product      string        `json:"product"`
	PersonID     int64         `json:"personId"`
	PersonName   string        `json:"personName"`
	EmpNo        string        `json:"empNo"`
	UnitID       int64         `json:"unitId"`
	UnitName     string        `json:"unitName"`
	ShareBP      int           `json:"shareBp"`
	Explicit     bool          `json:"explicit"`
}

// Filter selects credited rows for the drill-down list.
type Filter struct {
	Month      string // YYYY-MM, required
	PersonID   int64
	UnitID     int64 // the unit and everything below it (as of the month's end)
	RecordType string
	Page       int
	PageSize   int
}

// maxSourceID and maxProduct bound the free-text columns.
const (
	maxSourceID = 64
	maxProduct  = 64
)

// MonthNumber turns "2026-11" into 202611, as the month is stored.
func MonthNumber(p platform.Period) int { return p.Year*100 + p.N }

// parseMonth reads a YYYY-MM month.
func parseMonth(s string) (platform.Period, error) {
	p, err := platform.ParsePeriod(strings.TrimSpace(s))
	if err != nil || p.Kind != platform.Month {
		return platform.Period{}, errors.New("须为月份 YYYY-MM must be a month YYYY-MM")
	}
	return p, nil
}

// ParseFixed reads a decimal with at most places decimal places into an
// integer of that many minor units ("1234.5", 2 → 123450), exactly and
// without allocating: it runs once per amount and quantity of every row.
// "" is 0. Thousands separators (1,234.50) are accepted, since spreadsheets
// write them; anything else is an error.
func ParseFixed(s string, places int) (int64, error) {
	if s == "" {
		return 0, nil
	}
	neg := false
	i := 0
	switch s[0] {
	case '-':
		neg, i = true, 1
	case '+':
		i = 1
	}
	var v int64
	digits, frac, seenDot := 0, 0, false
	const limit = (1<<63 - 1) / 10
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if seenDot {
				if frac == places {
					if c != '0' {
						return 0, fmt.Errorf("最多 %d 位小数 at most %d decimal places", places, places)
					}
					continue
				}
				frac++
			}
			if v > limit {
				return 0, errTooLarge
			}
			v = v*10 + int64(c-'0')
			digits++
		case c == '.' && !seenDot:
			seenDot = true
		case c == ',' && !seenDot && digits > 0:
		default:
			return 0, errNotNumber
		}
	}
	if digits == 0 {
		return 0, errNotNumber
	}
	for ; frac < places; frac++ {
		if v > limit {
			return 0, errTooLarge
		}
		v *= 10
	}
	if v > maxMinor {
		return 0, errTooLarge
	}
	if neg {
		v = -v
	}
	return v, nil
}

// maxMinor keeps amounts and quantities far enough from int64's edge that
// a sum over a month, weighted by shares in basis points, cannot overflow
// (10^14 fen is a trillion yuan per record).
const maxMinor = 100_000_000_000_000

var (
	errNotNumber = errors.New("不是数字 not a number")
	errTooLarge  = errors.New("数值过大 too large")
)

// FormatFixed writes minor units with places decimals: 123450, 2 → "1234.50".
func FormatFixed(v int64, places int) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	s := strconv.FormatUint(u, 10)
	if places > 0 {
		if len(s) <= places {
			s = strings.Repeat("0", places-len(s)+1) + s
		}
		s = s[:len(s)-places] + "." + s[len(s)-places:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// keyHash hashes a customer ID number as customers are stored (upper case,
// no spaces) without building the normalised string: the importer hashes
// every row's customer and every customer of the institution with it.
func keyHash(s string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return keyHashSlow(s)
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		h ^= uint64(c)
		h *= prime
	}
	return h
}

// keyHashSlow is keyHash for text beyond ASCII: normalised by the
// customer package itself, then hashed.
func keyHashSlow(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(customer.NormaliseIDNumber(s)))
	return h.Sum64()
}

// sourceHash hashes a source id.
func sourceHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// contentHash hashes what the file says about a record, so that an
// unchanged record is recognised and skipped on the next import.
func contentHash(date int32, customer uint64, typ string, amount, quantity int64, product, manager string) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint64) {
		for range 8 {
			h ^= v & 0xff
			h *= 1099511628211
			v >>= 8
		}
	}
	str := func(s string) {
		mix(uint64(len(s)))
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	mix(uint64(date))
	mix(customer)
	str(typ)
	mix(uint64(amount))
	mix(uint64(quantity))
	str(product)
	str(manager)
	return h
}

// epochDay and dayOf convert dates to day numbers for the compact indexes.
func epochDay(d platform.Date) int32 {
	if d.IsZero() {
		return 0
	}
	return int32(d.Time().Unix() / 86400)
}

func dayOf(n int32) platform.Date {
	return platform.DateOf(time.Unix(int64(n)*86400, 0).UTC())
}

// parseDay reads YYYY-MM-DD into a day number without allocating.
func parseDay(s string) (int32, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	num := func(b string) (int, bool) {
		n := 0
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int(b[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 || y < 1900 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return int32(civilDays(y, m, d)), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// civilDays is the number of days from 1970-01-01 to y-m-d (Howard
// Hinnant's days_from_civil).
func civilDays(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// AppendDay appends day number n as YYYY-MM-DD (the bulk paths write
// millions of dates; this allocates nothing).
func AppendDay(b []byte, n int32) []byte {
	y, m, d := civilFromDays(int(n))
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	return b
}

// civilFromDays inverts civilDays.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// MarshalJSON writes amounts and quantities as exact decimal strings, with
// the part credited to this row's manager by their share.
func (c Credit) MarshalJSON() ([]byte, error) {
	type plain Credit
	return json.Marshal(struct {
		plain
		Amount           string `json:"amount"`
		Quantity         string `json:"quantity"`
		CreditedAmount   string `json:"creditedAmount"`
		CreditedQuantity string `json:"creditedQuantity"`
	}{plain(c), FormatFixed(c.Amount, 2), FormatFixed(c.Quantity, 3),
		FormatShare(c.Amount, c.ShareBP, 2), FormatShare(c.Quantity, c.ShareBP, 3)})
}

// FormatShare writes v × share/10000 (v in minor units with places
// decimals), rounded half away from zero to the minor unit: the display of
// one credited row. Sums are taken exactly before rounding elsewhere.
func FormatShare(v int64, shareBP int, places int) string {
	return FormatFixed(RoundShare(v*int64(shareBP), 10000), places)
}

// RoundShare divides num by den rounding half away from zero.
func RoundShare(num, den int64) int64 {
	q, r := num/den, num%den
	if 2*abs(r) >= den {
		if num < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
