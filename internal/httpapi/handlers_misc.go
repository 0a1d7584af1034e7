package httpapi

import (
	_ "embed"
	"net/http"
	"strconv"

	"cmhub/internal/audit"
)

func (a *API) listPeriods(w http.ResponseWriter, r *http.Request) error {
	year := a.Clock.Now().Year()
	if s := r.URL.Query().Get("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil || y < 1900 || y > 9998 {
			return badRequest("year", "须为四位年份 must be a year")
		}
		year = y
	}
	items, err := a.Periods.List(r.Context(), year, r.URL.Query().Get("kind"))
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"items": items})
}

func (a *API) closePeriod(w http.ResponseWriter, r *http.Request) error {
	st, err := a.Periods.Close(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	return ok(w, st)
}

func (a *API) reopenPeriod(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	st, err := a.Periods.Reopen(r.Context(), r.PathValue("key"), in.Reason)
	if err != nil {
		return err
	}
	return ok(w, st)
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := audit.Filter{ObjectType: q.Get("objectType"), ObjectID: q.Get("objectId"), Actor: q.Get("actor")}
	var err error
	if f.From, err = qDate(r, "from"); err != nil {
		return err
	}
	if f.To, err = qDate(r, "to"); err != nil {
		return err
	}
	if f.Page, f.PageSize, err = paging(r); err != nil {
		return err
	}
	items, total, err := a.Audit.List(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, page[audit.Entry]{Items: items, Total: total, Page: f.Page, PageSize: f.PageSize})
}

//go:embed openapi.json
var openAPIDoc []byte

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDoc)
	return err
}
