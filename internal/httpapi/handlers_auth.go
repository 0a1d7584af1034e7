package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/auth"
)

type meResponse struct {
	User        meUser              `json:"user"`
	Permissions []access.Permission `json:"permissions"`
	Menus       []string            `json:"menus"`
	Scopes      []access.Grant      `json:"scopes"`
}

type meUser struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
	PersonID    int64  `json:"personId"`
}

// menus derives the sidebar from permissions: what a user may not open is not shown.
func menus(p *access.Principal) []string {
	out := []string{}
	for _, m := range []struct {
		name string
		perm access.Permission
	}{{"org", access.OrgRead}, {"people", access.PeopleRead}, {"customers", access.CustomerRead}, {"metrics", access.MetricRead}, {"targets", access.TargetRead},
		{"records", access.RecordRead}, {"stats", access.StatsRead}, {"assess", access.AssessRead}, {"attendance", access.AttendanceRead}, {"periods", access.PeriodRead}, {"audit", access.AuditRead}, {"users", access.UserManage}} {
		if p.Can(m.perm) {
			out = append(out, m.name)
		}
	}
	// Pay: its managers, and everyone with a person for their own statement.
	if p.Can(access.PayRead) || p.PersonID != 0 {
		out = append(out, "pay")
	}
	return out
}

func meOf(p *access.Principal) meResponse {
	perms := slices.Clone(p.Permissions)
	if perms == nil {
		perms = []access.Permission{}
	}
	grants := p.Grants
	if grants == nil {
		grants = []access.Grant{}
	}
	return meResponse{User: meUser{ID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, PersonID: p.PersonID},
		Permissions: perms, Menus: menus(p), Scopes: grants}
}

func (a *API) setSession(w http.ResponseWriter, token string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: !a.InsecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())})
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if in.Username == "" {
		return badRequest("username", "请输入用户名 required")
	}
	if in.Password == "" {
		return badRequest("password", "请输入密码 required")
	}
	token, p, err := a.Auth.Login(r.Context(), in.Username, in.Password, clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	a.setSession(w, token, a.Auth.Config.SessionTTL)
	return ok(w, meOf(p))
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	if err := a.Auth.Logout(r.Context()); err != nil {
		return err
	}
	a.setSession(w, "", -time.Second)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) logoutAll(w http.ResponseWriter, r *http.Request) error {
	if err := a.Auth.LogoutEverywhere(r.Context()); err != nil {
		return err
	}
	a.setSession(w, "", -time.Second)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	return ok(w, meOf(access.FromContext(r.Context())))
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OldPassword string `json:"oldPassword"`
		NewPassword string `json:"newPassword"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.Auth.ChangePassword(r.Context(), in.OldPassword, in.NewPassword); err != nil {
		return err
	}
	a.setSession(w, "", -time.Second)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.Auth.ListTokens(r.Context())
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"items": ts})
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	var in auth.NewTokenInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, raw, err := a.Auth.CreateToken(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "name": t.Name, "token": raw, "expiresAt": t.ExpiresAt})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.Auth.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) dicts(w http.ResponseWriter, r *http.Request) error {
	d, err := a.Dicts.DictItems(r.Context(), access.FromContext(r.Context()).Institution)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (a *API) listRoles(w http.ResponseWriter, r *http.Request) error {
	roles, err := a.Auth.Roles(r.Context())
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"items": roles})
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	pg, size, err := paging(r)
	if err != nil {
		return err
	}
	users, total, err := a.Auth.ListUsers(r.Context(), pg, size)
	if err != nil {
		return err
	}
	return ok(w, page[auth.User]{Items: users, Total: total, Page: pg, PageSize: size})
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	var in auth.NewUser
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := a.Auth.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in auth.UserPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := a.Auth.UpdateUser(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, u)
}
