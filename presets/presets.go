// Package presets holds the institution presets as data: dictionaries
// (positions, grade ladders, statuses …) and roles with their permissions
// and data scopes. An institution starts from one and edits what it needs.
package presets

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

//go:embed *.json
var files embed.FS

// Item is one dictionary entry.
type Item struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
	Rank int    `json:"rank"`
}

// Role is a role template.
type Role struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	NameEn      string   `json:"nameEn"`
	DataScope   string   `json:"dataScope"`
	Permissions []string `json:"permissions"`
}

// Preset is an institution template.
type Preset struct {
	Code   string            `json:"code"`
	Name   string            `json:"name"`
	NameEn string            `json:"nameEn"`
	Source string            `json:"source"`
	Dicts  map[string][]Item `json:"dicts"`
	Roles  []Role            `json:"roles"`
	// Metrics is the preset's metric catalogue (指标库), in display order.
	// It is not merged with the base: each preset lists its own.
	Metrics []MetricDef `json:"metrics"`
	// RecordTypes are the kinds of business record the institution imports;
	// every record metric names one of them.
	RecordTypes []RecordTypeDef `json:"recordTypes"`
	// Assessment rules (SPEC §5, §7), each preset its own, not merged with
	// the base. internal/assess reads them (assess.FromPreset) and checks
	// them fully, formulas included; Load checks their shape.
	Scorecards   []ScorecardDef    `json:"scorecards,omitempty"`
	RaterWeights []RaterSchemeDef  `json:"raterWeights,omitempty"`
	KPIWeights   []KPIWeightSetDef `json:"kpiWeights,omitempty"`
	OutcomeRules *OutcomeRulesDef  `json:"outcomeRules,omitempty"`
	GradeReview  []GradeReviewDef  `json:"gradeReview,omitempty"`
	// PayPlans are the preset's pay plans (SPEC §6), not merged with the
	// base. internal/pay compiles them (pay.FromPreset), formulas
	// included; Load checks their shape.
	PayPlans []PayPlanDef `json:"payPlans,omitempty"`
}

// RecordTypeDef is a business-record type as a preset ships it. A sign of
// "non_negative" refuses negative values of that field at import; "any"
// allows them (a reversal of net revenue).
type RecordTypeDef struct {
	Key          string `json:"key"`
	NameZh       string `json:"nameZh"`
	NameEn       string `json:"nameEn"`
	AmountSign   string `json:"amountSign"`
	QuantitySign string `json:"quantitySign"`
}

// MetricDef is a metric as a preset ships it; see internal/metric for the
// meaning of each field. A metric with a formula is computed from the
// others; otherwise it aggregates one type of business record.
type MetricDef struct {
	Key         string            `json:"key"`
	NameZh      string            `json:"nameZh"`
	NameEn      string            `json:"nameEn"`
	Unit        string            `json:"unit"`
	Aggregation string            `json:"aggregation,omitempty"`
	RecordType  string            `json:"recordType,omitempty"`
	Field       string            `json:"field,omitempty"`
	Conversion  map[string]string `json:"conversion,omitempty"`
	Formula     string            `json:"formula,omitempty"`
	Description string            `json:"description,omitempty"`
}

// Names lists the available presets.
func Names() []string { return []string{"securities-branch", "commercial-bank", "rural-credit-coop"} }

// Load returns a preset merged over the common base: the preset's
// dictionary entries are added to the base's (a code in both takes the
// preset's), and its roles are added to the base roles.
func Load(name string) (*Preset, error) {
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("unknown preset %q (have %v)", name, Names())
	}
	var base, p Preset
	if err := read("base.json", &base); err != nil {
		return nil, err
	}
	if err := read(name+".json", &p); err != nil {
		return nil, err
	}
	for d, items := range p.Dicts {
		for _, it := range items {
			i := slices.IndexFunc(base.Dicts[d], func(b Item) bool { return b.Code == it.Code })
			if i >= 0 {
				base.Dicts[d][i] = it
			} else {
				base.Dicts[d] = append(base.Dicts[d], it)
			}
		}
	}
	p.Dicts = base.Dicts
	p.Roles = append(base.Roles, p.Roles...)
	if err := errors.Join(p.validateAssessment(), p.validatePayPlans()); err != nil {
		return nil, fmt.Errorf("preset %s: %w", name, err)
	}
	return &p, nil
}

func read(file string, v any) error {
	b, err := files.ReadFile(file)
	if err != nil {
		return fmt.Errorf("preset %s: %w", file, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("preset %s: %w", file, err)
	}
	return nil
}

// ScorecardDef is an assessment template (考核评价表) as a preset ships it;
// see internal/assess.Template for the meaning of each field. Item
// maximum points are whole numbers that total exactly 100.
type ScorecardDef struct {
	Key       string             `json:"key"`
	NameZh    string             `json:"nameZh"`
	NameEn    string             `json:"nameEn"`
	Subject   string             `json:"subject"` // person or team
	Positions []string           `json:"positions,omitempty"`
	Version   int                `json:"version"`
	Items     []ScorecardItemDef `json:"items"`
	Comment   *CommentDef        `json:"comment,omitempty"`
	Source    string             `json:"source,omitempty"`
}

// ScorecardItemDef is one item of a scorecard: rated by people, or
// computed by a formula over the inputs internal/assess declares.
type ScorecardItemDef struct {
	Key        string `json:"key"`
	NameZh     string `json:"nameZh"`
	NameEn     string `json:"nameEn"`
	CriteriaZh string `json:"criteriaZh"`
	CriteriaEn string `json:"criteriaEn,omitempty"`
	Max        int    `json:"max"`
	Kind       string `json:"kind"` // rated or computed
	Formula    string `json:"formula,omitempty"`
	Note       string `json:"note,omitempty"`
}

// CommentDef is a free-text remark on a form, like the GM's comment.
type CommentDef struct {
	LabelZh string   `json:"labelZh"`
	LabelEn string   `json:"labelEn"`
	By      []string `json:"by"`
}

// RaterSchemeDef is the rater-group weighting of one assessment: weights
// in basis points totalling 10000, and the policy for a group without a
// submitted sheet (renormalise or hold).
type RaterSchemeDef struct {
	Key       string          `json:"key"`
	NameZh    string          `json:"nameZh"`
	NameEn    string          `json:"nameEn"`
	Cycle     string          `json:"cycle"`
	Subject   string          `json:"subject"`
	Positions []string        `json:"positions,omitempty"`
	Template  string          `json:"template"`
	Version   int             `json:"version"`
	Policy    string          `json:"policy"`
	Groups    []RaterGroupDef `json:"groups"`
	// CompletionOf: whose task completion computed items use (person,
	// team, region, branch); checked by package assess.
	CompletionOf string `json:"completionOf,omitempty"`
	Source       string `json:"source,omitempty"`
}

// RaterGroupDef is a rater group: the people of Positions in the
// subject's Scope (team, region, branch, institution).
type RaterGroupDef struct {
	Key       string   `json:"key"`
	NameZh    string   `json:"nameZh"`
	NameEn    string   `json:"nameEn"`
	Weight    int64    `json:"weight"`
	Positions []string `json:"positions"`
	Scope     string   `json:"scope"`
}

// KPIWeightSetDef is a KPI weighting of dimensions and indicators, in
// basis points (7.5% is 750).
type KPIWeightSetDef struct {
	Key        string            `json:"key"`
	NameZh     string            `json:"nameZh"`
	NameEn     string            `json:"nameEn"`
	Version    int               `json:"version"`
	Dimensions []KPIDimensionDef `json:"dimensions"`
	Source     string            `json:"source,omitempty"`
}

// KPIDimensionDef is a dimension; Weight 0 means its share is not set.
type KPIDimensionDef struct {
	Key        string            `json:"key"`
	NameZh     string            `json:"nameZh"`
	NameEn     string            `json:"nameEn"`
	Weight     int64             `json:"weight"`
	Indicators []KPIIndicatorDef `json:"indicators"`
}

// KPIIndicatorDef is an indicator and its weight within its dimension.
type KPIIndicatorDef struct {
	Key    string `json:"key"`
	NameZh string `json:"nameZh"`
	NameEn string `json:"nameEn"`
	Weight int64  `json:"weight"`
	Metric string `json:"metric,omitempty"`
}

// OutcomeRulesDef holds the parameters of the outcome rules; scores are
// JSON numbers with at most two decimals, rates basis points.
type OutcomeRulesDef struct {
	Star *struct {
		Positions []string `json:"positions"`
		TieItem   string   `json:"tieItem"`
	} `json:"starCm,omitempty"`
	Monthly *struct {
		Positions   []string    `json:"positions"`
		Below       json.Number `json:"below"`
		StandbyDays int         `json:"standbyDays"`
		EndAfter    int         `json:"endAfter"`
	} `json:"monthly,omitempty"`
	RMQuarterly *struct {
		Positions []string    `json:"positions"`
		Below     json.Number `json:"below"`
		ConvertTo string      `json:"convertTo"`
	} `json:"rmQuarterly,omitempty"`
	ExcellentRM *struct {
		Positions []string `json:"positions"`
		Quarters  int      `json:"quarters"`
	} `json:"excellentRm,omitempty"`
	Coop *struct {
		Positions     []string `json:"positions"`
		ConvertTo     string   `json:"convertTo"`
		MissBelowBP   int64    `json:"missBelowBp"`
		MissMonths    int      `json:"missMonths"`
		FloorBP       int64    `json:"floorBp"`
		RecoverMonths int      `json:"recoverMonths"`
	} `json:"coopTasks,omitempty"`
}

// GradeReviewDef is the grade-review rule of one cycle, applied to the
// preset's "grades" ladder.
type GradeReviewDef struct {
	Cycle                 string      `json:"cycle"`
	UpMinScore            json.Number `json:"upMinScore"`
	UpMinCompletionBP     int64       `json:"upMinCompletionBp"`
	DownBelowScore        json.Number `json:"downBelowScore"`
	DownBelowCompletionBP int64       `json:"downBelowCompletionBp"`
	WeakYears             int         `json:"weakYears"`
	WeakBelowBP           int64       `json:"weakBelowBp"`
}

// validateAssessment checks the shape of the assessment sections: keys
// unique, item points totalling 100, weights totalling 10000 basis points,
// every position and template named known. Formulas are compiled by
// internal/assess.
func (p *Preset) validateAssessment() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	position := func(where, code string) {
		if !slices.ContainsFunc(p.Dicts["positions"], func(it Item) bool { return it.Code == code }) {
			bad("%s：岗位 %s 不在岗位字典中 %s: position %s is not in the positions dictionary", where, code, where, code)
		}
	}
	templates := map[string]string{}
	for _, sc := range p.Scorecards {
		where := "考核表 " + sc.Key + " scorecard " + sc.Key
		if sc.Key == "" || templates[sc.Key] != "" {
			bad("%s：代码为空或重复 the key is empty or repeated", where)
		}
		templates[sc.Key] = sc.Subject
		if sc.Subject != "person" && sc.Subject != "team" {
			bad("%s：考核对象须为 person 或 team the subject must be person or team", where)
		}
		for _, pos := range sc.Positions {
			position(where, pos)
		}
		if sc.Comment != nil {
			for _, pos := range sc.Comment.By {
				position(where, pos)
			}
		}
		total, items := 0, map[string]bool{}
		for i, it := range sc.Items {
			iw := fmt.Sprintf("%s 第 %d 项 %s item %d", where, i+1, it.Key, i+1)
			if it.Key == "" || items[it.Key] {
				bad("%s：代码为空或重复 the key is empty or repeated", iw)
			}
			items[it.Key] = true
			if it.Max <= 0 {
				bad("%s：满分须为正整数，现为 %d the maximum must be a positive whole number, got %d", iw, it.Max, it.Max)
			}
			total += it.Max
			switch {
			case it.Kind == "computed" && it.Formula == "":
				bad("%s：计算项须有公式 a computed item needs a formula", iw)
			case it.Kind == "rated" && it.Formula != "":
				bad("%s：评分项不设公式 a rated item has no formula", iw)
			case it.Kind != "computed" && it.Kind != "rated":
				bad("%s：类型须为 rated 或 computed the kind must be rated or computed", iw)
			}
		}
		if total != 100 {
			bad("%s：各项满分合计须为 100，现为 %d the items must total 100 points, got %d", where, total, total)
		}
	}
	schemes := map[string]bool{}
	for _, s := range p.RaterWeights {
		where := "评分方案 " + s.Key + " rater scheme " + s.Key
		if s.Key == "" || schemes[s.Key] {
			bad("%s：代码为空或重复 the key is empty or repeated", where)
		}
		schemes[s.Key] = true
		if subj, ok := templates[s.Template]; !ok || subj != s.Subject {
			bad("%s：考核表 %s 不存在或考核对象不同 template %s is unknown or assesses another subject", where, s.Template, s.Template)
		}
		if s.Policy != "renormalise" && s.Policy != "hold" {
			bad("%s：缺组规则须为 renormalise 或 hold the missing-group policy must be renormalise or hold", where)
		}
		for _, pos := range s.Positions {
			position(where, pos)
		}
		var total int64
		for _, g := range s.Groups {
			if g.Weight <= 0 {
				bad("%s 评分组 %s：权重须为正 group %s: the weight must be positive", where, g.Key, g.Key)
			}
			total += g.Weight
			for _, pos := range g.Positions {
				position(where+" "+g.Key, pos)
			}
		}
		if total != 10000 {
			bad("%s：各组权重合计须为 10000 个基点，现为 %d the group weights must total 10000 basis points, got %d", where, total, total)
		}
	}
	for _, w := range p.KPIWeights {
		where := "权重方案 " + w.Key + " weight set " + w.Key
		var dims int64
		set := 0
		for _, d := range w.Dimensions {
			var total int64
			for _, in := range d.Indicators {
				if in.Weight <= 0 {
					bad("%s 指标 %s：权重须为正 indicator %s: the weight must be positive", where, in.Key, in.Key)
				}
				total += in.Weight
			}
			if total != 10000 {
				bad("%s 维度 %s：各指标权重合计须为 10000 个基点，现为 %d dimension %s: the indicator weights must total 10000 basis points, got %d", where, d.Key, total, d.Key, total)
			}
			if d.Weight > 0 {
				set++
			}
			dims += d.Weight
		}
		if set > 0 && (set != len(w.Dimensions) || dims != 10000) {
			bad("%s：维度权重须全部不设或合计 10000 个基点，现为 %d dimension weights must be all unset or total 10000 basis points, got %d", where, dims, dims)
		}
	}
	if o := p.OutcomeRules; o != nil {
		lists := map[string][]string{}
		if o.Star != nil {
			lists["starCm"] = o.Star.Positions
		}
		if o.Monthly != nil {
			lists["monthly"] = o.Monthly.Positions
		}
		if o.RMQuarterly != nil {
			lists["rmQuarterly"] = append(slices.Clone(o.RMQuarterly.Positions), o.RMQuarterly.ConvertTo)
		}
		if o.ExcellentRM != nil {
			lists["excellentRm"] = o.ExcellentRM.Positions
		}
		if o.Coop != nil {
			lists["coopTasks"] = append(slices.Clone(o.Coop.Positions), o.Coop.ConvertTo)
		}
		for rule, ps := range lists {
			for _, pos := range ps {
				position("结果规则 "+rule+" outcome rule "+rule, pos)
			}
		}
	}
	if len(p.GradeReview) > 0 && len(p.Dicts["grades"]) == 0 {
		bad("等级评定规则需要等级字典 grades the grade review needs a grades dictionary")
	}
	return errors.Join(errs...)
}

// PayPlanDef is a pay plan as a preset ships it; see internal/pay.Plan
// for the meaning of each field. Numbers are json.Number so that they
// stay exact decimal text.
type PayPlanDef struct {
	Key           string            `json:"key"`
	NameZh        string            `json:"nameZh"`
	NameEn        string            `json:"nameEn"`
	Version       int               `json:"version"`
	EffectiveFrom string            `json:"effectiveFrom"`
	Positions     []string          `json:"positions"`
	Note          string            `json:"note,omitempty"`
	Source        string            `json:"source,omitempty"`
	Params        []PayParamDef     `json:"params,omitempty"`
	Components    []PayComponentDef `json:"components"`
}

// PayParamDef is a named number of a pay plan; Example marks a value the
// seeds do not give.
type PayParamDef struct {
	Key     string      `json:"key"`
	NameZh  string      `json:"nameZh"`
	NameEn  string      `json:"nameEn"`
	Value   json.Number `json:"value"`
	Example bool        `json:"example,omitempty"`
	Source  string      `json:"source,omitempty"`
}

// PayComponentDef is one component of a pay plan: earning, deduction or
// info, a formula, an optional condition and an optional tier table.
type PayComponentDef struct {
	Key     string       `json:"key"`
	NameZh  string       `json:"nameZh"`
	NameEn  string       `json:"nameEn"`
	Kind    string       `json:"kind"`
	When    string       `json:"when,omitempty"`
	Formula string       `json:"formula,omitempty"`
	Tiers   *PayTiersDef `json:"tiers,omitempty"`
	Source  string       `json:"source,omitempty"`
}

// PayTiersDef is a tier table: whole (全额) or marginal (超额累进).
type PayTiersDef struct {
	By       string          `json:"by"`
	Of       string          `json:"of,omitempty"`
	Mode     string          `json:"mode"`
	Brackets []PayBracketDef `json:"brackets"`
}

// PayBracketDef is one bracket: below an exclusive bound (none for the
// last), a rate or a fixed amount.
type PayBracketDef struct {
	Below   json.Number `json:"below,omitempty"`
	Rate    json.Number `json:"rate,omitempty"`
	Amount  json.Number `json:"amount,omitempty"`
	Example bool        `json:"example,omitempty"`
}

// validatePayPlans checks the shape of the pay plans: a key and version
// named once, positions in the dictionary. Formulas, tiers and the rest
// are checked by internal/pay.
func (p *Preset) validatePayPlans() error {
	var errs []error
	seen := map[string]bool{}
	for i, pl := range p.PayPlans {
		where := fmt.Sprintf("薪酬方案 %s 版本 %d pay plan %s version %d", pl.Key, pl.Version, pl.Key, pl.Version)
		id := fmt.Sprintf("%s@%d", pl.Key, pl.Version)
		if pl.Key == "" || seen[id] {
			errs = append(errs, fmt.Errorf("%s（第 %d 个 #%d）：代码为空或版本重复 the key is empty or the version is repeated", where, i+1, i+1))
		}
		seen[id] = true
		for _, pos := range pl.Positions {
			if !slices.ContainsFunc(p.Dicts["positions"], func(it Item) bool { return it.Code == pos }) {
				errs = append(errs, fmt.Errorf("%s：岗位 %s 不在岗位字典中 position %s is not in the positions dictionary", where, pos, pos))
			}
		}
	}
	return errors.Join(errs...)
}
