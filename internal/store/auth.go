package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cmhub/internal/access"
	"cmhub/internal/auth"
	"cmhub/internal/platform"
)

const userCols = `u.id, u.institution_id, u.username, u.display_name, u.password_hash, COALESCE(u.person_id, 0),
	COALESCE(p.emp_no, ''), u.disabled, u.default_password, u.failed_logins, u.locked_until`

func (db *DB) scanUser(sc interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var locked platform.Timestamp
	err := sc.Scan(&u.ID, &u.Institution, &u.Username, &u.DisplayName, &u.PasswordHash, &u.PersonID, &u.EmpNo,
		&u.Disabled, &u.DefaultPassword, &u.FailedLogins, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return u, platform.ErrNotFound
	}
	if !locked.IsZero() {
		u.LockedUntil = &locked
	}
	return u, err
}

// UserByUsername finds a user.
func (db *DB) UserByUsername(ctx context.Context, username string) (auth.User, error) {
	return db.scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u LEFT JOIN persons p ON p.id = u.person_id WHERE u.username = ?`, username))
}

// UserByID finds a user with their role codes.
func (db *DB) UserByID(ctx context.Context, id int64) (auth.User, error) {
	u, err := db.scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u LEFT JOIN persons p ON p.id = u.person_id WHERE u.id = ?`, id))
	if err != nil {
		return u, err
	}
	roles, err := db.UserRoles(ctx, id)
	for _, r := range roles {
		u.Roles = append(u.Roles, r.Code)
	}
	return u, err
}

// UserRoles returns a user's roles with their permissions.
func (db *DB) UserRoles(ctx context.Context, userID int64) ([]auth.Role, error) {
	return db.roles(ctx, `JOIN user_roles ur ON ur.role_id = r.id WHERE ur.user_id = ?`, userID)
}

// Roles returns every role of the institution.
func (db *DB) Roles(ctx context.Context, institution int64) ([]auth.Role, error) {
	return db.roles(ctx, `WHERE r.institution_id = ?`, institution)
}

func (db *DB) roles(ctx context.Context, where string, arg any) ([]auth.Role, error) {
	rows, err := db.query(ctx, `SELECT r.id, r.code, r.name, r.name_en, r.data_scope, COALESCE(rp.permission, '')
		FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id `+where+` ORDER BY r.id, rp.permission`, arg)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	defer rows.Close()
	out := []auth.Role{}
	for rows.Next() {
		var r auth.Role
		var perm string
		if err := rows.Scan(&r.ID, &r.Code, &r.Name, &r.NameEn, &r.DataScope, &perm); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != r.ID {
			r.Permissions = []access.Permission{}
			out = append(out, r)
		}
		if perm != "" {
			out[len(out)-1].Permissions = append(out[len(out)-1].Permissions, access.Permission(perm))
		}
	}
	return out, rows.Err()
}

// SetLoginFailures records the failure count and lock.
func (db *DB) SetLoginFailures(ctx context.Context, userID int64, failures int, lockedUntil *platform.Timestamp) error {
	var lu any
	if lockedUntil != nil {
		lu = *lockedUntil
	}
	_, err := db.exec(ctx, `UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?`, failures, lu, userID)
	return err
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s auth.Session) error {
	_, err := db.exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent) VALUES (?,?,?,?,?,?,?)`,
		s.TokenHash, s.UserID, s.CreatedAt, s.ExpiresAt, s.LastSeenAt, s.IP, s.UserAgent)
	return err
}

// SessionByHash finds a session.
func (db *DB) SessionByHash(ctx context.Context, hash string) (auth.Session, error) {
	var s auth.Session
	err := db.queryRow(ctx, `SELECT token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent FROM sessions WHERE token_hash = ?`, hash).
		Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.ExpiresAt, &s.LastSeenAt, &s.IP, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return s, platform.ErrNotFound
	}
	return s, err
}

// TouchSession records activity.
func (db *DB) TouchSession(ctx context.Context, hash string, at platform.Timestamp) error {
	_, err := db.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, at, hash)
	return err
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash)
	return err
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := db.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// CreateToken stores an API token.
func (db *DB) CreateToken(ctx context.Context, t *auth.Token) error {
	id, err := db.insertID(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?,?,?,?,?)`,
		t.UserID, t.Name, t.TokenHash, t.CreatedAt, t.ExpiresAt)
	t.ID = id
	return err
}

// TokenByHash finds a live (not revoked) token.
func (db *DB) TokenByHash(ctx context.Context, hash string) (auth.Token, error) {
	var t auth.Token
	var used platform.Timestamp
	err := db.queryRow(ctx, `SELECT id, user_id, name, token_hash, created_at, expires_at, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked = ?`, hash, false).
		Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &t.CreatedAt, &t.ExpiresAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return t, platform.ErrNotFound
	}
	if !used.IsZero() {
		t.LastUsedAt = &used
	}
	return t, err
}

// TouchToken records use of a token.
func (db *DB) TouchToken(ctx context.Context, id int64, at platform.Timestamp) error {
	_, err := db.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, at, id)
	return err
}

// ListTokens lists a user's live tokens.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]auth.Token, error) {
	rows, err := db.query(ctx, `SELECT id, user_id, name, token_hash, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = ? AND revoked = ? ORDER BY id`, userID, false)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []auth.Token{}
	for rows.Next() {
		var t auth.Token
		var used platform.Timestamp
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &t.CreatedAt, &t.ExpiresAt, &used); err != nil {
			return nil, err
		}
		if !used.IsZero() {
			t.LastUsedAt = &used
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of a user's tokens.
func (db *DB) RevokeToken(ctx context.Context, userID, id int64) error {
	res, err := db.exec(ctx, `UPDATE api_tokens SET revoked = ? WHERE id = ? AND user_id = ? AND revoked = ?`, true, id, userID, false)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return platform.ErrNotFound
	}
	return nil
}

// RevokeUserTokens revokes every token of a user.
func (db *DB) RevokeUserTokens(ctx context.Context, userID int64) error {
	_, err := db.exec(ctx, `UPDATE api_tokens SET revoked = ? WHERE user_id = ?`, true, userID)
	return err
}

// PersonUnit returns the unit of a person's record in force on a date.
func (db *DB) PersonUnit(ctx context.Context, personID int64, on platform.Date) (int64, error) {
	var id int64
	err := db.queryRow(ctx, `SELECT unit_id FROM person_records WHERE person_id = ? AND valid_from <= ? AND ? < valid_to`, personID, on, on).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, platform.ErrNotFound
	}
	return id, err
}

// PersonInScope returns the current unit of a person if they are in scope.
func (db *DB) PersonInScope(ctx context.Context, s access.Scope, personID int64) (int64, error) {
	p, err := db.Person(ctx, s, personID, platform.DateOf(db.clock.Now()))
	if err != nil {
		return 0, err
	}
	return p.UnitID, nil
}

// ListUsers lists users whose person is in scope today; users without a
// person only for a whole-institution scope.
func (db *DB) ListUsers(ctx context.Context, s access.Scope, page, pageSize int) ([]auth.User, int, error) {
	today := platform.DateOf(db.clock.Now())
	build := func(q *sqlb, sel string) {
		q.add("WITH RECURSIVE ")
		scopeCTE(q, s, today)
		q.add(" SELECT "+sel+` FROM users u LEFT JOIN persons p ON p.id = u.person_id
			LEFT JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
			WHERE u.institution_id = ? AND `, today, today, s.Institution)
		if s.All {
			q.add("1 = 1")
			return
		}
		q.add("p.id IS NOT NULL AND ")
		scopeWhere(q, s, "r.unit_id")
	}
	var cq sqlb
	build(&cq, "COUNT(*)")
	var total int
	if err := db.queryRow(ctx, cq.String(), cq.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	var q sqlb
	build(&q, userCols)
	q.add(" ORDER BY u.username LIMIT ? OFFSET ?", pageSize, (page-1)*pageSize)
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("users: %w", err)
	}
	var out []auth.User
	for rows.Next() {
		u, err := db.scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		roles, err := db.UserRoles(ctx, out[i].ID)
		if err != nil {
			return nil, 0, err
		}
		out[i].Roles = []string{}
		for _, r := range roles {
			out[i].Roles = append(out[i].Roles, r.Code)
		}
	}
	if out == nil {
		out = []auth.User{}
	}
	return out, total, nil
}

// CreateUser inserts a user and their roles.
func (db *DB) CreateUser(ctx context.Context, u *auth.User, roleCodes []string) error {
	now := platform.TS(db.clock.Now())
	var person any
	if u.PersonID != 0 {
		person = u.PersonID
	}
	id, err := db.insertID(ctx, `INSERT INTO users (institution_id, username, display_name, password_hash, person_id, default_password,
		password_changed_at, created_at) VALUES (?,?,?,?,?,?,?,?)`, u.Institution, u.Username, u.DisplayName, u.PasswordHash, person, u.DefaultPassword, now, now)
	if IsUniqueViolation(err) {
		return platform.Conflict("duplicate", "username", "用户名已存在，或该人员已有账户 username taken, or the person already has a user")
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	u.ID = id
	return db.SetUserRoles(ctx, id, roleCodes)
}

// SetUserRoles replaces a user's roles.
func (db *DB) SetUserRoles(ctx context.Context, userID int64, codes []string) error {
	if _, err := db.exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := db.exec(ctx, `INSERT INTO user_roles (user_id, role_id)
			SELECT ?, r.id FROM roles r JOIN users u ON u.institution_id = r.institution_id WHERE u.id = ? AND r.code = ?`, userID, userID, c); err != nil {
			return fmt.Errorf("grant role %s: %w", c, err)
		}
	}
	return nil
}

// SetUserDisabled enables or disables a user.
func (db *DB) SetUserDisabled(ctx context.Context, userID int64, disabled bool) error {
	_, err := db.exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, userID)
	return err
}

// SetPassword stores a new password hash.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, isDefault bool) error {
	_, err := db.exec(ctx, `UPDATE users SET password_hash = ?, default_password = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`,
		hash, isDefault, platform.TS(db.clock.Now()), userID)
	return err
}

// StartupCheck reports what stops a production server from starting: no
// enabled administrator, or any account still on a demo/default password.
func (db *DB) StartupCheck(ctx context.Context) (admins, defaults int, err error) {
	err = db.queryRow(ctx, `SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles ur ON ur.user_id = u.id
		JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE u.disabled = ? AND rp.permission = ?`, false, string(access.UserManage)).Scan(&admins)
	if err != nil {
		return 0, 0, err
	}
	err = db.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE default_password = ? AND disabled = ?`, true, false).Scan(&defaults)
	return admins, defaults, err
}
