package assess

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"cmhub/internal/platform"
)

// Item kinds.
const (
	KindRated    = "rated"    // points entered by each rater
	KindComputed = "computed" // points computed by a formula, the same on every sheet
)

// Subject kinds: who a template and a rater scheme assess.
const (
	SubjectPerson = "person"
	SubjectTeam   = "team"
)

// TotalPoints is what the items of every template add up to.
const TotalPoints = 100

// Item is one line of a scorecard: its maximum whole points and, for a
// computed item, the formula that gives its points.
type Item struct {
	Key        string `json:"key"`
	NameZh     string `json:"nameZh"`
	NameEn     string `json:"nameEn"`
	CriteriaZh string `json:"criteriaZh"`
	CriteriaEn string `json:"criteriaEn,omitempty"`
	Max        int    `json:"max"`
	Kind       string `json:"kind"`
	Formula    string `json:"formula,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Comment is a free-text remark a template carries besides its items,
// like the general manager's comment on the team form (总经理评语).
type Comment struct {
	LabelZh string   `json:"labelZh"`
	LabelEn string   `json:"labelEn"`
	By      []string `json:"by"` // positions that write it
}

// Template is a scorecard (考核评价表): items whose maximum points total
// exactly 100, for people of some positions or for teams. Templates are
// versioned data; a sheet records the version it was filled on.
type Template struct {
	Key       string   `json:"key"`
	NameZh    string   `json:"nameZh"`
	NameEn    string   `json:"nameEn"`
	Subject   string   `json:"subject"`
	Positions []string `json:"positions,omitempty"`
	Version   int      `json:"version"`
	Items     []Item   `json:"items"`
	Comment   *Comment `json:"comment,omitempty"`
	Source    string   `json:"source,omitempty"`
}

// Limits on free text.
const (
	maxName     = 50
	maxNameEn   = 100
	maxCriteria = 1000
)

var keyRe = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// label names a template in messages: "考核表 cm_form" / "template cm_form".
func (t *Template) label() (zh, en string) {
	k := t.Key
	if k == "" {
		k = "?"
	}
	return "考核表 " + k, "template " + k
}

// itemLabel names item i of the template.
func (t *Template) itemLabel(i int) (zh, en string) {
	tz, te := t.label()
	k := t.Items[i].Key
	if k == "" {
		k = "?"
	}
	return fmt.Sprintf("%s 第 %d 项 %s", tz, i+1, k), fmt.Sprintf("%s item %d (%s)", te, i+1, k)
}

// itemField is the field name of item i: its key, or its index when the key is unusable.
func (t *Template) itemField(i int, field string) string {
	k := t.Items[i].Key
	if !keyRe.MatchString(k) {
		k = fmt.Sprintf("%d", i+1)
	}
	return "items." + k + "." + field
}

// Validate checks the template on its own and compiles its formulas.
// Every message names the template and, for an item, its number and key.
func (t *Template) Validate() (map[string]*Formula, platform.Fields) {
	f := platform.Fields{}
	tz, te := t.label()
	if !keyRe.MatchString(t.Key) {
		f.Add("key", fmt.Sprintf("%s：代码须为 2–40 位小写字母、数字或下划线，以字母开头 %s: the key is 2–40 lowercase letters, digits or _, starting with a letter", tz, te))
	}
	if t.NameZh == "" || utf8.RuneCountInString(t.NameZh) > maxName {
		f.Add("nameZh", fmt.Sprintf("%s：中文名称必填，最多 50 个字 %s: a Chinese name is required, at most 50 characters", tz, te))
	}
	if utf8.RuneCountInString(t.NameEn) > maxNameEn {
		f.Add("nameEn", fmt.Sprintf("%s：英文名称最多 100 个字符 %s: the English name has at most 100 characters", tz, te))
	}
	if t.Version < 1 {
		f.Add("version", fmt.Sprintf("%s：版本须为正整数 %s: the version must be a positive integer", tz, te))
	}
	switch t.Subject {
	case SubjectPerson:
		if len(t.Positions) == 0 {
			f.Add("positions", fmt.Sprintf("%s：须指定适用岗位 %s: name the positions it applies to", tz, te))
		}
	case SubjectTeam:
		if len(t.Positions) > 0 {
			f.Add("positions", fmt.Sprintf("%s：团队考核表不指定岗位 %s: a team template names no positions", tz, te))
		}
	default:
		f.Add("subject", fmt.Sprintf("%s：考核对象须为 person 或 team %s: the subject must be person or team", tz, te))
	}
	if dup := duplicate(t.Positions); dup != "" {
		f.Add("positions", fmt.Sprintf("%s：岗位 %s 重复 %s: position %s is listed twice", tz, dup, te, dup))
	}
	if c := t.Comment; c != nil && (c.LabelZh == "" || len(c.By) == 0) {
		f.Add("comment", fmt.Sprintf("%s：评语须有名称和填写岗位 %s: a comment needs a label and the positions that write it", tz, te))
	}
	if len(t.Items) == 0 {
		f.Add("items", fmt.Sprintf("%s：至少需要一个考核项 %s: at least one item is needed", tz, te))
		return nil, f
	}
	formulas := map[string]*Formula{}
	seen := map[string]int{}
	total := 0
	for i := range t.Items {
		it := &t.Items[i]
		iz, ie := t.itemLabel(i)
		switch j, dup := seen[it.Key]; {
		case !keyRe.MatchString(it.Key):
			f.Add(t.itemField(i, "key"), fmt.Sprintf("%s：代码须为 2–40 位小写字母、数字或下划线，以字母开头 %s: the key is 2–40 lowercase letters, digits or _, starting with a letter", iz, ie))
		case dup:
			f.Add(t.itemField(i, "key"), fmt.Sprintf("%s：代码与第 %d 项重复 %s: the key repeats item %d", iz, j+1, ie, j+1))
		default:
			seen[it.Key] = i
		}
		if it.NameZh == "" || utf8.RuneCountInString(it.NameZh) > maxName {
			f.Add(t.itemField(i, "nameZh"), fmt.Sprintf("%s：中文名称必填，最多 50 个字 %s: a Chinese name is required, at most 50 characters", iz, ie))
		}
		if utf8.RuneCountInString(it.CriteriaZh) > maxCriteria || utf8.RuneCountInString(it.CriteriaEn) > maxCriteria {
			f.Add(t.itemField(i, "criteriaZh"), fmt.Sprintf("%s：评分标准最多 1000 字 %s: the criteria have at most 1000 characters", iz, ie))
		}
		if it.Max <= 0 || it.Max > TotalPoints {
			f.Add(t.itemField(i, "max"), fmt.Sprintf("%s：满分须为 1–100 的整数，现为 %d %s: the maximum must be a whole number of points from 1 to 100, got %d", iz, it.Max, ie, it.Max))
		} else {
			total += it.Max
		}
		switch it.Kind {
		case KindRated:
			if strings.TrimSpace(it.Formula) != "" {
				f.Add(t.itemField(i, "formula"), fmt.Sprintf("%s：评分项不设公式 %s: a rated item has no formula", iz, ie))
			}
		case KindComputed:
			fm, msg := compileFormula(it.Formula)
			if msg != "" {
				f.Add(t.itemField(i, "formula"), fmt.Sprintf("%s：%s %s", iz, msg, ie))
				continue
			}
			formulas[it.Key] = fm
		default:
			f.Add(t.itemField(i, "kind"), fmt.Sprintf("%s：类型须为 rated（人工评分）或 computed（公式计算） %s: the kind must be rated or computed", iz, ie))
		}
	}
	if _, bad := f["items"]; !bad && total != TotalPoints && !hasItemField(f, "max") {
		f.Add("items", fmt.Sprintf("%s：各项满分合计须为 100，现为 %d %s: the items' maximum points must total 100, got %d", tz, total, te, total))
	}
	return formulas, f
}

func hasItemField(f platform.Fields, field string) bool {
	for k := range f {
		if strings.HasPrefix(k, "items.") && strings.HasSuffix(k, "."+field) {
			return true
		}
	}
	return false
}

// duplicate returns the first value that appears twice, or "".
func duplicate(vs []string) string {
	seen := make(map[string]bool, len(vs))
	for _, v := range vs {
		if seen[v] {
			return v
		}
		seen[v] = true
	}
	return ""
}

// Scorecard is a validated template with its formulas compiled. It is
// immutable and safe for concurrent use.
type Scorecard struct {
	t        Template
	formulas map[string]*Formula
	index    map[string]int
}

// Compile validates t and compiles its formulas. Errors are a
// *platform.ValidationError whose messages name the template and item.
func Compile(t Template) (*Scorecard, error) {
	t.Positions = slices.Clone(t.Positions)
	t.Items = slices.Clone(t.Items)
	formulas, f := t.Validate()
	if err := f.Err(); err != nil {
		return nil, err
	}
	sc := &Scorecard{t: t, formulas: formulas, index: make(map[string]int, len(t.Items))}
	for i, it := range t.Items {
		sc.index[it.Key] = i
	}
	return sc, nil
}

// Template returns a copy of the template.
func (sc *Scorecard) Template() Template {
	t := sc.t
	t.Positions = slices.Clone(t.Positions)
	t.Items = slices.Clone(t.Items)
	return t
}

// Key and Version identify the template.
func (sc *Scorecard) Key() string { return sc.t.Key }

// Version is the template's version.
func (sc *Scorecard) Version() int { return sc.t.Version }

// Formula returns the compiled formula of a computed item, or nil.
func (sc *Scorecard) Formula(item string) *Formula { return sc.formulas[item] }

// Policies for a rater group without any submitted sheet.
const (
	// PolicyRenormalise scales the other groups' weights up to 100%.
	PolicyRenormalise = "renormalise"
	// PolicyHold gives no composite until every group has scored.
	PolicyHold = "hold"
)

// Scopes say where a group's raters are found, relative to the subject's
// unit: the nearest unit of that kind at or above it.
const (
	ScopeTeam        = "team"
	ScopeRegion      = "region"
	ScopeBranch      = "branch"
	ScopeInstitution = "institution"
)

// Group is a rater group of a scheme: its weight in basis points and who
// its raters are — the people of the given positions in the subject's
// team, region, branch or institution, never the subject.
type Group struct {
	Key       string   `json:"key"`
	NameZh    string   `json:"nameZh"`
	NameEn    string   `json:"nameEn"`
	Weight    BP       `json:"weight"`
	Positions []string `json:"positions"`
	Scope     string   `json:"scope"`
}

// Scheme is the rater-group weighting of one assessment (SPEC §5 table):
// for subjects of some positions (or teams) and a cycle, the template
// the sheets use, the groups with weights totalling 100%, and the policy
// for a group that has no submitted sheet.
type Scheme struct {
	Key       string              `json:"key"`
	NameZh    string              `json:"nameZh"`
	NameEn    string              `json:"nameEn"`
	Cycle     platform.PeriodKind `json:"cycle"`
	Subject   string              `json:"subject"`
	Positions []string            `json:"positions,omitempty"`
	Template  string              `json:"template"`
	Version   int                 `json:"version"`
	Policy    string              `json:"policy"`
	Groups    []Group             `json:"groups"`
	// CompletionOf is whose task completion a computed item of a person
	// subject uses: the person's own ("" or "person"), or that of their
	// team, region or branch (a regional manager is assessed on the
	// region's). A team subject always uses the team's.
	CompletionOf string `json:"completionOf,omitempty"`
	Source       string `json:"source,omitempty"`
}

func (s *Scheme) label() (zh, en string) {
	k := s.Key
	if k == "" {
		k = "?"
	}
	return "评分方案 " + k, "rater scheme " + k
}

// Validate checks the scheme on its own: weights positive and totalling
// 10000 basis points, group keys unique, known scope and policy.
func (s *Scheme) Validate() platform.Fields {
	f := platform.Fields{}
	sz, se := s.label()
	if !keyRe.MatchString(s.Key) {
		f.Add("key", fmt.Sprintf("%s：代码须为 2–40 位小写字母、数字或下划线，以字母开头 %s: the key is 2–40 lowercase letters, digits or _, starting with a letter", sz, se))
	}
	if s.NameZh == "" || utf8.RuneCountInString(s.NameZh) > maxName {
		f.Add("nameZh", fmt.Sprintf("%s：中文名称必填，最多 50 个字 %s: a Chinese name is required, at most 50 characters", sz, se))
	}
	if s.Version < 1 {
		f.Add("version", fmt.Sprintf("%s：版本须为正整数 %s: the version must be a positive integer", sz, se))
	}
	if s.Cycle != platform.Month && s.Cycle != platform.Quarter && s.Cycle != platform.Year {
		f.Add("cycle", fmt.Sprintf("%s：周期须为 month、quarter 或 year %s: the cycle must be month, quarter or year", sz, se))
	}
	switch s.CompletionOf {
	case "", SubjectPerson, ScopeTeam, ScopeRegion, ScopeBranch:
	default:
		f.Add("completionOf", fmt.Sprintf("%s：任务完成率取值须为 person、team、region 或 branch %s: completionOf must be person, team, region or branch", sz, se))
	}
	switch s.Subject {
	case SubjectPerson:
		if len(s.Positions) == 0 {
			f.Add("positions", fmt.Sprintf("%s：须指定被考核岗位 %s: name the positions assessed", sz, se))
		}
	case SubjectTeam:
		if len(s.Positions) > 0 {
			f.Add("positions", fmt.Sprintf("%s：团队考核不指定岗位 %s: a team scheme names no positions", sz, se))
		}
	default:
		f.Add("subject", fmt.Sprintf("%s：考核对象须为 person 或 team %s: the subject must be person or team", sz, se))
	}
	if dup := duplicate(s.Positions); dup != "" {
		f.Add("positions", fmt.Sprintf("%s：岗位 %s 重复 %s: position %s is listed twice", sz, dup, se, dup))
	}
	if !keyRe.MatchString(s.Template) {
		f.Add("template", fmt.Sprintf("%s：须指定考核表 %s: name the template", sz, se))
	}
	if s.Policy != PolicyRenormalise && s.Policy != PolicyHold {
		f.Add("policy", fmt.Sprintf("%s：缺组规则须为 renormalise（其余组按比例放大）或 hold（暂不出综合分） %s: the missing-group policy must be renormalise or hold", sz, se))
	}
	if len(s.Groups) == 0 {
		f.Add("groups", fmt.Sprintf("%s：至少需要一个评分组 %s: at least one rater group is needed", sz, se))
		return f
	}
	var total BP
	seen := map[string]bool{}
	weightsOK := true
	for i, g := range s.Groups {
		k := g.Key
		if !keyRe.MatchString(k) {
			k = fmt.Sprintf("%d", i+1)
		}
		gz := fmt.Sprintf("%s 评分组 %s", sz, k)
		ge := fmt.Sprintf("%s group %s", se, k)
		switch {
		case !keyRe.MatchString(g.Key):
			f.Add("groups."+k+".key", fmt.Sprintf("%s：代码须为 2–40 位小写字母、数字或下划线 %s: the key is 2–40 lowercase letters, digits or _", gz, ge))
		case seen[g.Key]:
			f.Add("groups."+k+".key", fmt.Sprintf("%s：代码重复 %s: the key is listed twice", gz, ge))
		}
		seen[g.Key] = true
		if g.NameZh == "" {
			f.Add("groups."+k+".nameZh", fmt.Sprintf("%s：中文名称必填 %s: a Chinese name is required", gz, ge))
		}
		if g.Weight <= 0 || g.Weight > FullWeight {
			f.Add("groups."+k+".weight", fmt.Sprintf("%s：权重须为 1–10000 个基点，现为 %d %s: the weight must be 1–10000 basis points, got %d", gz, g.Weight, ge, g.Weight))
			weightsOK = false
		} else {
			total += g.Weight
		}
		if len(g.Positions) == 0 {
			f.Add("groups."+k+".positions", fmt.Sprintf("%s：须指定评分人岗位 %s: name the raters' positions", gz, ge))
		}
		switch g.Scope {
		case ScopeTeam, ScopeRegion, ScopeBranch, ScopeInstitution:
		default:
			f.Add("groups."+k+".scope", fmt.Sprintf("%s：范围须为 team、region、branch 或 institution %s: the scope must be team, region, branch or institution", gz, ge))
		}
	}
	if weightsOK && total != FullWeight {
		f.Add("groups", fmt.Sprintf("%s：各组权重合计须为 10000 个基点（100%%），现为 %d（%s） %s: the group weights must total 10000 basis points (100%%), got %d (%s)",
			sz, total, formatBP(total), se, total, formatBP(total)))
	}
	return f
}

// Rules is an institution's assessment rules checked as a whole: every
// template compiled, every scheme valid and naming a template for the
// same subject whose positions cover the scheme's, and no two schemes of
// one cycle assessing the same position. It is immutable and safe for
// concurrent use.
type Rules struct {
	scorecards map[string]*Scorecard
	schemes    []Scheme
	byScheme   map[string]int
}

// NewRules checks templates and schemes together. Errors are a
// *platform.ValidationError with fields "scorecards.<key>.<field>" and
// "raterWeights.<key>.<field>".
func NewRules(templates []Template, schemes []Scheme) (*Rules, error) {
	f := platform.Fields{}
	r := &Rules{scorecards: map[string]*Scorecard{}, byScheme: map[string]int{}}
	for i, t := range templates {
		prefix := fmt.Sprintf("scorecards.%s.", fieldKey(t.Key, i))
		if _, dup := r.scorecards[t.Key]; dup {
			tz, te := t.label()
			f.Add(prefix+"key", fmt.Sprintf("%s：代码重复 %s: the key is listed twice", tz, te))
			continue
		}
		sc, err := Compile(t)
		if err != nil {
			addAll(f, prefix, err)
			continue
		}
		r.scorecards[t.Key] = sc
	}
	type claim struct {
		cycle    platform.PeriodKind
		position string
	}
	claimed := map[claim]string{}
	for i, s := range schemes {
		s.Positions = slices.Clone(s.Positions)
		s.Groups = slices.Clone(s.Groups)
		prefix := fmt.Sprintf("raterWeights.%s.", fieldKey(s.Key, i))
		sz, se := s.label()
		errs := s.Validate()
		for _, k := range slices.Sorted(maps.Keys(errs)) {
			f.Add(prefix+k, errs[k])
		}
		if _, dup := r.byScheme[s.Key]; dup {
			f.Add(prefix+"key", fmt.Sprintf("%s：代码重复 %s: the key is listed twice", sz, se))
			continue
		}
		if sc, ok := r.scorecards[s.Template]; ok {
			t := sc.t
			if t.Subject != s.Subject {
				f.Add(prefix+"template", fmt.Sprintf("%s：考核表 %s 的考核对象是 %s，不是 %s %s: template %s assesses %s, not %s", sz, t.Key, t.Subject, s.Subject, se, t.Key, t.Subject, s.Subject))
			}
			for _, p := range s.Positions {
				if !slices.Contains(t.Positions, p) {
					f.Add(prefix+"template", fmt.Sprintf("%s：考核表 %s 不适用于岗位 %s %s: template %s does not apply to position %s", sz, t.Key, p, se, t.Key, p))
				}
			}
		} else if _, bad := errs["template"]; !bad {
			f.Add(prefix+"template", fmt.Sprintf("%s：考核表 %s 不存在或无效 %s: template %s is unknown or invalid", sz, s.Template, se, s.Template))
		}
		for _, p := range s.Positions {
			c := claim{s.Cycle, p}
			if other, taken := claimed[c]; taken {
				f.Add(prefix+"positions", fmt.Sprintf("%s：岗位 %s 在同一周期已由评分方案 %s 考核 %s: position %s is already assessed in this cycle by scheme %s", sz, p, other, se, p, other))
				continue
			}
			claimed[c] = s.Key
		}
		if s.Subject == SubjectTeam {
			c := claim{s.Cycle, "\x00team"}
			if other, taken := claimed[c]; taken {
				f.Add(prefix+"subject", fmt.Sprintf("%s：团队在同一周期已由评分方案 %s 考核 %s: teams are already assessed in this cycle by scheme %s", sz, other, se, other))
			}
			claimed[c] = s.Key
		}
		r.byScheme[s.Key] = len(r.schemes)
		r.schemes = append(r.schemes, s)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// fieldKey is a usable key for field names, or the 1-based index.
func fieldKey(k string, i int) string {
	if keyRe.MatchString(k) {
		return k
	}
	return fmt.Sprintf("%d", i+1)
}

// addAll copies the fields of a validation error under prefix.
func addAll(f platform.Fields, prefix string, err error) {
	var ve *platform.ValidationError
	if !errors.As(err, &ve) {
		f.Add(prefix+"error", err.Error())
		return
	}
	for _, k := range slices.Sorted(maps.Keys(ve.Fields)) {
		f.Add(prefix+k, ve.Fields[k])
	}
}

// Scorecard returns the compiled template with key.
func (r *Rules) Scorecard(key string) (*Scorecard, bool) {
	sc, ok := r.scorecards[key]
	return sc, ok
}

// Scheme returns the scheme with key.
func (r *Rules) Scheme(key string) (Scheme, bool) {
	i, ok := r.byScheme[key]
	if !ok {
		return Scheme{}, false
	}
	return r.schemes[i], true
}

// Schemes returns the schemes of a cycle in the order given.
func (r *Rules) Schemes(cycle platform.PeriodKind) []Scheme {
	var out []Scheme
	for _, s := range r.schemes {
		if s.Cycle == cycle {
			out = append(out, s)
		}
	}
	return out
}

// Parts returns copies of the rules' templates, by key, and schemes, in
// their order: what an institution stores and edits.
func (r *Rules) Parts() ([]Template, []Scheme) {
	keys := slices.Sorted(maps.Keys(r.scorecards))
	ts := make([]Template, len(keys))
	for i, k := range keys {
		ts[i] = r.scorecards[k].Template()
	}
	ss := make([]Scheme, len(r.schemes))
	for i, s := range r.schemes {
		s.Positions = slices.Clone(s.Positions)
		s.Groups = slices.Clone(s.Groups)
		ss[i] = s
	}
	return ts, ss
}
