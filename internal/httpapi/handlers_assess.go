package httpapi

import (
	"bytes"
	"fmt"
	"net/http"

	"cmhub/internal/assess"
	"cmhub/internal/assessform"
	"cmhub/internal/cycle"
	"cmhub/internal/platform"
	"cmhub/internal/xlsx"
)

func (a *API) assessRules(w http.ResponseWriter, r *http.Request) error {
	rs, err := a.Cycles.Rules(r.Context())
	if err != nil {
		return err
	}
	return ok(w, rs)
}

type templateInput struct {
	Template assess.Template `json:"template"`
	Note     string          `json:"note"`
}

func (a *API) saveAssessTemplate(w http.ResponseWriter, r *http.Request) error {
	var in templateInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Template.Key != r.PathValue("key") {
		return badRequest("template.key", "模板代码须与地址一致 the template key must match the path")
	}
	rs, err := a.Cycles.SaveTemplate(r.Context(), in.Template, in.Note)
	if err != nil {
		return err
	}
	return ok(w, rs)
}

func (a *API) listCycles(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.Cycles.Cycles(r.Context())
	if err != nil {
		return err
	}
	return ok(w, page[cycle.Cycle]{Items: cs, Total: len(cs), Page: 1, PageSize: len(cs)})
}

func (a *API) openCycle(w http.ResponseWriter, r *http.Request) error {
	var in cycle.OpenInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.Cycles.Open(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) getCycle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.Cycles.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, c)
}

func (a *API) transitionCycle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cycle.TransitionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.Cycles.Transition(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, c)
}

func (a *API) computeCycle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.Cycles.Compute(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, c)
}

func (a *API) cycleProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := a.Cycles.Progress(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (a *API) cycleOutstanding(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rater, err := pathID(r, "rater")
	if err != nil {
		return err
	}
	ss, err := a.Cycles.Outstanding(r.Context(), id, rater)
	if err != nil {
		return err
	}
	return ok(w, page[cycle.Sheet]{Items: ss, Total: len(ss), Page: 1, PageSize: len(ss)})
}

func (a *API) cycleResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pg, size, err := paging(r)
	if err != nil {
		return err
	}
	res, err := a.Cycles.Results(r.Context(), id, r.URL.Query().Get("scheme"), size, (pg-1)*size)
	if err != nil {
		return err
	}
	return ok(w, res)
}

// subjectPath reads {kind}/{subject} of a result or sheets path.
func subjectPath(r *http.Request) (string, int64, error) {
	kind := r.PathValue("kind")
	if kind != cycle.KindPerson && kind != cycle.KindTeam {
		return "", 0, platform.ErrNotFound
	}
	id, err := pathID(r, "subject")
	return kind, id, err
}

func (a *API) cycleResult(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	kind, subject, err := subjectPath(r)
	if err != nil {
		return err
	}
	res, err := a.Cycles.Result(r.Context(), id, kind, subject)
	if err != nil {
		return err
	}
	return ok(w, res)
}

func (a *API) subjectSheets(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	kind, subject, err := subjectPath(r)
	if err != nil {
		return err
	}
	ss, err := a.Cycles.SubjectSheets(r.Context(), id, kind, subject)
	if err != nil {
		return err
	}
	return ok(w, page[cycle.Sheet]{Items: ss, Total: len(ss), Page: 1, PageSize: len(ss)})
}

func (a *API) mySheets(w http.ResponseWriter, r *http.Request) error {
	id, err := qInt64(r, "cycle")
	if err != nil {
		return err
	}
	ms, err := a.Cycles.Mine(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"items": ms})
}

func (a *API) saveSheet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cycle.SaveInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	s, err := a.Cycles.Save(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, s)
}

func (a *API) reopenSheet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cycle.ReopenInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	s, err := a.Cycles.Reopen(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, s)
}

func exportQuery(r *http.Request) (int64, int64, string, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, 0, "", err
	}
	unit, err := qInt64(r, "unitId")
	return id, unit, r.URL.Query().Get("scheme"), err
}

// cycleForms writes the paper forms (附件一, 附件二, the team form).
func (a *API) cycleForms(w http.ResponseWriter, r *http.Request) error {
	id, unit, scheme, err := exportQuery(r)
	if err != nil {
		return err
	}
	forms, err := a.Cycles.Forms(r.Context(), id, unit, scheme)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := assessform.Write(&buf, forms); err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="assessment-forms-%d.xlsx"`, id))
	_, err = w.Write(buf.Bytes())
	return err
}

// exportResults writes the results list.
func (a *API) exportResults(w http.ResponseWriter, r *http.Request) error {
	id, unit, scheme, err := exportQuery(r)
	if err != nil {
		return err
	}
	c, rows, err := a.Cycles.ExportRows(r.Context(), id, unit, scheme)
	if err != nil {
		return err
	}
	cols := []xlsx.Column{{Key: "rank", Header: "全营业部排名 Branch rank", Kind: xlsx.KindNumber}, {Key: "name", Header: "考核对象 Subject"},
		{Key: "empNo", Header: "工号 Emp no"}, {Key: "position", Header: "岗位 Position"}, {Key: "scheme", Header: "考核方案 Scheme"},
		{Key: "composite", Header: "综合得分 Composite", Kind: xlsx.KindNumber}, {Key: "rankTeam", Header: "团队排名 Team rank", Kind: xlsx.KindNumber},
		{Key: "rankRegion", Header: "区域排名 Region rank", Kind: xlsx.KindNumber}, {Key: "note", Header: "说明 Note"}}
	xw, err := xlsx.NewWriter(w, "考核结果 Results", cols)
	if err != nil {
		return err
	}
	for _, row := range rows {
		var comp any
		note := ""
		if row.Composite != nil {
			comp = decimalCell(ptr(row.Composite.String()))
		} else {
			note = "暂缓 held"
		}
		if err := xw.Write(intPtrCell(row.RankBranch), row.Name, row.EmpNo, row.Position, row.Scheme, comp,
			intPtrCell(row.RankTeam), intPtrCell(row.RankRegion), note); err != nil {
			_ = xw.Close()
			return err
		}
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="assessment-%s.xlsx"`, c.Period))
	return xw.Close()
}

func ptr[T any](v T) *T { return &v }

func intPtrCell(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func (a *API) listOutcomes(w http.ResponseWriter, r *http.Request) error {
	cycleID, err := qInt64(r, "cycle")
	if err != nil {
		return err
	}
	reviewID, err := qInt64(r, "review")
	if err != nil {
		return err
	}
	pg, size, err := paging(r)
	if err != nil {
		return err
	}
	os, err := a.Cycles.OutcomeList(r.Context(), cycle.OutcomeFilter{Cycle: cycleID, Review: reviewID, State: r.URL.Query().Get("state"), Page: pg, PageSize: size})
	if err != nil {
		return err
	}
	return ok(w, page[cycle.Outcome]{Items: os.Items, Total: os.Total, Page: pg, PageSize: size})
}

func (a *API) decideOutcome(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cycle.DecideInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	o, err := a.Cycles.Decide(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, o)
}

func (a *API) saveConsequences(w http.ResponseWriter, r *http.Request) error {
	var in cycle.ConsequencesInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rs, err := a.Cycles.SaveConsequences(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, rs)
}

func (a *API) listTaskReviews(w http.ResponseWriter, r *http.Request) error {
	rs, err := a.Cycles.TaskReviewList(r.Context())
	if err != nil {
		return err
	}
	return ok(w, page[cycle.TaskReview]{Items: rs, Total: len(rs), Page: 1, PageSize: max(len(rs), 1)})
}

func (a *API) runTaskReview(w http.ResponseWriter, r *http.Request) error {
	var in cycle.TaskReviewInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rv, err := a.Cycles.ReviewTasks(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, rv)
}

func (a *API) listExams(w http.ResponseWriter, r *http.Request) error {
	es, err := a.Cycles.ExamList(r.Context(), r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	return ok(w, page[cycle.ExamScore]{Items: es, Total: len(es), Page: 1, PageSize: max(len(es), 1)})
}

func (a *API) saveExams(w http.ResponseWriter, r *http.Request) error {
	var in cycle.ExamInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	es, err := a.Cycles.SaveExams(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, page[cycle.ExamScore]{Items: es, Total: len(es), Page: 1, PageSize: max(len(es), 1)})
}
