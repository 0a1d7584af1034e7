// Package metric keeps an institution's metric catalogue (指标库): what is
// measured, in which unit, how it is aggregated over a period, and where it
// comes from — a type of imported business record, or a formula over other
// metrics. Metrics are data, loaded from a preset and edited by an
// administrator; formulas are compiled once per version with
// github.com/expr-lang/expr (see docs/decisions/0008-metric-formulas.md).
package metric

import (
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cmhub/internal/platform"
)

// Units a metric is measured in. A formula metric of unit percent holds a
// ratio: 0.85 is shown as 85%.
const (
	UnitCount   = "count"   // 个/户/笔/次
	UnitYuan    = "yuan"    // 元; record amounts are integer fen, formulas see yuan
	UnitLots    = "lots"    // 标准手, after contract-size conversion
	UnitShares  = "shares"  // 份 (fund or wealth-product shares)
	UnitPercent = "percent" // a ratio; formula metrics only
)

// Units lists the units in display order.
func Units() []string { return []string{UnitCount, UnitYuan, UnitLots, UnitShares, UnitPercent} }

// How a record metric is aggregated over a period for one subject (a
// manager, team, region or branch).
const (
	AggSum               = "sum"                // sum of the field over the period's records
	AggCount             = "count"              // number of records
	AggDistinctCustomers = "distinct_customers" // number of different customers with a record
	AggLast              = "last"               // per customer the field of its latest record in the period, summed
	AggAvgDailyBalance   = "avg_daily_balance"  // per customer the daily balance averaged over the period's days, summed
)

// Aggregations lists the aggregations in display order.
func Aggregations() []string {
	return []string{AggSum, AggCount, AggDistinctCustomers, AggLast, AggAvgDailyBalance}
}

// Source kinds.
const (
	SourceRecord  = "record"  // imported business records of one type
	SourceFormula = "formula" // a formula over other metrics
)

// Record fields a record metric can aggregate.
const (
	FieldAmount   = "amount"   // money, integer fen
	FieldQuantity = "quantity" // contracts, shares, items
)

// Metric is one entry of the catalogue.
type Metric struct {
	ID          int64  `json:"id"`
	Institution int64  `json:"-"`
	Key         string `json:"key"`
	NameZh      string `json:"nameZh"`
	NameEn      string `json:"nameEn"`
	Unit        string `json:"unit"`
	// Aggregation is empty for a formula metric: it is computed from its
	// inputs' values for the same subject and period.
	Aggregation string `json:"aggregation"`
	SourceKind  string `json:"sourceKind"`
	// Record source.
	RecordType string `json:"recordType,omitempty"`
	Field      string `json:"field,omitempty"`
	// Conversion maps a product code to the number of standard lots one
	// contract of it counts as ("1", "0.5", "10/3"); "*" is the factor of
	// every product not listed. Empty means every contract is one lot.
	Conversion map[string]string `json:"conversion,omitempty"`
	// Formula source.
	Formula     string    `json:"formula,omitempty"`
	Description string    `json:"description"`
	Active      bool      `json:"active"`
	Version     int       `json:"version"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// IsFormula reports whether the metric is computed from other metrics.
func (m *Metric) IsFormula() bool { return m.SourceKind == SourceFormula }

// Input is what an administrator submits to create or edit a metric. The
// source is a formula when Formula is not empty, otherwise a record type.
type Input struct {
	Key         string            `json:"key"`
	NameZh      string            `json:"nameZh"`
	NameEn      string            `json:"nameEn"`
	Unit        string            `json:"unit"`
	Aggregation string            `json:"aggregation"`
	RecordType  string            `json:"recordType"`
	Field       string            `json:"field"`
	Conversion  map[string]string `json:"conversion"`
	Formula     string            `json:"formula"`
	Description string            `json:"description"`
	// Active defaults to true on create and is kept when nil on update.
	Active *bool `json:"active"`
	// Version is, on update, the version the editor started from; a
	// different current version is a conflict. 0 skips the check.
	Version int `json:"version"`
}

// apply writes the input's editable fields onto m (trimmed; the source
// kind follows from Formula).
func (in Input) apply(m *Metric) {
	m.NameZh = strings.TrimSpace(in.NameZh)
	m.NameEn = strings.TrimSpace(in.NameEn)
	m.Unit = strings.TrimSpace(in.Unit)
	m.Aggregation = strings.TrimSpace(in.Aggregation)
	m.RecordType = strings.TrimSpace(in.RecordType)
	m.Field = strings.TrimSpace(in.Field)
	m.Formula = strings.TrimSpace(in.Formula)
	m.Description = strings.TrimSpace(in.Description)
	m.Conversion = nil
	if len(in.Conversion) > 0 {
		m.Conversion = make(map[string]string, len(in.Conversion))
		for k, v := range in.Conversion {
			m.Conversion[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	m.SourceKind = SourceRecord
	if m.Formula != "" {
		m.SourceKind = SourceFormula
	}
	if in.Active != nil {
		m.Active = *in.Active
	}
}

var (
	keyRe    = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	factorRe = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,6})?$|^[0-9]{1,9}/[0-9]{1,9}$`)
)

// Limits on free text.
const (
	maxName        = 50
	maxNameEn      = 100
	maxDescription = 500
	maxFormula     = 500
	maxProducts    = 200
	maxProductCode = 64
)

// ValidKey reports whether s can be a metric key: 2–40 lowercase ASCII
// letters, digits or underscores starting with a letter, and not a word
// the formula language reserves (true, and, max, sum …).
func ValidKey(s string) bool { return keyRe.MatchString(s) && !reserved[s] }

// Validate checks one metric on its own (not its formula's references,
// which need the catalogue). It normalises the conversion factors.
func (m *Metric) Validate() platform.Fields {
	f := platform.Fields{}
	switch {
	case !keyRe.MatchString(m.Key):
		f.Add("key", "指标代码须为 2–40 位小写字母、数字或下划线，以字母开头 2–40 lowercase letters, digits or _, starting with a letter")
	case reserved[m.Key]:
		f.Add("key", fmt.Sprintf("%s 是公式语言的保留字，不能作指标代码 is reserved by the formula language", m.Key))
	}
	if m.NameZh == "" || utf8.RuneCountInString(m.NameZh) > maxName {
		f.Add("nameZh", "中文名称必填，最多 50 个字 required, at most 50 characters")
	}
	if utf8.RuneCountInString(m.NameEn) > maxNameEn {
		f.Add("nameEn", "英文名称最多 100 个字符 at most 100 characters")
	}
	if utf8.RuneCountInString(m.Description) > maxDescription {
		f.Add("description", "说明最多 500 字 at most 500 characters")
	}
	if !slices.Contains(Units(), m.Unit) {
		f.Add("unit", "单位须为 count、yuan、lots、shares、percent 之一 must be one of count, yuan, lots, shares, percent")
	}
	switch m.SourceKind {
	case SourceFormula:
		m.validateFormulaShape(f)
	case SourceRecord:
		m.validateRecordShape(f)
	default:
		f.Add("sourceKind", "来源须为业务记录或公式 source must be a record type or a formula")
	}
	return f
}

func (m *Metric) validateFormulaShape(f platform.Fields) {
	if m.Aggregation != "" {
		f.Add("aggregation", "公式指标由其输入按同一对象、同一期间计算，不设汇总方式 a formula metric has no aggregation")
	}
	if m.RecordType != "" || m.Field != "" || len(m.Conversion) > 0 {
		f.Add("recordType", "公式指标不能同时指定业务记录类型、字段或换算 a formula metric cannot also name a record type, field or conversion")
	}
	if utf8.RuneCountInString(m.Formula) > maxFormula {
		f.Add("formula", "公式最多 500 个字符 at most 500 characters")
	}
}

func (m *Metric) validateRecordShape(f platform.Fields) {
	if !keyRe.MatchString(m.RecordType) {
		f.Add("recordType", "业务记录类型必填，2–40 位小写字母、数字或下划线 required: 2–40 lowercase letters, digits or _ (or give a formula)")
	}
	switch m.Aggregation {
	case AggCount, AggDistinctCustomers:
		if m.Field != "" {
			f.Add("field", "计数类汇总不取字段 a count takes no field")
		}
		if m.Unit != UnitCount && slices.Contains(Units(), m.Unit) {
			f.Add("unit", "计数类汇总的单位须为 count a count is measured in count")
		}
	case AggSum, AggLast, AggAvgDailyBalance:
		switch {
		case m.Field != FieldAmount && m.Field != FieldQuantity:
			f.Add("field", "求和、期末值、日均余额须指定字段 amount 或 quantity must name the field: amount or quantity")
		case m.Aggregation == AggAvgDailyBalance && m.Field != FieldAmount:
			f.Add("field", "日均余额只能取金额字段 amount an average daily balance is of the amount")
		case m.Field == FieldAmount && m.Unit != UnitYuan && slices.Contains(Units(), m.Unit):
			f.Add("unit", "金额字段的单位须为 yuan an amount is measured in yuan")
		case m.Field == FieldQuantity && m.Unit != UnitCount && m.Unit != UnitLots && m.Unit != UnitShares && slices.Contains(Units(), m.Unit):
			f.Add("unit", "数量字段的单位须为 count、lots 或 shares a quantity is measured in count, lots or shares")
		}
	default:
		f.Add("aggregation", "汇总方式须为 sum、count、distinct_customers、last、avg_daily_balance 之一 must be one of sum, count, distinct_customers, last, avg_daily_balance")
	}
	if len(m.Conversion) == 0 {
		return
	}
	if m.Field != FieldQuantity || m.Unit != UnitLots {
		f.Add("conversion", "合约换算只用于以标准手计的数量 contract-size conversion applies only to a quantity in lots")
		return
	}
	if len(m.Conversion) > maxProducts {
		f.Add("conversion", "换算最多 200 个品种 at most 200 products")
		return
	}
	for _, product := range slices.Sorted(maps.Keys(m.Conversion)) {
		if !validProduct(product) {
			f.Add("conversion", fmt.Sprintf("品种代码 %q 须为 1–64 个非空白字符 a product code is 1–64 printable characters", product))
			return
		}
		fac, err := ParseFactor(m.Conversion[product])
		if err != nil {
			f.Add("conversion", fmt.Sprintf("品种 %s：%v", product, err))
			return
		}
		m.Conversion[product] = fac.String()
	}
}

func validProduct(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > maxProductCode || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Factor is an exact positive conversion factor Num/Den (reduced). One
// contract of a product counts as Num/Den standard lots.
type Factor struct{ Num, Den int64 }

// One is the factor of a product with no conversion.
var One = Factor{1, 1}

// ParseFactor reads a factor written as a decimal with at most six
// decimal places ("0.5", "3.333333") or as a fraction ("10/3"). Numerator
// and denominator stay below 10^9, so quantity × numerator cannot
// overflow an int64 for any realistic quantity.
func ParseFactor(s string) (Factor, error) {
	if !factorRe.MatchString(s) {
		return Factor{}, fmt.Errorf("换算系数 %q 须为正的小数（最多 6 位小数）或分数如 10/3 must be a positive decimal (at most 6 places) or a fraction like 10/3", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return Factor{}, fmt.Errorf("换算系数 %q 须大于 0 must be greater than 0", s)
	}
	if !r.Num().IsInt64() || !r.Denom().IsInt64() || r.Num().Int64() >= 1e9 || r.Denom().Int64() >= 1e9 {
		return Factor{}, fmt.Errorf("换算系数 %q 过大 too large", s)
	}
	return Factor{r.Num().Int64(), r.Denom().Int64()}, nil
}

// String writes the factor as a decimal when it has a finite one of at
// most six places ("0.5", "2"), otherwise as a fraction ("10/3", "1/128"),
// so that ParseFactor always reads it back.
func (f Factor) String() string {
	d := f.Den
	places := 0
	for d%10 == 0 {
		d /= 10
		places++
	}
	for d%2 == 0 || d%5 == 0 {
		if d%2 == 0 {
			d /= 2
		} else {
			d /= 5
		}
		places++
	}
	if d != 1 || places > 6 { // beyond what ParseFactor reads back: keep the fraction
		return strconv.FormatInt(f.Num, 10) + "/" + strconv.FormatInt(f.Den, 10)
	}
	return new(big.Rat).SetFrac64(f.Num, f.Den).FloatString(places)
}

// Rat returns the factor as a big.Rat.
func (f Factor) Rat() *big.Rat { return big.NewRat(f.Num, f.Den) }

// Lots converts a quantity of contracts to standard lots, exactly.
func (f Factor) Lots(quantity int64) *big.Rat {
	r := new(big.Rat).SetInt64(quantity)
	return r.Mul(r, f.Rat())
}

// FactorFor returns the number of standard lots one contract of product
// counts as. A product the conversion does not list takes the "*" factor;
// with neither it is an error, so an unknown contract size is reported at
// import instead of being counted as one lot.
func (m *Metric) FactorFor(product string) (Factor, error) {
	if len(m.Conversion) == 0 {
		return One, nil
	}
	s, ok := m.Conversion[product]
	if !ok {
		s, ok = m.Conversion["*"]
	}
	if !ok {
		return Factor{}, fmt.Errorf("指标 %s 没有品种 %q 的合约换算系数 has no contract-size factor for product %q", m.Key, product, product)
	}
	return ParseFactor(s)
}
