package pay

import (
	"strconv"
	"strings"

	"cmhub/internal/platform"
)

// tierTable is a compiled tier table.
type tierTable struct {
	mode     TierMode
	by, of   *formula // of is nil when the rate applies to by
	brackets []bracket
}

type bracket struct {
	def    Bracket
	below  Num
	open   bool // the last bracket: no upper bound
	rate   Num
	fixed  bool // an amount instead of a rate
	amount Num
}

// TierUse is how a tier table produced its result, for the statement.
type TierUse struct {
	Mode TierMode `json:"mode"`
	By   Num      `json:"by"`
	// Of is what a whole-mode rate applied to (By when the table names
	// nothing else).
	Of Num `json:"of"`
	// Index is the bracket used (0 is the first); in marginal mode the
	// highest bracket the input reached.
	Index   int     `json:"index"`
	Bracket Bracket `json:"bracket"`
	// Slices are the marginal mode's slices, one per bracket reached.
	Slices []Slice `json:"slices,omitempty"`
	Value  Num     `json:"value"`
}

// Slice is the part of a marginal tier input in one bracket.
type Slice struct {
	Index int `json:"index"`
	Size  Num `json:"size"`
	Rate  Num `json:"rate"`
	Value Num `json:"value"`
}

// checkTiers checks a tier table's shape; its formulas are compiled with
// the component's.
func (c *Compiled) checkTiers(f platform.Fields, field string, t *Tiers) {
	if t.Mode != TierWhole && t.Mode != TierMarginal {
		f.Add(field+".mode", "计算方式须为 whole（全额）或 marginal（超额累进） the mode must be whole or marginal")
	}
	if strings.TrimSpace(t.By) == "" {
		f.Add(field+".by", "请填写分档依据，例如 standard_lots name what chooses the bracket, e.g. standard_lots")
	}
	if t.Mode == TierMarginal && strings.TrimSpace(t.Of) != "" {
		f.Add(field+".of", "超额累进按分档依据本身分段计算，不另设计算基数 marginal tiers apply to the slices of by itself; of is for whole mode")
	}
	if len(t.Brackets) == 0 {
		f.Add(field+".brackets", "分档表至少要有一档 a tier table needs at least one bracket")
	}
	var prev *Num
	for i, b := range t.Brackets {
		bf := field + ".brackets." + strconv.Itoa(i)
		last := i == len(t.Brackets)-1
		switch {
		case last && b.Below != "":
			f.Add(bf+".below", "最后一档不设上限 the last bracket has no upper bound")
		case !last && b.Below == "":
			f.Add(bf+".below", "除最后一档外须设上限（不含） every bracket but the last needs an upper bound (exclusive)")
		case !last:
			v, err := ParseNum(string(b.Below))
			switch {
			case err != nil:
				f.Add(bf+".below", "上限须为数值 the bound must be a number")
			case prev != nil && v.Cmp(*prev) <= 0:
				f.Add(bf+".below", "各档上限须逐档递增 the bounds must increase from bracket to bracket")
			}
			prev = &v
		}
		switch {
		case (b.Rate == "") == (b.Amount == ""):
			f.Add(bf, "每档须有比例（rate）或固定金额（amount）之一 each bracket has either a rate or an amount")
		case b.Amount != "" && t.Mode == TierMarginal:
			f.Add(bf+".amount", "超额累进的各档只设比例 marginal brackets have rates only")
		case b.Rate != "":
			if _, err := ParseNum(string(b.Rate)); err != nil {
				f.Add(bf+".rate", "比例须为数值，例如 0.05 the rate must be a number, e.g. 0.05")
			}
		default:
			if _, err := ParseNum(string(b.Amount)); err != nil {
				f.Add(bf+".amount", "金额须为数值（元） the amount must be a number of yuan")
			}
		}
	}
}

// tierTable builds a checked table's brackets.
func (c *Compiled) tierTable(t *Tiers) *tierTable {
	tt := &tierTable{mode: t.Mode, brackets: make([]bracket, len(t.Brackets))}
	for i, b := range t.Brackets {
		br := bracket{def: b, open: b.Below == "", fixed: b.Amount != ""}
		if !br.open {
			br.below, _ = ParseNum(string(b.Below))
		}
		if br.fixed {
			br.amount, _ = ParseNum(string(b.Amount))
		} else {
			br.rate, _ = ParseNum(string(b.Rate))
		}
		tt.brackets[i] = br
	}
	return tt
}

// examples are the fields of the brackets marked as examples.
func (t *tierTable) examples(field string) []string {
	var out []string
	for i, b := range t.brackets {
		if b.def.Example {
			out = append(out, field+"."+strconv.Itoa(i))
		}
	}
	return out
}

// apply computes the table's exact result for input by and base of.
func (t *tierTable) apply(by, of Num) TierUse {
	u := TierUse{Mode: t.mode, By: by, Of: of}
	if t.mode == TierWhole {
		i := 0
		for i < len(t.brackets)-1 && by.Cmp(t.brackets[i].below) >= 0 {
			i++
		}
		b := t.brackets[i]
		u.Index, u.Bracket = i, b.def
		if b.fixed {
			u.Value = b.amount
		} else {
			u.Value = mul(of, b.rate)
		}
		return u
	}
	// Marginal: the first bracket takes everything up to its bound
	// (negative inputs included), each later one the part between the
	// previous bound and its own.
	var lo Num
	for i, b := range t.brackets {
		if i > 0 && by.Cmp(lo) <= 0 {
			break
		}
		top := by
		if !b.open && by.Cmp(b.below) > 0 {
			top = b.below
		}
		size := top
		if i > 0 {
			size = sub(top, lo)
		}
		part := mul(size, b.rate)
		u.Slices = append(u.Slices, Slice{Index: i, Size: size, Rate: b.rate, Value: part})
		u.Value = add(u.Value, part)
		u.Index, u.Bracket = i, b.def
		lo = b.below
	}
	return u
}
