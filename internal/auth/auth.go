// Package auth signs people in and out, keeps server-side sessions and
// API tokens, resolves a user's permissions and data scope from their
// roles, and manages users.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

// User is a sign-in account, optionally linked to a person.
type User struct {
	ID              int64               `json:"id"`
	Institution     int64               `json:"-"`
	Username        string              `json:"username"`
	DisplayName     string              `json:"displayName"`
	PasswordHash    string              `json:"-"`
	PersonID        int64               `json:"personId"`
	EmpNo           string              `json:"empNo"`
	Disabled        bool                `json:"disabled"`
	DefaultPassword bool                `json:"-"`
	FailedLogins    int                 `json:"-"`
	LockedUntil     *platform.Timestamp `json:"lockedUntil"`
	Roles           []string            `json:"roles"`
}

// Role is a named set of permissions with a data-scope level.
type Role struct {
	ID          int64               `json:"id"`
	Code        string              `json:"code"`
	Name        string              `json:"name"`
	NameEn      string              `json:"nameEn"`
	DataScope   access.Level        `json:"dataScope"`
	Permissions []access.Permission `json:"permissions"`
}

// Session is a server-side session; only the HMAC of its token is stored.
type Session struct {
	TokenHash  string
	UserID     int64
	CreatedAt  platform.Timestamp
	ExpiresAt  platform.Timestamp
	LastSeenAt platform.Timestamp
	IP         string
	UserAgent  string
}

// Token is an API token for integrations.
type Token struct {
	ID         int64               `json:"id"`
	UserID     int64               `json:"-"`
	Name       string              `json:"name"`
	TokenHash  string              `json:"-"`
	CreatedAt  platform.Timestamp  `json:"createdAt"`
	ExpiresAt  platform.Timestamp  `json:"expiresAt"`
	LastUsedAt *platform.Timestamp `json:"lastUsedAt"`
}

// Store is the persistence this package needs.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	UserByUsername(ctx context.Context, username string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	UserRoles(ctx context.Context, userID int64) ([]Role, error)
	SetLoginFailures(ctx context.Context, userID int64, failures int, lockedUntil *platform.Timestamp) error
	CreateSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, hash string) (Session, error)
	TouchSession(ctx context.Context, hash string, at platform.Timestamp) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (Token, error)
	TouchToken(ctx context.Context, id int64, at platform.Timestamp) error
	ListTokens(ctx context.Context, userID int64) ([]Token, error)
	RevokeToken(ctx context.Context, userID, id int64) error
	RevokeUserTokens(ctx context.Context, userID int64) error
	PersonUnit(ctx context.Context, personID int64, on platform.Date) (int64, error)
	// UnitChain is the given units and their ancestors as of a date.
	UnitChain(ctx context.Context, institution int64, asOf platform.Date, ids ...int64) ([]org.Unit, error)
	Roles(ctx context.Context, institution int64) ([]Role, error)
	ListUsers(ctx context.Context, scope access.Scope, page, pageSize int) ([]User, int, error)
	CreateUser(ctx context.Context, u *User, roleCodes []string) error
	SetUserRoles(ctx context.Context, userID int64, roleCodes []string) error
	SetUserDisabled(ctx context.Context, userID int64, disabled bool) error
	SetPassword(ctx context.Context, userID int64, hash string, isDefault bool) error
	PersonInScope(ctx context.Context, scope access.Scope, personID int64) (unitID int64, err error)
}

// Config holds the security settings.
type Config struct {
	Secret        []byte        // HMAC key for session and token hashes; never a default
	SessionTTL    time.Duration // absolute lifetime of a session
	IdleTimeout   time.Duration // a session unused this long ends
	MaxFailures   int           // consecutive failed logins before the account locks
	LockFor       time.Duration
	Argon2        Argon2Params
	PerIPPerMin   int // login attempts per client address per minute
	PerUserPerMin int
}

// Defaults fills unset fields with production values.
func (c *Config) Defaults() {
	if c.SessionTTL == 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 2 * time.Hour
	}
	if c.MaxFailures == 0 {
		c.MaxFailures = 5
	}
	if c.LockFor == 0 {
		c.LockFor = 15 * time.Minute
	}
	if c.Argon2 == (Argon2Params{}) {
		c.Argon2 = DefaultArgon2
	}
	if c.PerIPPerMin == 0 {
		c.PerIPPerMin = 20
	}
	if c.PerUserPerMin == 0 {
		c.PerUserPerMin = 10
	}
}

// Service is the sign-in and user-management use cases.
type Service struct {
	Store   Store
	Audit   audit.Log
	Clock   platform.Clock
	Config  Config
	limiter *limiter
	once    sync.Once
}

// Errors of signing in.
var (
	ErrInvalidCredentials = errors.New("用户名或密码错误 wrong username or password")
	ErrLocked             = errors.New("登录失败次数过多，账户已暂时锁定 too many failed sign-ins; the account is locked for a while")
	ErrRateLimited        = errors.New("尝试过于频繁，请稍后再试 too many attempts; try again later")
)

func (s *Service) lim() *limiter {
	s.once.Do(func() { s.limiter = newLimiter() })
	return s.limiter
}

func (s *Service) hash(token string) string {
	m := hmac.New(sha256.New, s.Config.Secret)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

func newToken(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Login checks the password and opens a session. It returns the session
// token for the cookie.
func (s *Service) Login(ctx context.Context, username, password, ip, ua string) (string, *access.Principal, error) {
	now := s.Clock.Now()
	if !s.lim().allow("ip:"+ip, s.Config.PerIPPerMin, now) || !s.lim().allow("user:"+username, s.Config.PerUserPerMin, now) {
		return "", nil, ErrRateLimited
	}
	u, err := s.Store.UserByUsername(ctx, username)
	if errors.Is(err, platform.ErrNotFound) {
		// Spend the same time as a real check so timing does not reveal which usernames exist.
		_, _ = CheckPassword(password, dummyHash)
		return "", nil, ErrInvalidCredentials
	}
	if err != nil {
		return "", nil, fmt.Errorf("login: %w", err)
	}
	if u.LockedUntil != nil && u.LockedUntil.After(now) {
		return "", nil, ErrLocked
	}
	ok, err := CheckPassword(password, u.PasswordHash)
	if err != nil {
		return "", nil, fmt.Errorf("login %s: %w", username, err)
	}
	if !ok || u.Disabled {
		failures := u.FailedLogins + 1
		var until *platform.Timestamp
		if failures >= s.Config.MaxFailures {
			t := platform.TS(now.Add(s.Config.LockFor))
			until, failures = &t, 0
		}
		err := s.Store.WithTx(ctx, func(ctx context.Context) error {
			return s.Store.SetLoginFailures(ctx, u.ID, failures, until)
		})
		if err != nil {
			return "", nil, fmt.Errorf("record failure: %w", err)
		}
		if until != nil {
			return "", nil, ErrLocked
		}
		return "", nil, ErrInvalidCredentials
	}
	token, err := newToken("")
	if err != nil {
		return "", nil, err
	}
	sess := Session{TokenHash: s.hash(token), UserID: u.ID, CreatedAt: platform.TS(now), ExpiresAt: platform.TS(now.Add(s.Config.SessionTTL)),
		LastSeenAt: platform.TS(now), IP: ip, UserAgent: truncate(ua, 200)}
	p, err := s.principal(ctx, u)
	if err != nil {
		return "", nil, err
	}
	p.SessionID = sess.TokenHash
	err = s.Store.WithTx(access.WithPrincipal(ctx, p), func(ctx context.Context) error {
		if err := s.Store.SetLoginFailures(ctx, u.ID, 0, nil); err != nil {
			return err
		}
		if err := s.Store.CreateSession(ctx, sess); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "user.login", ObjectType: "user", ObjectID: fmt.Sprint(u.ID), UnitID: p.UnitID,
			After: map[string]any{"ip": ip}})
	})
	if err != nil {
		return "", nil, fmt.Errorf("open session: %w", err)
	}
	return token, p, nil
}

// dummyHash is checked against for unknown usernames (a hash of a random password).
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2a0Rj8vU5Aq3w3Hh0m1o6oQZ3o2G3Q1o2w1q3e4r5t0"

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Authenticate resolves a session cookie value to its principal.
func (s *Service) Authenticate(ctx context.Context, token string) (*access.Principal, error) {
	if token == "" {
		return nil, platform.ErrUnauthorized
	}
	h := s.hash(token)
	sess, err := s.Store.SessionByHash(ctx, h)
	if errors.Is(err, platform.ErrNotFound) {
		return nil, platform.ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	now := s.Clock.Now()
	if now.After(sess.ExpiresAt.Time) || now.Sub(sess.LastSeenAt.Time) > s.Config.IdleTimeout {
		_ = s.Store.WithTx(ctx, func(ctx context.Context) error { return s.Store.DeleteSession(ctx, h) })
		return nil, platform.ErrUnauthorized
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err != nil || u.Disabled {
		return nil, platform.ErrUnauthorized
	}
	if now.Sub(sess.LastSeenAt.Time) > time.Minute { // keep writes rare
		if err := s.Store.WithTx(ctx, func(ctx context.Context) error { return s.Store.TouchSession(ctx, h, platform.TS(now)) }); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	p, err := s.principal(ctx, u)
	if err != nil {
		return nil, err
	}
	p.SessionID = h
	return p, nil
}

// AuthenticateToken resolves an API bearer token to its principal.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (*access.Principal, error) {
	t, err := s.Store.TokenByHash(ctx, s.hash(token))
	if errors.Is(err, platform.ErrNotFound) {
		return nil, platform.ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	now := s.Clock.Now()
	if now.After(t.ExpiresAt.Time) {
		return nil, platform.ErrUnauthorized
	}
	u, err := s.Store.UserByID(ctx, t.UserID)
	if err != nil || u.Disabled {
		return nil, platform.ErrUnauthorized
	}
	if t.LastUsedAt == nil || now.Sub(t.LastUsedAt.Time) > time.Minute {
		if err := s.Store.WithTx(ctx, func(ctx context.Context) error { return s.Store.TouchToken(ctx, t.ID, platform.TS(now)) }); err != nil {
			return nil, fmt.Errorf("touch token: %w", err)
		}
	}
	p, err := s.principal(ctx, u)
	if err != nil {
		return nil, err
	}
	p.TokenID = t.ID
	return p, nil
}

// levelKind maps a data-scope level to the unit kind it is anchored at.
var levelKind = map[access.Level]org.Kind{
	access.LevelGroup: org.Group, access.LevelTeam: org.Team, access.LevelRegion: org.Region, access.LevelBranch: org.Branch,
}

// principal resolves a user's permissions (union over roles) and scope
// (union of the units each role's level reaches from the person's unit,
// plus the person themself).
func (s *Service) principal(ctx context.Context, u User) (*access.Principal, error) {
	roles, err := s.Store.UserRoles(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	p := &access.Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, PersonID: u.PersonID, Institution: u.Institution}
	p.Scope = access.Scope{Institution: u.Institution, Self: u.PersonID}
	today := platform.DateOf(s.Clock.Now())
	var tree *org.Tree
	if u.PersonID != 0 {
		if p.UnitID, err = s.Store.PersonUnit(ctx, u.PersonID, today); err != nil && !errors.Is(err, platform.ErrNotFound) {
			return nil, fmt.Errorf("person unit: %w", err)
		}
	}
	for _, r := range roles {
		for _, perm := range r.Permissions {
			if !slices.Contains(p.Permissions, perm) {
				p.Permissions = append(p.Permissions, perm)
			}
		}
		switch r.DataScope {
		case access.LevelInstitution:
			p.Scope.All = true
			p.Grants = append(p.Grants, access.Grant{Level: r.DataScope})
		case access.LevelSelf:
			if u.PersonID != 0 {
				p.Grants = append(p.Grants, access.Grant{Level: r.DataScope})
			}
		default:
			if p.UnitID == 0 {
				continue
			}
			if tree == nil {
				// Only the chain above the person's unit decides the anchors:
				// a handful of rows on every request, not the whole tree.
				chain, err := s.Store.UnitChain(ctx, u.Institution, today, p.UnitID)
				if err != nil {
					return nil, fmt.Errorf("unit chain: %w", err)
				}
				tree = org.NewTree(chain)
			}
			if id := tree.NearestOfKind(p.UnitID, levelKind[r.DataScope]); id != 0 {
				if !slices.Contains(p.Scope.Units, id) {
					p.Scope.Units = append(p.Scope.Units, id)
					p.Grants = append(p.Grants, access.Grant{Level: r.DataScope, UnitID: id, UnitName: tree.Get(id).Name})
				}
			}
		}
	}
	slices.Sort(p.Permissions)
	return p, nil
}

// Logout ends the current session.
func (s *Service) Logout(ctx context.Context) error {
	p := access.FromContext(ctx)
	if p == nil || p.SessionID == "" {
		return nil
	}
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.DeleteSession(ctx, p.SessionID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "user.logout", ObjectType: "user", ObjectID: fmt.Sprint(p.UserID), UnitID: p.UnitID})
	})
}

// LogoutEverywhere ends every session and revokes every API token of the user.
func (s *Service) LogoutEverywhere(ctx context.Context) error {
	p := access.FromContext(ctx)
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.DeleteUserSessions(ctx, p.UserID); err != nil {
			return err
		}
		if err := s.Store.RevokeUserTokens(ctx, p.UserID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "user.logout_all", ObjectType: "user", ObjectID: fmt.Sprint(p.UserID), UnitID: p.UnitID})
	})
}

// ChangePassword changes the signed-in user's password and ends their other sessions.
func (s *Service) ChangePassword(ctx context.Context, oldPw, newPw string) error {
	p := access.FromContext(ctx)
	u, err := s.Store.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if ok, _ := CheckPassword(oldPw, u.PasswordHash); !ok {
		return platform.Invalid("oldPassword", "原密码不正确 the current password is wrong")
	}
	if err := CheckNewPassword(newPw); err != nil {
		return platform.Invalid("newPassword", err.Error())
	}
	h, err := HashPassword(newPw, s.Config.Argon2)
	if err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.SetPassword(ctx, u.ID, h, false); err != nil {
			return err
		}
		if err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "user.password", ObjectType: "user", ObjectID: fmt.Sprint(u.ID), UnitID: p.UnitID})
	})
}

// limiter is a fixed-window counter per key; it lives in the service, not in a global.
type limiter struct {
	mu     sync.Mutex
	window map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter() *limiter { return &limiter{window: map[string]*window{}} }

func (l *limiter) allow(key string, perMin int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.window) > 10000 { // forget old windows so the map stays small
		for k, w := range l.window {
			if now.Sub(w.start) > time.Minute {
				delete(l.window, k)
			}
		}
	}
	w := l.window[key]
	if w == nil || now.Sub(w.start) > time.Minute {
		w = &window{start: now}
		l.window[key] = w
	}
	w.n++
	return w.n <= perMin
}
