package httpapi

import (
	"net/http"

	"cmhub/internal/metric"
)

func (a *API) listMetrics(w http.ResponseWriter, r *http.Request) error {
	items, err := a.Catalogue.List(r.Context(), r.URL.Query().Get("active") == "true")
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"items": items, "units": metric.Units(), "aggregations": metric.Aggregations()})
}

func (a *API) getMetric(w http.ResponseWriter, r *http.Request) error {
	m, err := a.Catalogue.Get(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *API) createMetric(w http.ResponseWriter, r *http.Request) error {
	var in metric.Input
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.Catalogue.Create(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (a *API) updateMetric(w http.ResponseWriter, r *http.Request) error {
	var in metric.Input
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.Catalogue.Update(r.Context(), r.PathValue("key"), in)
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *API) deactivateMetric(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.Catalogue.Deactivate(r.Context(), r.PathValue("key"), in.Reason)
	if err != nil {
		return err
	}
	return ok(w, m)
}
