package httpapi

import (
	"net/http"

	"cmhub/internal/target"
)

func (a *API) targetTree(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := target.TreeQuery{Period: q.Get("period"), Metric: q.Get("metric")}
	var err error
	if in.RootUnitID, err = qInt64(r, "root"); err != nil {
		return err
	}
	if in.Depth, err = qInt(r, "depth"); err != nil {
		return err
	}
	v, err := a.Targets.Tree(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, v)
}

func (a *API) setTarget(w http.ResponseWriter, r *http.Request) error {
	var in target.SetInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := a.Targets.Set(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, res)
}

func (a *API) decomposeTarget(w http.ResponseWriter, r *http.Request) error {
	var in target.DecomposeInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := a.Targets.Decompose(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, res)
}

func (a *API) deleteTarget(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := target.DeleteInput{Period: q.Get("period"), Metric: q.Get("metric"), Reason: q.Get("reason")}
	var err error
	if in.UnitID, err = qInt64(r, "unitId"); err != nil {
		return err
	}
	if in.PersonID, err = qInt64(r, "personId"); err != nil {
		return err
	}
	if in.Version, err = qInt(r, "version"); err != nil {
		return err
	}
	if err := a.Targets.Delete(r.Context(), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) targetRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := a.Targets.Rules(r.Context())
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"items": rules})
}

func (a *API) setTargetRule(w http.ResponseWriter, r *http.Request) error {
	var in target.RuleInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rule, err := a.Targets.SetRule(r.Context(), r.PathValue("metric"), in)
	if err != nil {
		return err
	}
	return ok(w, rule)
}
