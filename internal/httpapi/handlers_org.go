package httpapi

import (
	"net/http"

	"cmhub/internal/org"
	"cmhub/internal/platform"
)

func (a *API) asOf(r *http.Request) (platform.Date, error) {
	d, err := qDate(r, "asOf")
	if err != nil || !d.IsZero() {
		return d, err
	}
	return platform.DateOf(a.Clock.Now()), nil
}

func (a *API) listUnits(w http.ResponseWriter, r *http.Request) error {
	asOf, err := a.asOf(r)
	if err != nil {
		return err
	}
	units, err := a.Org.List(r.Context(), asOf)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"asOf": asOf, "items": units})
}

func (a *API) getUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	asOf, err := a.asOf(r)
	if err != nil {
		return err
	}
	d, err := a.Org.Get(r.Context(), id, asOf)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (a *API) createUnit(w http.ResponseWriter, r *http.Request) error {
	var in org.NewUnit
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := a.Org.Create(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) renameUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Name   *string `json:"name"`
		NameEn *string `json:"nameEn"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := a.Org.Rename(r.Context(), id, in.Name, in.NameEn)
	if err != nil {
		return err
	}
	return ok(w, u)
}

func (a *API) moveUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ParentID      int64         `json:"parentId"`
		EffectiveFrom platform.Date `json:"effectiveFrom"`
		Reason        string        `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := a.Org.Move(r.Context(), id, in.ParentID, in.EffectiveFrom, in.Reason)
	if err != nil {
		return err
	}
	return ok(w, u)
}

func (a *API) stationManager(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		PersonID      int64         `json:"personId"`
		EffectiveFrom platform.Date `json:"effectiveFrom"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.Org.Station(r.Context(), id, in.PersonID, in.EffectiveFrom, a.Persons); err != nil {
		return err
	}
	d, err := a.Org.Get(r.Context(), id, platform.DateOf(a.Clock.Now()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}
