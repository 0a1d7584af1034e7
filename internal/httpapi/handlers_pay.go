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
