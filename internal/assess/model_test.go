package assess_test

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
)

// cmForm is the CM form of seed 000 附件一.
func cmForm() assess.Template {
	rated := func(k, zh string, pts int) assess.Item {
		return assess.Item{Key: k, NameZh: zh, Max: pts, Kind: assess.KindRated}
	}
	return assess.Template{Key: "cm_form", NameZh: "客户经理考核评价表", Subject: assess.SubjectPerson, Positions: []string{"sales_cm"}, Version: 1,
		Items: []assess.Item{
			rated("duty_performance", "本岗位职责履职情况", 20),
			rated("professional_skill", "专业技能", 10),
			rated("execution", "执行力", 10),
			rated("communication", "沟通协调能力", 10),
			rated("service_awareness", "服务意识", 10),
			{Key: "task_completion", NameZh: "任务完成率", Max: 10, Kind: assess.KindComputed, Formula: "full * min(completion, 1)"},
			rated("work_efficiency", "工作效率", 10),
			rated("labour_discipline", "劳动纪律", 20),
		}}
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *platform.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	return ve.Fields
}

func TestCompileTemplate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*assess.Template)
		field string   // "" = valid
		want  []string // parts of the message
	}{
		{"seed form", func(*assess.Template) {}, "", nil},
		{"one decimal total off", func(t *assess.Template) { t.Items[0].Max = 19 }, "items", []string{"考核表 cm_form", "合计须为 100，现为 99", "template cm_form", "total 100, got 99"}},
		{"total above", func(t *assess.Template) { t.Items[1].Max = 11 }, "items", []string{"现为 101"}},
		{"zero max", func(t *assess.Template) { t.Items[2].Max = 0 }, "items.execution.max", []string{"第 3 项 execution", "item 3 (execution)", "现为 0"}},
		{"negative max", func(t *assess.Template) { t.Items[2].Max = -10 }, "items.execution.max", []string{"1–100"}},
		{"max above 100", func(t *assess.Template) { t.Items[0].Max = 120 }, "items.duty_performance.max", []string{"1–100"}},
		{"duplicate item", func(t *assess.Template) { t.Items[3].Key = "execution" }, "items.execution.key", []string{"第 4 项 execution", "与第 3 项重复", "repeats item 3"}},
		{"bad item key", func(t *assess.Template) { t.Items[3].Key = "Communication" }, "items.4.key", []string{"第 4 项 Communication"}},
		{"no item name", func(t *assess.Template) { t.Items[1].NameZh = "" }, "items.professional_skill.nameZh", []string{"中文名称必填"}},
		{"bad kind", func(t *assess.Template) { t.Items[1].Kind = "manual" }, "items.professional_skill.kind", []string{"rated", "computed"}},
		{"rated with formula", func(t *assess.Template) { t.Items[1].Formula = "completion" }, "items.professional_skill.formula", []string{"评分项不设公式"}},
		{"computed without formula", func(t *assess.Template) { t.Items[5].Formula = " " }, "items.task_completion.formula", []string{"第 6 项 task_completion", "须有公式"}},
		{"unknown variable", func(t *assess.Template) { t.Items[5].Formula = "full * completon" }, "items.task_completion.formula",
			[]string{"考核表 cm_form 第 6 项 task_completion", "未知变量 completon", "unknown variable completon", "第 1 行第 8 列", "line 1, column 8", "template cm_form item 6 (task_completion)"}},
		{"unknown attendance field", func(t *assess.Template) { t.Items[5].Formula = "full - attendance.lateness" }, "items.task_completion.formula",
			[]string{"未知变量 attendance.lateness"}},
		{"bare group", func(t *assess.Template) { t.Items[5].Formula = "full - attendance" }, "items.task_completion.formula",
			[]string{"attendance 须写成 attendance.字段", "第 1 行第 8 列"}},
		{"syntax", func(t *assess.Template) { t.Items[5].Formula = "full * (completion" }, "items.task_completion.formula", []string{"语法错误", "syntax error"}},
		{"boolean result", func(t *assess.Template) { t.Items[5].Formula = "completion > 1" }, "items.task_completion.formula", []string{"结果须为数值"}},
		{"function", func(t *assess.Template) { t.Items[5].Formula = "sqrt(completion)" }, "items.task_completion.formula", []string{"不支持函数 sqrt"}},
		{"builtin not allowed", func(t *assess.Template) { t.Items[5].Formula = "len(\"ab\") + completion" }, "items.task_completion.formula", []string{"不支持"}},
		{"modulo", func(t *assess.Template) { t.Items[5].Formula = "full % 3" }, "items.task_completion.formula", []string{"不支持运算符 %"}},
		{"let", func(t *assess.Template) { t.Items[5].Formula = "let x = completion; x * full" }, "items.task_completion.formula", []string{"不支持的写法"}},
		{"optional member", func(t *assess.Template) { t.Items[5].Formula = "attendance?.late" }, "items.task_completion.formula", []string{"不支持"}},
		{"attendance formula", func(t *assess.Template) {
			t.Items[7] = assess.Item{Key: "labour_discipline", NameZh: "劳动纪律", Max: 20, Kind: assess.KindComputed,
				Formula: "max(0, full - 2 * attendance.late - 5 * attendance.absent_days)"}
		}, "", nil},
		{"no items", func(t *assess.Template) { t.Items = nil }, "items", []string{"至少需要一个考核项"}},
		{"no positions", func(t *assess.Template) { t.Positions = nil }, "positions", []string{"适用岗位"}},
		{"team with positions", func(t *assess.Template) { t.Subject = assess.SubjectTeam }, "positions", []string{"团队考核表不指定岗位"}},
		{"bad subject", func(t *assess.Template) { t.Subject = "unit" }, "subject", []string{"person 或 team"}},
		{"no version", func(t *assess.Template) { t.Version = 0 }, "version", []string{"版本"}},
		{"bad key", func(t *assess.Template) { t.Key = "CM" }, "key", []string{"考核表 CM"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl := cmForm()
			tc.edit(&tpl)
			sc, err := assess.Compile(tpl)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				if sc.Key() != tpl.Key || sc.Version() != tpl.Version {
					t.Errorf("compiled %s v%d", sc.Key(), sc.Version())
				}
				return
			}
			fs := fieldsOf(t, err)
			msg, ok := fs[tc.field]
			if !ok {
				t.Fatalf("want an error on %s, got %v", tc.field, fs)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: %q does not say %q", tc.field, msg, w)
				}
			}
			if strings.Index(msg, "template") < strings.IndexFunc(msg, func(r rune) bool { return r > 0x2E80 }) {
				t.Errorf("Chinese first, then English: %q", msg)
			}
		})
	}
}

func TestFormulaInputs(t *testing.T) {
	tpl := cmForm()
	tpl.Items[7] = assess.Item{Key: "labour_discipline", NameZh: "劳动纪律", Max: 20, Kind: assess.KindComputed,
		Formula: "max(0, full - 2 * attendance.late - 5 * attendance.absent_days)"}
	sc, err := assess.Compile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sc.Formula("labour_discipline").Inputs, ","); got != "attendance.absent_days,attendance.late" {
		t.Errorf("inputs %s", got)
	}
	if got := strings.Join(sc.Formula("task_completion").Inputs, ","); got != "completion" {
		t.Errorf("inputs %s", got)
	}
	if sc.Formula("execution") != nil {
		t.Error("a rated item has no formula")
	}
}

func TestComputeItems(t *testing.T) {
	tpl := cmForm()
	tpl.Items[7] = assess.Item{Key: "labour_discipline", NameZh: "劳动纪律", Max: 20, Kind: assess.KindComputed,
		Formula: "full - 2 * attendance.late - 5 * attendance.absent_days"}
	tpl.Items[6] = assess.Item{Key: "work_efficiency", NameZh: "工作效率", Max: 10, Kind: assess.KindComputed,
		Formula: "full * attendance.present_days / attendance.required_days"}
	sc, err := assess.Compile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	att := func(late, absent, present, required float64) map[string]float64 {
		return map[string]float64{"attendance.late": late, "attendance.absent_days": absent,
			"attendance.present_days": present, "attendance.required_days": required}
	}
	with := func(m map[string]float64, completion float64) map[string]float64 {
		m["completion"] = completion
		return m
	}
	for _, tc := range []struct {
		name      string
		inputs    map[string]float64
		task      string // points of task_completion
		labour    string
		eff       string
		clampTask bool
		clampLab  bool
		noValue   string // part of the error
	}{
		{"full marks", with(att(0, 0, 21, 21), 1), "10", "20", "10", false, false, ""},
		{"0.95 is 9.5 exactly", with(att(1, 0, 21, 21), 0.95), "9.5", "18", "10", false, false, ""},
		{"0.8549 rounds to 8.5", with(att(0, 0, 21, 21), 0.8549), "8.5", "20", "10", false, false, ""},
		{"0.855 rounds half up to 8.6", with(att(0, 0, 21, 21), 0.855), "8.6", "20", "10", false, false, ""},
		{"over 100% capped by the formula", with(att(0, 0, 21, 21), 1.37), "10", "20", "10", false, false, ""},
		{"negative clamped to 0", with(att(5, 3, 18, 21), 0), "0", "0", "8.6", false, true, ""},
		{"2/3 present", with(att(0, 0, 14, 21), 0.5), "5", "20", "6.7", false, false, ""},
		{"no target", att(0, 0, 21, 21), "", "", "", false, false, "completion"},
		{"no attendance", map[string]float64{"completion": 1}, "", "", "", false, false, "attendance.present_days"},
		{"no working days", with(att(0, 0, 0, 0), 1), "", "", "", false, false, "除数为零"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := sc.ComputeItems(tc.inputs)
			if tc.noValue != "" {
				if !errors.Is(err, assess.ErrNoValue) || !strings.Contains(err.Error(), tc.noValue) || !strings.Contains(err.Error(), "考核表 cm_form") {
					t.Fatalf("want no value naming %s and the template, got %v", tc.noValue, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]assess.ItemPoints{}
			for _, it := range items {
				got[it.Key] = it
			}
			if got["task_completion"].Points.String() != tc.task || got["labour_discipline"].Points.String() != tc.labour || got["work_efficiency"].Points.String() != tc.eff {
				t.Errorf("task %s labour %s eff %s, want %s %s %s", got["task_completion"].Points, got["labour_discipline"].Points, got["work_efficiency"].Points, tc.task, tc.labour, tc.eff)
			}
			if got["task_completion"].Clamped != tc.clampTask || got["labour_discipline"].Clamped != tc.clampLab {
				t.Errorf("clamped %v %v", got["task_completion"].Clamped, got["labour_discipline"].Clamped)
			}
			if c := got["task_completion"]; !c.Computed || c.Formula == "" || c.Inputs["completion"] != tc.inputs["completion"] {
				t.Errorf("derivation missing: %+v", c)
			}
		})
	}
	// A formula whose result exceeds the maximum is bounded and says so.
	over := cmForm()
	over.Items[5].Formula = "full * completion"
	sc2, err := assess.Compile(over)
	if err != nil {
		t.Fatal(err)
	}
	items, err := sc2.ComputeItems(map[string]float64{"completion": 1.3})
	if err != nil || items[0].Points != assess.Whole(10) || !items[0].Clamped {
		t.Errorf("over the maximum: %+v %v", items, err)
	}
}

func TestScoreSheet(t *testing.T) {
	sc, err := assess.Compile(cmForm())
	if err != nil {
		t.Fatal(err)
	}
	computed, err := sc.ComputeItems(map[string]float64{"completion": 0.87})
	if err != nil {
		t.Fatal(err)
	}
	p := func(s string) assess.Points {
		v, err := assess.ParsePoints(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	full := map[string]assess.Points{"duty_performance": p("18.5"), "professional_skill": p("9"), "execution": p("8.5"),
		"communication": p("10"), "service_awareness": p("7.5"), "work_efficiency": p("9"), "labour_discipline": p("19.5")}
	s, err := sc.Score(full, computed)
	if err != nil {
		t.Fatal(err)
	}
	// 18.5+9+8.5+10+7.5+8.7+9+19.5 = 90.7, in tenths: no binary fraction anywhere.
	if s.Total != 907 || s.Total.String() != "90.7" || len(s.Items) != 8 || s.Items[5].Points != 87 || s.Version != 1 {
		t.Fatalf("sheet %+v", s)
	}
	for _, tc := range []struct {
		name    string
		edit    func(m map[string]assess.Points)
		field   string
		want    string
		partial bool // the draft check accepts it
	}{
		{"above max", func(m map[string]assess.Points) { m["execution"] = p("10.5") }, "points.execution", "0–10", false},
		{"negative", func(m map[string]assess.Points) { m["execution"] = -5 }, "points.execution", "现为 -0.5", false},
		{"at max is fine", func(m map[string]assess.Points) { m["labour_discipline"] = p("20") }, "", "", true},
		{"zero is fine", func(m map[string]assess.Points) { m["labour_discipline"] = 0 }, "", "", true},
		{"missing item", func(m map[string]assess.Points) { delete(m, "communication") }, "points.communication", "未评分", true},
		{"computed entered", func(m map[string]assess.Points) { m["task_completion"] = p("10") }, "points.task_completion", "由公式计算", false},
		{"unknown item", func(m map[string]assess.Points) { m["attitude"] = p("5") }, "points.attitude", "没有考核项 attitude", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]assess.Points{}
			for k, v := range full {
				m[k] = v
			}
			tc.edit(m)
			_, err := sc.Score(m, computed)
			draft := sc.Check(m)
			if tc.field == "" {
				if err != nil || draft != nil {
					t.Fatalf("want valid, got %v / %v", err, draft)
				}
				return
			}
			msg := fieldsOf(t, err)[tc.field]
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "考核表 cm_form") {
				t.Errorf("%s: %q does not say %q", tc.field, msg, tc.want)
			}
			if (draft == nil) != tc.partial {
				t.Errorf("draft check: %v, want ok=%v", draft, tc.partial)
			}
		})
	}
	if _, err := sc.Score(full, nil); err == nil || !strings.Contains(err.Error(), "缺少计算结果") {
		t.Errorf("computed items are required: %v", err)
	}
}

func TestPointsAndScores(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want assess.Points
		ok   bool
	}{
		{"0", 0, true}, {"9.5", 95, true}, {"10", 100, true}, {"100.0", 1000, true}, {"0.1", 1, true},
		{"9.55", 0, false}, {"-1", 0, false}, {"", 0, false}, {"1e1", 0, false}, {".5", 0, false}, {"5.", 0, false}, {" 5", 0, false}, {"NaN", 0, false},
	} {
		got, err := assess.ParsePoints(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParsePoints(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	var p assess.Points
	if err := p.UnmarshalJSON([]byte("8.5")); err != nil || p != 85 {
		t.Errorf("json 8.5 → %v %v", p, err)
	}
	if err := p.UnmarshalJSON([]byte(`"7"`)); err != nil || p != 70 {
		t.Errorf(`json "7" → %v %v`, p, err)
	}
	if err := p.UnmarshalJSON([]byte("8.55")); err == nil {
		t.Error("two decimals accepted")
	}
	if b, _ := assess.Points(95).MarshalJSON(); string(b) != "9.5" {
		t.Errorf("marshal %s", b)
	}
	for _, tc := range []struct {
		num, den int64
		want     string
	}{
		{79925, 1000, "79.93"}, // exactly half: up, where banker's rounding gives 79.92
		{89985, 1000, "89.99"}, // 89.985 is 89.98499… as a float64
		{159889, 2100, "76.14"},
		{15989, 200, "79.95"},
		{1, 3, "0.33"},
		{2, 3, "0.67"},
		{-79925, 1000, "-79.93"},
	} {
		s, ok := assess.RoundScore(big.NewRat(tc.num, tc.den))
		if !ok || s.String() != tc.want {
			t.Errorf("RoundScore(%d/%d) = %s, want %s", tc.num, tc.den, s, tc.want)
		}
	}
	if s, err := assess.ParseScore("59.5"); err != nil || s != 5950 || s.String() != "59.50" {
		t.Errorf("ParseScore 59.5 = %v %v", s, err)
	}
	if _, err := assess.ParseScore("59.555"); err == nil {
		t.Error("three decimals accepted")
	}
}
