package pay

import "encoding/json"

// Plan is a pay plan (薪酬方案) as an administrator or a preset writes it:
// data, never code. A plan applies to some positions from its effective
// month until a later version of the same key takes over. Its JSON shape
// is the preset's "payPlans" entries and the API's.
type Plan struct {
	Key    string `json:"key"`
	NameZh string `json:"nameZh"`
	NameEn string `json:"nameEn"`
	// Version counts the plan's versions from 1; a saved version is never
	// changed, a change is a new version.
	Version int `json:"version"`
	// EffectiveFrom is the first month (YYYY-MM) the version applies to.
	EffectiveFrom string   `json:"effectiveFrom"`
	Positions     []string `json:"positions"`
	// Note is shown with the plan, e.g. which values are examples.
	Note   string `json:"note,omitempty"`
	Source string `json:"source,omitempty"`
	// Params are named numbers the formulas read as param.<key>, so an
	// institution changes 2500 to 2800 without touching a formula.
	Params []Param `json:"params,omitempty"`
	// Components are computed in order; a component may read the ones
	// before it by key.
	Components []Component `json:"components"`
}

// Param is a named number of a plan. Value is exact decimal text: JSON
// numbers are kept as written (json.Number), never read as a float.
type Param struct {
	Key    string      `json:"key"`
	NameZh string      `json:"nameZh"`
	NameEn string      `json:"nameEn"`
	Value  json.Number `json:"value"`
	// Example marks a value the seeds do not give: the institution must
	// set its own (Compiled.Examples lists them).
	Example bool   `json:"example,omitempty"`
	Source  string `json:"source,omitempty"`
}

// Kind says what a component's amount does to the pay.
type Kind string

// The kinds. Earnings add to the pay and deductions (a positive amount
// withheld) subtract from it, both rounded to the fen; an info component
// is a figure shown and read by later components (a factor, a standard
// before a cut), kept exact and not paid. Adjustment is the kind of a
// statement line carrying a correction of a closed month; a plan has none.
const (
	KindEarning    Kind = "earning"
	KindDeduction  Kind = "deduction"
	KindInfo       Kind = "info"
	KindAdjustment Kind = "adjustment"
)

// Component is one line of a plan: base pay, a commission, a bonus, a
// deduction, or an intermediate figure.
type Component struct {
	Key    string `json:"key"`
	NameZh string `json:"nameZh"`
	NameEn string `json:"nameEn"`
	Kind   Kind   `json:"kind"`
	// When is an optional condition; when it does not hold the amount is
	// 0 and the statement says so.
	When string `json:"when,omitempty"`
	// Formula gives the amount in yuan (or the figure, for info). With a
	// tier table it may read the table's result as "tier"; without a
	// formula the amount is the table's result.
	Formula string `json:"formula,omitempty"`
	Tiers   *Tiers `json:"tiers,omitempty"`
	Source  string `json:"source,omitempty"`
}

// TierMode says how a tier table applies its rates.
type TierMode string

// The tier modes. Whole (全额): the bracket the input falls in gives one
// rate (or fixed amount) for the whole base. Marginal (累进/超额累进):
// each slice of the input is taken at its own bracket's rate and the
// slices are summed, so crossing a bracket boundary never lowers the
// result.
const (
	TierWhole    TierMode = "whole"
	TierMarginal TierMode = "marginal"
)

// Tiers is a tier table (分档表). By chooses the bracket; in whole mode
// the rate applies to Of (By itself when Of is empty); in marginal mode
// to the slices of By. By and Of are formulas, usually one name.
type Tiers struct {
	By       string    `json:"by"`
	Of       string    `json:"of,omitempty"`
	Mode     TierMode  `json:"mode"`
	Brackets []Bracket `json:"brackets"`
}

// Bracket is one row of a tier table: values below Below (exclusive; the
// last bracket has none and is open-ended) and at or above the previous
// row's Below. Values below the first Below, negative ones included, fall
// in the first bracket. A bracket has a Rate or, in whole mode only, a
// fixed Amount in yuan.
type Bracket struct {
	Below   json.Number `json:"below,omitempty"`
	Rate    json.Number `json:"rate,omitempty"`
	Amount  json.Number `json:"amount,omitempty"`
	Example bool        `json:"example,omitempty"`
}
