package assess_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
)

func rmForm() assess.Template {
	t := assess.Template{Key: "rm_form", NameZh: "区域经理考核评价表", Subject: assess.SubjectPerson,
		Positions: []string{"regional_manager", "rm_assistant"}, Version: 3}
	for _, it := range []struct {
		k   string
		pts int
	}{{"duty_performance", 20}, {"responsibility", 10}, {"task_completion", 30}, {"communication", 10}, {"marketing_activity", 20}, {"labour_discipline", 10}} {
		t.Items = append(t.Items, assess.Item{Key: it.k, NameZh: it.k, Max: it.pts, Kind: assess.KindRated})
	}
	return t
}

func teamForm() assess.Template {
	return assess.Template{Key: "team_form", NameZh: "团队考核评价表", Subject: assess.SubjectTeam, Version: 1, Items: []assess.Item{
		{Key: "task_completion", NameZh: "任务完成率", Max: 50, Kind: assess.KindComputed, Formula: "full * min(completion, 1)"},
		{Key: "daily_work", NameZh: "日常工作", Max: 10, Kind: assess.KindRated},
		{Key: "marketing_activities", NameZh: "营销活动组织", Max: 20, Kind: assess.KindRated},
		{Key: "product_sales", NameZh: "产品销售", Max: 20, Kind: assess.KindRated},
	}}
}

var marketing = []string{"marketing_director", "marketing_staff"}

func grp(key, zh string, w assess.BP, scope string, pos ...string) assess.Group {
	return assess.Group{Key: key, NameZh: zh, NameEn: key, Weight: w, Positions: pos, Scope: scope}
}

// specSchemes are the SPEC §5 table (000 §二.1) plus the team and monthly schemes.
func specSchemes(policy string) []assess.Scheme {
	return []assess.Scheme{
		{Key: "sales_cm_quarterly", NameZh: "销售类客户经理季度综合测评", Cycle: platform.Quarter, Subject: assess.SubjectPerson,
			Positions: []string{"sales_cm"}, Template: "cm_form", Version: 2, Policy: policy, Groups: []assess.Group{
				grp("peers", "区域内客户经理互评", 2000, assess.ScopeRegion, "sales_cm"),
				grp("rm", "区域经理考评", 6000, assess.ScopeRegion, "regional_manager"),
				grp("marketing", "市场营销部考评", 2000, assess.ScopeBranch, marketing...)}},
		{Key: "rm_quarterly", NameZh: "区域经理季度综合测评", Cycle: platform.Quarter, Subject: assess.SubjectPerson,
			Positions: []string{"regional_manager"}, Template: "rm_form", Version: 1, Policy: policy, Groups: []assess.Group{
				grp("sales_cms", "销售类客户经理考评", 8000, assess.ScopeRegion, "sales_cm"),
				grp("marketing", "市场营销部考评", 1000, assess.ScopeBranch, marketing...),
				grp("gm", "营业部总经理考评", 1000, assess.ScopeBranch, "general_manager")}},
		{Key: "rm_assistant_quarterly", NameZh: "区域经理助理季度综合测评", Cycle: platform.Quarter, Subject: assess.SubjectPerson,
			Positions: []string{"rm_assistant"}, Template: "rm_form", Version: 1, Policy: policy, Groups: []assess.Group{
				grp("sales_cms", "销售类客户经理考评", 4000, assess.ScopeRegion, "sales_cm"),
				grp("rm", "区域经理考评", 4000, assess.ScopeRegion, "regional_manager"),
				grp("marketing", "市场营销部考评", 1000, assess.ScopeBranch, marketing...),
				grp("gm", "营业部总经理考评", 1000, assess.ScopeBranch, "general_manager")}},
		{Key: "team_quarterly", NameZh: "营销团队季度考核", Cycle: platform.Quarter, Subject: assess.SubjectTeam,
			Template: "team_form", Version: 1, Policy: assess.PolicyHold, Groups: []assess.Group{
				grp("marketing", "市场营销部", 10000, assess.ScopeBranch, marketing...)}},
		{Key: "sales_cm_monthly", NameZh: "销售类客户经理月度考核", Cycle: platform.Month, Subject: assess.SubjectPerson,
			Positions: []string{"sales_cm"}, Template: "cm_form", Version: 1, Policy: assess.PolicyHold, Groups: []assess.Group{
				grp("rm", "区域经理考评", 10000, assess.ScopeRegion, "regional_manager")}},
	}
}

func specRules(t testing.TB, policy string) *assess.Rules {
	t.Helper()
	r, err := assess.NewRules([]assess.Template{cmForm(), rmForm(), teamForm()}, specSchemes(policy))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sheets builds submitted sheets of a group from totals written as text,
// raters numbered from first.
func sheets(group string, first int64, totals ...string) []assess.SheetTotal {
	out := make([]assess.SheetTotal, len(totals))
	for i, s := range totals {
		p, err := assess.ParsePoints(s)
		if err != nil {
			panic(err)
		}
		out[i] = assess.SheetTotal{Rater: first + int64(i), Group: group, Total: p, Submitted: true, TemplateVersion: 1}
	}
	return out
}

func join(parts ...[]assess.SheetTotal) []assess.SheetTotal {
	var out []assess.SheetTotal
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestComposite(t *testing.T) {
	for _, tc := range []struct {
		name      string
		policy    string
		scheme    string
		sheets    []assess.SheetTotal
		composite string // "" when held
		exact     string
		effective map[string]string // group → effective weight
		means     map[string]string // group → exact mean
		missing   string
		note      string
	}{
		{
			// Rounding the group means first (89.17, 71.30, 78.27) would
			// give 75.946 → 75.95; the exact composite is 75.9447… → 75.94.
			name: "exact until the end", policy: assess.PolicyRenormalise, scheme: "sales_cm_quarterly",
			sheets: join(sheets("peers", 10, "73.1", "92", "89", "94.3", "73.2", "97.4", "93.9"), sheets("rm", 20, "71.3"),
				sheets("marketing", 30, "71.7", "83.2", "79.9")),
			composite: "75.94", exact: "39871/525",
			effective: map[string]string{"peers": "1/5", "rm": "3/5", "marketing": "1/5"},
			means:     map[string]string{"peers": "6129/70", "rm": "713/10", "marketing": "2348/30"},
		},
		{
			// Exactly 79.925: half up gives 79.93 (banker's rounding and a
			// float round would both give 79.92).
			name: "half up at the exact half", policy: assess.PolicyRenormalise, scheme: "sales_cm_quarterly",
			sheets:    join(sheets("peers", 10, "82", "89", "93.2", "89.9"), sheets("rm", 20, "79.1"), sheets("marketing", 30, "76.7", "70.9")),
			composite: "79.93", exact: "3197/40",
		},
		{
			name: "89.985 is not 89.98", policy: assess.PolicyRenormalise, scheme: "sales_cm_quarterly",
			sheets:    join(sheets("peers", 10, "96.1", "86.5", "88.5", "73.8"), sheets("rm", 20, "93.8"), sheets("marketing", 30, "89.4", "75.2")),
			composite: "89.99", exact: "17997/200",
		},
		{
			name: "RM: sales CMs 80 marketing 10 GM 10", policy: assess.PolicyRenormalise, scheme: "rm_quarterly",
			sheets:    join(sheets("sales_cms", 10, "90", "80", "70"), sheets("marketing", 20, "60"), sheets("gm", 30, "100")),
			composite: "80.00", exact: "80",
		},
		{
			name: "RM assistant 40/40/10/10", policy: assess.PolicyRenormalise, scheme: "rm_assistant_quarterly",
			sheets:    join(sheets("sales_cms", 10, "90", "91"), sheets("rm", 20, "80"), sheets("marketing", 30, "70"), sheets("gm", 40, "60")),
			composite: "81.20", exact: "406/5",
		},
		{
			// Peers missing: 60/80 and 20/80 of the weight.
			name: "renormalise: no peers", policy: assess.PolicyRenormalise, scheme: "sales_cm_quarterly",
			sheets:    join(sheets("rm", 20, "80"), sheets("marketing", 30, "90")),
			composite: "82.50", exact: "165/2", missing: "peers",
			effective: map[string]string{"peers": "0", "rm": "3/4", "marketing": "1/4"},
			note:      "renormalise",
		},
		{
			// GM missing from 40/40/10/10: the others become 4/9, 4/9, 1/9.
			name: "renormalise to ninths", policy: assess.PolicyRenormalise, scheme: "rm_assistant_quarterly",
			sheets:    join(sheets("sales_cms", 10, "90"), sheets("rm", 20, "80"), sheets("marketing", 30, "71")),
			composite: "83.44", exact: "751/9", missing: "gm",
			effective: map[string]string{"sales_cms": "4/9", "rm": "4/9", "marketing": "1/9", "gm": "0"},
		},
		{
			name: "hold: no peers", policy: assess.PolicyHold, scheme: "sales_cm_quarterly",
			sheets:  join(sheets("rm", 20, "80"), sheets("marketing", 30, "90")),
			missing: "peers", note: "hold",
		},
		{
			name: "nothing submitted", policy: assess.PolicyRenormalise, scheme: "sales_cm_quarterly",
			sheets:  []assess.SheetTotal{{Rater: 20, Group: "rm", Total: 800}},
			missing: "peers,rm,marketing", note: "没有任何评分组",
		},
		{
			// A draft is listed as pending and never counted: the mean is 80, not 85.
			name: "drafts are not counted", policy: assess.PolicyHold, scheme: "sales_cm_quarterly",
			sheets: join(sheets("peers", 10, "80"), []assess.SheetTotal{{Rater: 11, Group: "peers", Total: 900}},
				sheets("rm", 20, "80"), sheets("marketing", 30, "80")),
			composite: "80.00", exact: "80", means: map[string]string{"peers": "80"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := specRules(t, tc.policy)
			res, err := r.Composite(tc.scheme, tc.sheets)
			if err != nil {
				t.Fatal(err)
			}
			if tc.composite == "" {
				if !res.Held || res.Composite != 0 || res.CompositeExact != "" {
					t.Errorf("want held, got %+v", res)
				}
			} else if res.Held || res.Composite.String() != tc.composite || res.CompositeExact != tc.exact {
				t.Errorf("composite %s (%s, held %v), want %s (%s)", res.Composite, res.CompositeExact, res.Held, tc.composite, tc.exact)
			}
			if got := strings.Join(res.Missing, ","); got != tc.missing {
				t.Errorf("missing %q, want %q", got, tc.missing)
			}
			if tc.note != "" && !strings.Contains(res.NoteZh+res.NoteEn, tc.note) {
				t.Errorf("note %q / %q does not say %q", res.NoteZh, res.NoteEn, tc.note)
			}
			for _, g := range res.Groups {
				if w, ok := tc.effective[g.Key]; ok && g.EffectiveWeight != w {
					t.Errorf("group %s effective weight %s, want %s", g.Key, g.EffectiveWeight, w)
				}
				if m, ok := tc.means[g.Key]; ok && g.MeanExact != normalise(m) {
					t.Errorf("group %s mean %s, want %s", g.Key, g.MeanExact, normalise(m))
				}
			}
			if res.Policy != tc.policy || res.Template == "" || res.SchemeVersion == 0 {
				t.Errorf("derivation: %+v", res)
			}
		})
	}
}

// normalise reduces a fraction written by hand.
func normalise(s string) string {
	var n, d int64
	if _, err := fmt.Sscanf(s, "%d/%d", &n, &d); err != nil {
		return s
	}
	g := gcd(n, d)
	if d/g == 1 {
		return fmt.Sprint(n / g)
	}
	return fmt.Sprintf("%d/%d", n/g, d/g)
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func TestCompositeExplains(t *testing.T) {
	r := specRules(t, assess.PolicyRenormalise)
	res, err := r.Composite("sales_cm_quarterly", join(sheets("peers", 10, "90", "85"), sheets("rm", 20, "80"),
		[]assess.SheetTotal{{Rater: 31, Group: "marketing", Total: 700}}))
	if err != nil {
		t.Fatal(err)
	}
	peers, rm, mk := res.Groups[0], res.Groups[1], res.Groups[2]
	if peers.Count != 2 || peers.Sum != 1750 || peers.MeanExact != "175/2" || peers.Mean.String() != "87.50" || peers.Weight != 2000 ||
		len(peers.Raters) != 2 || peers.Raters[1].Rater != 11 || peers.Raters[1].Total != 850 {
		t.Errorf("peers %+v", peers)
	}
	if rm.EffectiveWeight != "3/4" || rm.EffectiveBP != 7500 || peers.EffectiveBP != 2500 {
		t.Errorf("effective %s %d %d", rm.EffectiveWeight, rm.EffectiveBP, peers.EffectiveBP)
	}
	if !mk.Missing || len(mk.Pending) != 1 || mk.Pending[0] != 31 || mk.EffectiveBP != 0 {
		t.Errorf("marketing %+v", mk)
	}
	// 87.5 × 1/4 + 80 × 3/4 = 81.875 → 81.88
	if res.Composite.String() != "81.88" || res.TemplateVersion != 1 || res.Scheme != "sales_cm_quarterly" || res.SchemeVersion != 2 {
		t.Errorf("result %+v", res)
	}
	// The subject sees counts and means, not who rated or what each gave.
	own := res.ForSubject()
	if own.Groups[0].Raters != nil || own.Groups[2].Pending != nil || own.Groups[0].Count != 2 || own.Groups[0].MeanExact != "175/2" ||
		own.Composite != res.Composite || len(res.Groups[0].Raters) != 2 {
		t.Errorf("for the subject: %+v (original %+v)", own.Groups, res.Groups)
	}
	// No sheet at all: the template version is the current one.
	res, _ = r.Composite("rm_quarterly", nil)
	if res.TemplateVersion != 3 || !res.Held {
		t.Errorf("empty: %+v", res)
	}
}

func TestCompositeRefuses(t *testing.T) {
	r := specRules(t, assess.PolicyRenormalise)
	for _, tc := range []struct {
		name   string
		scheme string
		sheets []assess.SheetTotal
		want   string
	}{
		{"unknown group", "sales_cm_quarterly", sheets("gm", 1, "80"), "没有评分组 gm"},
		{"rater twice", "sales_cm_quarterly", append(sheets("peers", 1, "80"), sheets("peers", 1, "70")...), "两张评分表"},
		{"rater twice, one a draft", "sales_cm_quarterly", append(sheets("peers", 1, "80"), assess.SheetTotal{Rater: 1, Group: "peers"}), "两张评分表"},
		{"total above 100", "sales_cm_quarterly", []assess.SheetTotal{{Rater: 1, Group: "rm", Total: 1001, Submitted: true}}, "超出 0–100"},
		{"mixed versions", "sales_cm_quarterly", append(sheets("peers", 1, "80"), assess.SheetTotal{Rater: 2, Group: "rm", Total: 800, Submitted: true, TemplateVersion: 2}), "版本不一致"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Composite(tc.scheme, tc.sheets)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want %q, got %v", tc.want, err)
			}
		})
	}
	// Many sheets take the map path of the duplicate check.
	many := sheets("peers", 1, strings.Split(strings.Repeat("80,", 40)+"80", ",")...)
	many = append(many, sheets("peers", 7, "90")...)
	if _, err := r.Composite("sales_cm_quarterly", many); err == nil || !strings.Contains(err.Error(), "评分人 7") {
		t.Errorf("duplicate among many: %v", err)
	}
	if _, err := r.Composite("nope", nil); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("unknown scheme: %v", err)
	}
}

func TestSchemeValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(s []assess.Scheme)
		field string
		want  []string
	}{
		{"weights 99%", func(s []assess.Scheme) { s[0].Groups[2].Weight = 1900 }, "raterWeights.sales_cm_quarterly.groups",
			[]string{"评分方案 sales_cm_quarterly", "合计须为 10000", "现为 9900（99%）", "rater scheme sales_cm_quarterly", "got 9900 (99%)"}},
		{"weights 100.01%", func(s []assess.Scheme) { s[2].Groups[3].Weight = 1001 }, "raterWeights.rm_assistant_quarterly.groups", []string{"现为 10001（100.01%）"}},
		{"zero weight", func(s []assess.Scheme) { s[1].Groups[1].Weight = 0 }, "raterWeights.rm_quarterly.groups.marketing.weight", []string{"评分组 marketing", "1–10000"}},
		{"duplicate group", func(s []assess.Scheme) { s[0].Groups[2].Key = "rm" }, "raterWeights.sales_cm_quarterly.groups.rm.key", []string{"重复"}},
		{"bad policy", func(s []assess.Scheme) { s[0].Policy = "skip" }, "raterWeights.sales_cm_quarterly.policy", []string{"renormalise", "hold"}},
		{"bad scope", func(s []assess.Scheme) { s[0].Groups[0].Scope = "city" }, "raterWeights.sales_cm_quarterly.groups.peers.scope", []string{"team、region、branch"}},
		{"no raters' positions", func(s []assess.Scheme) { s[0].Groups[0].Positions = nil }, "raterWeights.sales_cm_quarterly.groups.peers.positions", []string{"评分人岗位"}},
		{"unknown template", func(s []assess.Scheme) { s[0].Template = "bank_form" }, "raterWeights.sales_cm_quarterly.template", []string{"bank_form 不存在"}},
		{"template of another subject", func(s []assess.Scheme) { s[3].Template = "cm_form" }, "raterWeights.team_quarterly.template", []string{"考核对象是 person"}},
		{"template not for the position", func(s []assess.Scheme) { s[1].Template = "cm_form" }, "raterWeights.rm_quarterly.template", []string{"不适用于岗位 regional_manager"}},
		{"position twice in a cycle", func(s []assess.Scheme) { s[1].Positions = []string{"rm_assistant"} }, "raterWeights.rm_assistant_quarterly.positions", []string{"已由评分方案 rm_quarterly 考核"}},
		{"bad cycle", func(s []assess.Scheme) { s[4].Cycle = "week" }, "raterWeights.sales_cm_monthly.cycle", []string{"month、quarter 或 year"}},
		{"duplicate scheme", func(s []assess.Scheme) { s[2].Key = "rm_quarterly" }, "raterWeights.rm_quarterly.key", []string{"代码重复"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss := specSchemes(assess.PolicyRenormalise)
			tc.edit(ss)
			_, err := assess.NewRules([]assess.Template{cmForm(), rmForm(), teamForm()}, ss)
			msg, ok := fieldsOf(t, err)[tc.field]
			if !ok {
				t.Fatalf("want %s, got %v", tc.field, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
		})
	}
	// Template errors come back under their template.
	bad := cmForm()
	bad.Items[0].Max = 25
	_, err := assess.NewRules([]assess.Template{bad, rmForm(), teamForm()}, specSchemes(assess.PolicyHold))
	if msg := fieldsOf(t, err)["scorecards.cm_form.items"]; !strings.Contains(msg, "现为 105") {
		t.Errorf("template error: %v", err)
	}
}
