package auth

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// NewTokenInput is the input to CreateToken.
type NewTokenInput struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expiresInDays"`
}

// CreateToken issues an API token for the signed-in user; the token text
// is returned once and only its HMAC is kept.
func (s *Service) CreateToken(ctx context.Context, in NewTokenInput) (Token, string, error) {
	p := access.FromContext(ctx)
	f := platform.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		f.Add("name", "名称必填，最多 100 个字符 required, at most 100 characters")
	}
	if in.ExpiresInDays == 0 {
		in.ExpiresInDays = 90
	}
	if in.ExpiresInDays < 1 || in.ExpiresInDays > 366 {
		f.Add("expiresInDays", "有效期 1–366 天 must be 1–366 days")
	}
	if err := f.Err(); err != nil {
		return Token{}, "", err
	}
	raw, err := newToken("cmh_")
	if err != nil {
		return Token{}, "", err
	}
	now := s.Clock.Now()
	t := Token{UserID: p.UserID, Name: in.Name, TokenHash: s.hash(raw), CreatedAt: platform.TS(now),
		ExpiresAt: platform.TS(now.Add(time.Duration(in.ExpiresInDays) * 24 * time.Hour))}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateToken(ctx, &t); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "token.create", ObjectType: "token", ObjectID: fmt.Sprint(t.ID), UnitID: p.UnitID,
			After: map[string]any{"name": t.Name, "expiresAt": t.ExpiresAt}})
	})
	return t, raw, err
}

// ListTokens lists the signed-in user's tokens.
func (s *Service) ListTokens(ctx context.Context) ([]Token, error) {
	return s.Store.ListTokens(ctx, access.FromContext(ctx).UserID)
}

// RevokeToken revokes one of the signed-in user's tokens.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	p := access.FromContext(ctx)
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.RevokeToken(ctx, p.UserID, id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "token.revoke", ObjectType: "token", ObjectID: fmt.Sprint(id), UnitID: p.UnitID})
	})
}

// Roles lists the institution's roles.
func (s *Service) Roles(ctx context.Context) ([]Role, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.UserManage) {
		return nil, platform.ErrForbidden
	}
	return s.Store.Roles(ctx, p.Institution)
}

// ListUsers lists the users whose person is in the viewer's scope (users
// with no person, such as administrators, only for institution scope).
func (s *Service) ListUsers(ctx context.Context, page, pageSize int) ([]User, int, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.UserManage) {
		return nil, 0, platform.ErrForbidden
	}
	if page < 1 {
		page = 1
	}
	if pageSize < 1 || pageSize > 500 {
		return nil, 0, platform.Invalid("pageSize", "每页 1–500 条 must be 1–500")
	}
	return s.Store.ListUsers(ctx, p.Scope, page, pageSize)
}

// NewUser is the input to CreateUser.
type NewUser struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"displayName"`
	Password    string   `json:"password"`
	PersonID    int64    `json:"personId"`
	Roles       []string `json:"roles"`
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// CreateUser adds a user linked to a person in scope. A principal may
// grant only roles whose permissions it holds itself, so nobody can
// create a user more powerful than themselves.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (User, error) {
	return s.createUser(ctx, n, false)
}

// CreateDemoUser is CreateUser for the demo loader: the password is marked
// as a default, so a server outside demo mode refuses to start with it.
func (s *Service) CreateDemoUser(ctx context.Context, n NewUser) (User, error) {
	return s.createUser(ctx, n, true)
}

func (s *Service) createUser(ctx context.Context, n NewUser, demo bool) (User, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.UserManage) {
		return User{}, platform.ErrForbidden
	}
	f := platform.Fields{}
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	if !usernameRe.MatchString(n.Username) {
		f.Add("username", "用户名 2–32 位小写字母、数字、. _ - username: 2–32 lowercase letters, digits, . _ -")
	}
	if !demo {
		if err := CheckNewPassword(n.Password); err != nil {
			f.Add("password", err.Error())
		}
	}
	if len(n.Roles) == 0 {
		f.Add("roles", "至少一个角色 at least one role")
	}
	roles, err := s.Store.Roles(ctx, p.Institution)
	if err != nil {
		return User{}, err
	}
	for _, code := range n.Roles {
		r := findRole(roles, code)
		if r == nil {
			f.Add("roles", "未知角色 unknown role "+code)
			continue
		}
		if !p.Scope.All && r.DataScope == access.LevelInstitution {
			f.Add("roles", "不能授予比自己更大的数据范围 cannot grant a wider data scope than your own: "+code)
		}
		for _, perm := range r.Permissions {
			if !p.Can(perm) {
				f.Add("roles", "不能授予自己没有的权限 cannot grant a permission you do not hold: "+string(perm))
			}
		}
	}
	unitID := int64(0)
	if n.PersonID != 0 {
		if unitID, err = s.Store.PersonInScope(ctx, p.Scope, n.PersonID); err != nil {
			f.Add("personId", "人员不存在或不在您的管辖范围 person not found or outside your scope")
		}
	} else if !p.Scope.All {
		f.Add("personId", "必须关联人员 a person is required")
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	h, err := HashPassword(n.Password, s.Config.Argon2)
	if err != nil {
		return User{}, err
	}
	u := User{Institution: p.Institution, Username: n.Username, DisplayName: strings.TrimSpace(n.DisplayName), PasswordHash: h,
		PersonID: n.PersonID, DefaultPassword: demo, Roles: n.Roles}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateUser(ctx, &u, n.Roles); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "user.create", ObjectType: "user", ObjectID: fmt.Sprint(u.ID), UnitID: unitID,
			After: map[string]any{"username": u.Username, "personId": u.PersonID, "roles": n.Roles}})
	})
	if err != nil {
		return User{}, err
	}
	return s.Store.UserByID(ctx, u.ID)
}

func findRole(roles []Role, code string) *Role {
	for i := range roles {
		if roles[i].Code == code {
			return &roles[i]
		}
	}
	return nil
}

// UserPatch changes a user's roles, disabled flag or password.
type UserPatch struct {
	Roles    []string `json:"roles"`
	Disabled *bool    `json:"disabled"`
	Password *string  `json:"password"`
}

// UpdateUser applies a patch to a user in scope.
func (s *Service) UpdateUser(ctx context.Context, id int64, pt UserPatch) (User, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.UserManage) {
		return User{}, platform.ErrForbidden
	}
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		return User{}, err
	}
	unitID := int64(0)
	if u.PersonID != 0 {
		if unitID, err = s.Store.PersonInScope(ctx, p.Scope, u.PersonID); err != nil {
			return User{}, platform.ErrNotFound
		}
	} else if !p.Scope.All {
		return User{}, platform.ErrNotFound
	}
	if u.Institution != p.Institution {
		return User{}, platform.ErrNotFound
	}
	f := platform.Fields{}
	var hash string
	if pt.Password != nil {
		if err := CheckNewPassword(*pt.Password); err != nil {
			f.Add("password", err.Error())
		} else if hash, err = HashPassword(*pt.Password, s.Config.Argon2); err != nil {
			return User{}, err
		}
	}
	if pt.Roles != nil {
		roles, err := s.Store.Roles(ctx, p.Institution)
		if err != nil {
			return User{}, err
		}
		for _, code := range pt.Roles {
			r := findRole(roles, code)
			if r == nil {
				f.Add("roles", "未知角色 unknown role "+code)
				continue
			}
			for _, perm := range r.Permissions {
				if !p.Can(perm) {
					f.Add("roles", "不能授予自己没有的权限 cannot grant a permission you do not hold: "+string(perm))
				}
			}
		}
	}
	if pt.Disabled != nil && *pt.Disabled && id == p.UserID {
		f.Add("disabled", "不能停用自己 you cannot disable yourself")
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	if u.Roles == nil {
		u.Roles = []string{}
	}
	before := u
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if pt.Roles != nil {
			if err := s.Store.SetUserRoles(ctx, id, pt.Roles); err != nil {
				return err
			}
			u.Roles = pt.Roles
		}
		if pt.Disabled != nil {
			if err := s.Store.SetUserDisabled(ctx, id, *pt.Disabled); err != nil {
				return err
			}
			u.Disabled = *pt.Disabled
		}
		if hash != "" {
			if err := s.Store.SetPassword(ctx, id, hash, false); err != nil {
				return err
			}
		}
		if pt.Password != nil || (pt.Disabled != nil && *pt.Disabled) {
			if err := s.Store.DeleteUserSessions(ctx, id); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, audit.Change{Action: "user.update", ObjectType: "user", ObjectID: fmt.Sprint(id), UnitID: unitID,
			Before: map[string]any{"roles": before.Roles, "disabled": before.Disabled},
			After:  map[string]any{"roles": u.Roles, "disabled": u.Disabled, "passwordChanged": pt.Password != nil}})
	})
	return u, err
}
