package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"cmhub/internal/stats"
	"cmhub/internal/xlsx"
)

// monthlyQuery reads the query of the monthly statistics and their export.
func monthlyQuery(r *http.Request) (stats.MonthlyQuery, error) {
	q := r.URL.Query()
	mq := stats.MonthlyQuery{Month: q.Get("month"), Level: q.Get("level")}
	var err error
	if mq.UnitID, err = qInt64(r, "unitId"); err != nil {
		return mq, err
	}
	for k := range strings.SplitSeq(q.Get("metrics"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			mq.Metrics = append(mq.Metrics, k)
		}
	}
	return mq, nil
}

func (a *API) monthlyStats(w http.ResponseWriter, r *http.Request) error {
	mq, err := monthlyQuery(r)
	if err != nil {
		return err
	}
	m, err := a.Stats.Monthly(r.Context(), mq)
	if err != nil {
		return err
	}
	return ok(w, m)
}

// exportMonthlyStats writes the monthly table as a workbook: name, path and
// employee number, then per metric its actual, target, completion and rank.
func (a *API) exportMonthlyStats(w http.ResponseWriter, r *http.Request) error {
	mq, err := monthlyQuery(r)
	if err != nil {
		return err
	}
	m, err := a.Stats.Export(r.Context(), mq)
	if err != nil {
		return err
	}
	cols := []xlsx.Column{{Key: "name", Header: "名称 Name"}, {Key: "path", Header: "所属 Path"}, {Key: "empNo", Header: "工号 Emp no"}}
	for _, mi := range m.Metrics {
		unit := unitLabel(mi.Unit)
		cols = append(cols,
			xlsx.Column{Key: mi.Key, Header: fmt.Sprintf("%s（%s）实际 %s actual", mi.NameZh, unit, mi.NameEn), Kind: xlsx.KindNumber},
			xlsx.Column{Key: mi.Key + ".target", Header: fmt.Sprintf("%s 目标 target", mi.NameZh), Kind: xlsx.KindNumber},
			xlsx.Column{Key: mi.Key + ".completion", Header: fmt.Sprintf("%s 完成率%% completion %%", mi.NameZh), Kind: xlsx.KindNumber},
			xlsx.Column{Key: mi.Key + ".rank", Header: fmt.Sprintf("%s 排名 rank", mi.NameZh), Kind: xlsx.KindNumber})
	}
	xw, err := xlsx.NewWriter(w, "业务统计 Statistics", cols)
	if err != nil {
		return err
	}
	vals := make([]any, 0, len(cols))
	for _, row := range m.Rows {
		vals = append(vals[:0], row.Name, row.Path, row.EmpNo)
		for _, mi := range m.Metrics {
			c := row.Values[mi.Key]
			var rank any
			if c.Rank != nil {
				rank = *c.Rank
			}
			vals = append(vals, decimalCell(c.Actual), decimalCell(c.Target), decimalCell(c.Completion), rank)
		}
		if err := xw.Write(vals...); err != nil {
			_ = xw.Close()
			return err
		}
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="stats-%s-%s.xlsx"`, m.Month, m.Level))
	return xw.Close()
}

// decimalCell writes an exact decimal as a number when Excel keeps it
// exactly (15 significant digits), otherwise as text; nil stays empty.
func decimalCell(s *string) any {
	if s == nil {
		return nil
	}
	if digits := strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(*s), "0"); len(digits) <= 15 {
		if f, err := strconv.ParseFloat(*s, 64); err == nil {
			return f
		}
	}
	return *s
}

func unitLabel(unit string) string {
	switch unit {
	case "yuan":
		return "元"
	case "lots":
		return "标准手"
	case "shares":
		return "份"
	case "percent":
		return "比率"
	}
	return "个"
}

func (a *API) statsTrend(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	tq := stats.TrendQuery{From: q.Get("from"), To: q.Get("to"), Level: q.Get("level"), Metric: strings.TrimSpace(q.Get("metric"))}
	var err error
	if tq.UnitID, err = qInt64(r, "unitId"); err != nil {
		return err
	}
	if tq.Limit, err = qInt(r, "limit"); err != nil {
		return err
	}
	t, err := a.Stats.Trend(r.Context(), tq)
	if err != nil {
		return err
	}
	return ok(w, t)
}
