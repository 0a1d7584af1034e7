package httpapi

import (
	"net/http"

	"cmhub/internal/payroll"
)

func (a *API) payPlans(w http.ResponseWriter, r *http.Request) error {
	ps, err := a.Payroll.Plans(r.Context())
	if err != nil {
		return err
	}
	return ok(w, page[payroll.StoredPlan]{Items: ps, Total: len(ps), Page: 1, PageSize: max(len(ps), 1)})
}

func (a *API) savePayPlan(w http.ResponseWriter, r *http.Request) error {
	var in payroll.PlanInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	sp, err := a.Payroll.SavePlan(r.Context(), r.PathValue("key"), in)
	if err != nil {
		return err
	}
	return ok(w, sp)
}

func (a *API) payTrial(w http.ResponseWriter, r *http.Request) error {
	var in payroll.TrialInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.Payroll.Try(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, t)
}

func (a *API) payMonth(w http.ResponseWriter, r *http.Request) error {
	m, err := a.Payroll.GetMonth(r.Context(), r.PathValue("month"))
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *API) calculatePayMonth(w http.ResponseWriter, r *http.Request) error {
	j, err := a.Payroll.Calculate(r.Context(), r.PathValue("month"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

func (a *API) signPayMonth(w http.ResponseWriter, r *http.Request) error {
	var in payroll.SignInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.Payroll.Sign(r.Context(), r.PathValue("month"), in)
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *API) payStatements(w http.ResponseWriter, r *http.Request) error {
	pg, size, err := paging(r)
	if err != nil {
		return err
	}
	p, err := a.Payroll.Statements(r.Context(), r.PathValue("month"), pg, size)
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (a *API) payStatement(w http.ResponseWriter, r *http.Request) error {
	person, err := qInt64(r, "personId")
	if err != nil {
		return err
	}
	st, err := a.Payroll.Statement(r.Context(), r.PathValue("month"), person)
	if err != nil {
		return err
	}
	return ok(w, st)
}
