package cycle

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"cmhub/internal/assess"
	"cmhub/internal/assessform"
	"cmhub/internal/platform"
)

// MaxExport bounds the subjects of one export.
const MaxExport = 20000

// ExportRows returns the results of a cycle inside the viewer's scope,
// optionally of one unit's subtree (its team, region or branch) and one
// scheme, with their derivations, best first.
func (s *Service) ExportRows(ctx context.Context, cycleID, unitID int64, scheme string) (Cycle, []ResultRow, error) {
	p, err := readPrincipal(ctx)
	if err != nil {
		return Cycle{}, nil, err
	}
	c, err := s.Store.Cycle(ctx, p.Institution, cycleID, false)
	if err != nil {
		return Cycle{}, nil, err
	}
	rows, total, err := s.Store.AssessResults(ctx, p.Scope, c.AsOf, ResultQuery{Institution: p.Institution, Cycle: c.ID, Scheme: scheme,
		Unit: unitID, WithDetail: true, Limit: MaxExport})
	if err != nil {
		return Cycle{}, nil, err
	}
	if total > MaxExport {
		return Cycle{}, nil, platform.Invalid("unitId", fmt.Sprintf("结果超过 %d 条，请按单位或方案分别导出 more than %d results: export by unit or scheme", MaxExport, MaxExport))
	}
	return c, rows, nil
}

// PeriodLabel writes a period for a form: "2026年第三季度 2026-Q3".
func PeriodLabel(p string) string {
	per, err := platform.ParsePeriod(p)
	if err != nil {
		return p
	}
	switch per.Kind {
	case platform.Quarter:
		return fmt.Sprintf("%d年第%s季度 %s", per.Year, []string{"", "一", "二", "三", "四"}[per.N], p)
	case platform.Month:
		return fmt.Sprintf("%d年%d月 %s", per.Year, per.N, p)
	}
	return fmt.Sprintf("%d年度 %s", per.Year, p)
}

// Forms lays a cycle's results out as the paper forms of seed 000 (附件一,
// 附件二, the team form): one form per template, a line per subject with
// each item's score and the composite, for one unit (a team, region or
// branch) or everything in the viewer's scope.
func (s *Service) Forms(ctx context.Context, cycleID, unitID int64, scheme string) ([]assessform.Form, error) {
	c, rows, err := s.ExportRows(ctx, cycleID, unitID, scheme)
	if err != nil {
		return nil, err
	}
	units, err := s.Store.Units(ctx, c.Institution, c.AsOf)
	if err != nil {
		return nil, err
	}
	unitName, branches := "", []string{}
	for _, u := range units {
		if u.ID == unitID {
			unitName = u.Name
		}
		if u.Kind == "branch" {
			branches = append(branches, u.Name)
		}
	}
	if unitName == "" && len(branches) == 1 {
		unitName = branches[0]
	}
	rules, _, err := cycleRules(&c)
	if err != nil {
		return nil, err
	}
	byTemplate := map[string][]ResultRow{}
	var order []string
	for _, r := range rows {
		sch, ok := rules.Scheme(r.Scheme)
		if !ok {
			continue
		}
		if _, seen := byTemplate[sch.Template]; !seen {
			order = append(order, sch.Template)
		}
		byTemplate[sch.Template] = append(byTemplate[sch.Template], r)
	}
	slices.Sort(order)
	date := ""
	if c.ComputedAt != nil {
		date = platform.DateOf(*c.ComputedAt).String()
	}
	forms := []assessform.Form{}
	for _, key := range order {
		sc, _ := rules.Scorecard(key)
		t := sc.Template()
		title := t.NameZh
		if i := strings.Index(t.Source, "附件"); i >= 0 {
			title = strings.Fields(t.Source[i:])[0] + "：" + t.NameZh
		}
		fm := assessform.Form{Sheet: t.NameZh, Title: title, TitleEn: t.NameEn, UnitLabel: "营业部", Unit: unitName,
			Period: PeriodLabel(c.Period), Date: date,
			Footer: fmt.Sprintf("cmhub 导出 exported · 周期 cycle %s · 考核表 template %s v%d · 规则 rules v%d", c.Period, t.Key, t.Version, c.RuleVersion)}
		if t.Subject == assess.SubjectTeam {
			fm.Title = PeriodLabel(c.Period)[:strings.Index(PeriodLabel(c.Period), " ")] + " " + t.NameZh
		}
		for _, it := range t.Items {
			fm.Items = append(fm.Items, assessform.Item{NameZh: it.NameZh, NameEn: it.NameEn, Max: it.Max})
		}
		if t.Comment != nil {
			fm.CommentLabel = t.Comment.LabelZh
		}
		for _, r := range byTemplate[key] {
			row, err := formRow(t, r)
			if err != nil {
				return nil, err
			}
			fm.Rows = append(fm.Rows, row)
		}
		forms = append(forms, fm)
	}
	if len(forms) == 0 {
		return nil, platform.Invalid("unitId", "没有可导出的考核结果 no results to export")
	}
	return forms, nil
}

func formRow(t assess.Template, r ResultRow) (assessform.Row, error) {
	row := assessform.Row{Subject: r.Name, Points: make([]string, len(t.Items))}
	if r.EmpNo != "" {
		row.Subject += "（" + r.EmpNo + "）"
	}
	var d Detail
	if err := json.Unmarshal(r.Detail, &d); err != nil {
		return row, fmt.Errorf("result %s %d: %w", r.SubjectKind, r.SubjectID, err)
	}
	scores := map[string]*assess.Score{}
	for _, it := range d.Items {
		scores[it.Key] = it.Score
	}
	for i, it := range t.Items {
		if sc := scores[it.Key]; sc != nil {
			row.Points[i] = sc.String()
		}
	}
	if r.Composite != nil {
		row.Total = r.Composite.String()
	} else {
		row.Remark = "暂缓：" + firstNonEmpty(d.Result.NoteZh, d.NoteZh, "尚无已提交的评分表")
	}
	return row, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
