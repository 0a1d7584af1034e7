package cycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// MaxSheets bounds one listing of sheets.
const MaxSheets = 5000

// SchemeView is what a rater needs to fill the sheets of one scheme.
type SchemeView struct {
	Key      string          `json:"key"`
	NameZh   string          `json:"nameZh"`
	NameEn   string          `json:"nameEn"`
	Groups   []assess.Group  `json:"groups"`
	Template assess.Template `json:"template"`
}

// MySheets are a rater's sheets of one cycle with the templates to fill
// them.
type MySheets struct {
	Cycle   Cycle                 `json:"cycle"`
	Sheets  []Sheet               `json:"sheets"`
	Schemes map[string]SchemeView `json:"schemes"`
}

// Mine returns the signed-in person's sheets: of the given cycle, or of
// every cycle not yet closed, newest first.
func (s *Service) Mine(ctx context.Context, cycleID int64) ([]MySheets, error) {
	p, err := principal(ctx, "")
	if err != nil {
		return nil, err
	}
	out := []MySheets{}
	if p.PersonID == 0 {
		return out, nil
	}
	var cycles []Cycle
	if cycleID != 0 {
		c, err := s.Store.Cycle(ctx, p.Institution, cycleID, false)
		if err != nil {
			return nil, err
		}
		cycles = []Cycle{c}
	} else {
		all, err := s.Store.Cycles(ctx, p.Institution)
		if err != nil {
			return nil, err
		}
		for _, c := range all {
			if c.State == StateScoring || c.State == StateReview {
				cycles = append(cycles, c)
			}
		}
	}
	for _, c := range cycles {
		sheets, err := s.Store.AssessSheets(ctx, SheetQuery{Institution: p.Institution, Cycle: c.ID, Rater: p.PersonID, Limit: MaxSheets})
		if err != nil {
			return nil, err
		}
		if len(sheets) == 0 {
			continue
		}
		views, err := schemeViews(&c, sheets)
		if err != nil {
			return nil, err
		}
		out = append(out, MySheets{Cycle: c, Sheets: sheets, Schemes: views})
	}
	return out, nil
}

func schemeViews(c *Cycle, sheets []Sheet) (map[string]SchemeView, error) {
	rules, _, err := cycleRules(c)
	if err != nil {
		return nil, err
	}
	views := map[string]SchemeView{}
	for _, h := range sheets {
		if _, ok := views[h.Scheme]; ok {
			continue
		}
		sch, ok := rules.Scheme(h.Scheme)
		if !ok {
			return nil, fmt.Errorf("cycle %d: scheme %q: %w", c.ID, h.Scheme, platform.ErrNotFound)
		}
		sc, _ := rules.Scorecard(sch.Template)
		views[h.Scheme] = SchemeView{Key: sch.Key, NameZh: sch.NameZh, NameEn: sch.NameEn, Groups: sch.Groups, Template: sc.Template()}
	}
	return views, nil
}

// SaveInput is a rater's entry on a sheet. Points are item key → points
// with at most one decimal; Submit submits the sheet, which then needs
// every rated item.
type SaveInput struct {
	Points  map[string]json.RawMessage `json:"points"`
	Remark  string                     `json:"remark"`
	Submit  bool                       `json:"submit"`
	Version int                        `json:"version"`
}

// Save stores a rater's points on their own sheet as a draft, or submits
// it. A submitted sheet changes only after the marketing department
// reopens it.
func (s *Service) Save(ctx context.Context, id int64, in SaveInput) (Sheet, error) {
	p, err := principal(ctx, "")
	if err != nil {
		return Sheet{}, err
	}
	var out Sheet
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		h, err := s.Store.AssessSheet(ctx, p.Institution, id, true)
		if err != nil {
			return err
		}
		if p.PersonID == 0 || h.RaterID != p.PersonID {
			return platform.Denied("这不是您的评分表，只有评分人本人可以评分 this sheet is not yours: only its rater may score it")
		}
		c, err := s.Store.Cycle(ctx, p.Institution, h.CycleID, true)
		if err != nil {
			return err
		}
		if err := writable(&c, &h); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != h.Version {
			return platform.Conflict("stale", "version", "评分表已被修改，请刷新 the sheet was changed meanwhile; reload")
		}
		rules, _, err := cycleRules(&c)
		if err != nil {
			return err
		}
		sc := scorecardOf(rules, h.Scheme)
		if sc == nil {
			return fmt.Errorf("sheet %d: scheme %q has no template", h.ID, h.Scheme)
		}
		fs := platform.Fields{}
		entered := make(map[string]assess.Points, len(in.Points))
		for k, raw := range in.Points {
			if string(raw) == "null" || string(raw) == `""` {
				continue // an item left empty in a draft
			}
			var pts assess.Points
			if err := json.Unmarshal(raw, &pts); err != nil {
				fs.Add("points."+k, "得分须为非负数，最多一位小数 points must be a non-negative number with at most one decimal")
				continue
			}
			entered[k] = pts
		}
		if utf8.RuneCountInString(in.Remark) > maxNote {
			fs.Add("remark", "备注最多 500 字 the remark is at most 500 characters")
		}
		// Every problem at once: unreadable points, then the template's
		// checks of the readable ones (range, unknown or computed items,
		// and on submit every rated item present).
		var check error
		if in.Submit {
			_, check = sc.Score(entered, placeholderComputed(sc))
		} else {
			check = sc.Check(entered)
		}
		var ve *platform.ValidationError
		if errors.As(check, &ve) {
			for k, v := range ve.Fields {
				fs.Add(k, v)
			}
		} else if check != nil {
			return check
		}
		if err := fs.Err(); err != nil {
			return err
		}
		before := map[string]any{"state": h.State, "points": h.Points, "remark": h.Remark}
		var total assess.Points
		for _, v := range entered {
			total += v
		}
		now := s.Clock.Now()
		h.Points, h.RatedTotal, h.Remark, h.SavedAt = entered, total, strings.TrimSpace(in.Remark), &now
		action := "assess.sheet.save"
		if in.Submit {
			h.State, h.SubmittedAt, action = SheetSubmitted, &now, "assess.sheet.submit"
		} else {
			h.State = SheetDraft
		}
		if err := s.Store.UpdateAssessSheet(ctx, &h); err != nil {
			return err
		}
		out = h
		return s.Audit.Record(ctx, audit.Change{Action: action, ObjectType: "assess_sheet", ObjectID: fmt.Sprint(h.ID), UnitID: h.UnitID,
			Before: before, After: map[string]any{"state": h.State, "points": h.Points, "ratedTotal": h.RatedTotal, "remark": h.Remark,
				"cycle": c.Period, "subject": h.SubjectKind + ":" + fmt.Sprint(h.SubjectID), "group": h.Group}})
	})
	return out, err
}

// placeholderComputed gives each computed item zero points so that a
// submitted sheet's rated items can be checked complete; the computed
// points themselves are the subject's and are added with the results.
func placeholderComputed(sc *assess.Scorecard) []assess.ItemPoints {
	var out []assess.ItemPoints
	for _, it := range sc.Template().Items {
		if it.Kind == assess.KindComputed {
			out = append(out, assess.ItemPoints{Key: it.Key, Computed: true})
		}
	}
	return out
}

// writable says whether the rater may change h in c now.
func writable(c *Cycle, h *Sheet) error {
	switch c.State {
	case StateClosed:
		return platform.Conflict(ErrClosed, "cycle", fmt.Sprintf("考核周期 %s 已关闭，不能再评分 the cycle %s is closed; no more scoring", c.Period, c.Period))
	case StateOpen:
		return platform.Conflict("not_scoring", "cycle", fmt.Sprintf("考核周期 %s 尚未开始评分 scoring of %s has not started", c.Period, c.Period))
	case StateReview:
		if h.Reopened == 0 || h.State == SheetSubmitted {
			return platform.Conflict("not_scoring", "cycle", fmt.Sprintf("考核周期 %s 已结束评分，只有被退回的评分表可以修改 scoring of %s has ended; only reopened sheets may change", c.Period, c.Period))
		}
	}
	if h.State == SheetSubmitted {
		return platform.Conflict("submitted", "sheet", "评分表已提交；如需修改，请市场营销部退回 the sheet is submitted; ask the marketing department to reopen it")
	}
	return nil
}

// ReopenInput reopens a submitted sheet.
type ReopenInput struct {
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// Reopen returns a submitted sheet to its rater as a draft (the
// marketing department, with a reason; audited). Its points stay.
func (s *Service) Reopen(ctx context.Context, id int64, in ReopenInput) (Sheet, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return Sheet{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxNote {
		return Sheet{}, platform.Invalid("reason", "退回须说明原因（最多 500 字） a reason is required (at most 500 characters)")
	}
	var out Sheet
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		h, err := s.Store.AssessSheet(ctx, p.Institution, id, true)
		if err != nil {
			return err
		}
		c, err := s.Store.Cycle(ctx, p.Institution, h.CycleID, true)
		if err != nil {
			return err
		}
		if ok, err := s.Store.AssessSubjectVisible(ctx, p.Scope, c.AsOf, c.ID, h.SubjectKind, h.SubjectID); err != nil {
			return err
		} else if !ok {
			return platform.ErrNotFound
		}
		if c.State == StateOpen {
			return platform.Conflict("not_scoring", "cycle", fmt.Sprintf("考核周期 %s 尚未开始评分 scoring of %s has not started", c.Period, c.Period))
		}
		if c.State != StateScoring && c.State != StateReview {
			return platform.Conflict(ErrClosed, "cycle", fmt.Sprintf("考核周期 %s 为%s状态，不能退回评分表 the cycle %s is %s; sheets cannot be reopened", c.Period, stateZh(c.State), c.Period, c.State))
		}
		if h.State != SheetSubmitted {
			return platform.Conflict("not_submitted", "sheet", "评分表尚未提交，无需退回 the sheet is not submitted")
		}
		if in.Version != 0 && in.Version != h.Version {
			return platform.Conflict("stale", "version", "评分表已被修改，请刷新 the sheet was changed meanwhile; reload")
		}
		h.State, h.SubmittedAt = SheetDraft, nil
		h.Reopened++
		if err := s.Store.UpdateAssessSheet(ctx, &h); err != nil {
			return err
		}
		out = h
		return s.Audit.Record(ctx, audit.Change{Action: "assess.sheet.reopen", ObjectType: "assess_sheet", ObjectID: fmt.Sprint(h.ID), UnitID: h.UnitID,
			Before: map[string]any{"state": SheetSubmitted}, After: map[string]any{"state": SheetDraft, "reopened": h.Reopened,
				"rater": h.RaterID, "cycle": c.Period}, Reason: reason})
	})
	return out, err
}

// Progress is how far the scoring of a cycle has come.
type Progress struct {
	Cycle     Cycle           `json:"cycle"`
	Total     int64           `json:"total"`
	Pending   int64           `json:"pending"`
	Draft     int64           `json:"draft"`
	Submitted int64           `json:"submitted"`
	Raters    []RaterProgress `json:"raters"`
}

// Progress counts a cycle's sheets by state and lists every rater with
// theirs, raters with sheets still to do first (marketing department).
func (s *Service) Progress(ctx context.Context, id int64) (Progress, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return Progress{}, err
	}
	c, err := s.Store.Cycle(ctx, p.Institution, id, false)
	if err != nil {
		return Progress{}, err
	}
	raters, err := s.Store.AssessProgress(ctx, p.Scope, c.AsOf, c.ID)
	if err != nil {
		return Progress{}, err
	}
	out := Progress{Cycle: c, Raters: raters}
	for _, r := range raters {
		out.Total += r.Total
		out.Pending += r.Pending
		out.Draft += r.Draft
		out.Submitted += r.Submitted
	}
	sortProgress(out.Raters)
	return out, nil
}

// Outstanding lists the sheets of one rater in a cycle that are not
// submitted — whom they have not yet rated — among the subjects in scope.
func (s *Service) Outstanding(ctx context.Context, cycleID, raterID int64) ([]Sheet, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return nil, err
	}
	c, err := s.Store.Cycle(ctx, p.Institution, cycleID, false)
	if err != nil {
		return nil, err
	}
	return s.Store.AssessSheets(ctx, SheetQuery{Institution: p.Institution, Cycle: c.ID, Rater: raterID, Scope: &p.Scope, AsOf: c.AsOf,
		States: []string{SheetPending, SheetDraft}, Limit: MaxSheets})
}

// SubjectSheets lists every sheet of one subject with each rater's
// points (marketing department only: the subject never sees them).
func (s *Service) SubjectSheets(ctx context.Context, cycleID int64, kind string, id int64) ([]Sheet, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return nil, err
	}
	c, err := s.Store.Cycle(ctx, p.Institution, cycleID, false)
	if err != nil {
		return nil, err
	}
	if ok, err := s.Store.AssessSubjectVisible(ctx, p.Scope, c.AsOf, c.ID, kind, id); err != nil {
		return nil, err
	} else if !ok {
		return nil, platform.ErrNotFound
	}
	return s.Store.AssessSheets(ctx, SheetQuery{Institution: p.Institution, Cycle: cycleID, SubjectKind: kind, SubjectID: id, Limit: MaxSheets})
}
