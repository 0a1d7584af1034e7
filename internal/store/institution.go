package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cmhub/internal/dict"
	"cmhub/internal/platform"
	"cmhub/presets"
)

// Institution is a tenant: a company, bank or credit cooperative.
type Institution struct {
	ID       int64
	Code     string
	Name     string
	Preset   string
	RootUnit int64
}

// CreateInstitution creates an institution from a preset: its root unit,
// dictionaries and roles. It must run inside WithTx.
func (db *DB) CreateInstitution(ctx context.Context, p *presets.Preset, code, name string, opened platform.Date) (Institution, error) {
	now := platform.TS(db.clock.Now())
	id, err := db.insertID(ctx, `INSERT INTO institutions (code, name, name_en, preset, created_at) VALUES (?,?,?,?,?)`, code, name, "", p.Code, now)
	if IsUniqueViolation(err) {
		return Institution{}, platform.Conflict("duplicate", "code", "institution code already exists: "+code)
	}
	if err != nil {
		return Institution{}, fmt.Errorf("insert institution: %w", err)
	}
	for d, items := range p.Dicts {
		for _, it := range items {
			if _, err := db.exec(ctx, `INSERT INTO dict_items (institution_id, dict, code, name_zh, name_en, rank) VALUES (?,?,?,?,?,?)`,
				id, d, it.Code, it.Zh, it.En, it.Rank); err != nil {
				return Institution{}, fmt.Errorf("dictionary %s/%s: %w", d, it.Code, err)
			}
		}
	}
	for _, r := range p.Roles {
		rid, err := db.insertID(ctx, `INSERT INTO roles (institution_id, code, name, name_en, data_scope) VALUES (?,?,?,?,?)`, id, r.Code, r.Name, r.NameEn, r.DataScope)
		if err != nil {
			return Institution{}, fmt.Errorf("role %s: %w", r.Code, err)
		}
		for _, perm := range r.Permissions {
			if _, err := db.exec(ctx, `INSERT INTO role_permissions (role_id, permission) VALUES (?,?)`, rid, perm); err != nil {
				return Institution{}, fmt.Errorf("role %s: %w", r.Code, err)
			}
		}
	}
	root, err := db.insertID(ctx, `INSERT INTO units (institution_id, kind, code, name, name_en, opened_on, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)`,
		id, "institution", code, name, "", opened, now, now)
	if err != nil {
		return Institution{}, fmt.Errorf("root unit: %w", err)
	}
	if _, err := db.exec(ctx, `INSERT INTO unit_parents (unit_id, parent_id, valid_from, valid_to, reason) VALUES (?,?,?,?,?)`,
		root, nil, opened, platform.EndOfTime(), "设立 opened"); err != nil {
		return Institution{}, err
	}
	return Institution{ID: id, Code: code, Name: name, Preset: p.Code, RootUnit: root}, nil
}

// InstitutionByCode finds an institution.
func (db *DB) InstitutionByCode(ctx context.Context, code string) (Institution, error) {
	var in Institution
	err := db.queryRow(ctx, `SELECT i.id, i.code, i.name, i.preset, u.id FROM institutions i
		JOIN units u ON u.institution_id = i.id AND u.kind = 'institution' WHERE i.code = ?`, code).Scan(&in.ID, &in.Code, &in.Name, &in.Preset, &in.RootUnit)
	if errors.Is(err, sql.ErrNoRows) {
		return in, platform.ErrNotFound
	}
	return in, err
}

// Institutions lists every institution.
func (db *DB) Institutions(ctx context.Context) ([]Institution, error) {
	rows, err := db.query(ctx, `SELECT i.id, i.code, i.name, i.preset, u.id FROM institutions i
		JOIN units u ON u.institution_id = i.id AND u.kind = 'institution' ORDER BY i.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Institution
	for rows.Next() {
		var in Institution
		if err := rows.Scan(&in.ID, &in.Code, &in.Name, &in.Preset, &in.RootUnit); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// DictItems returns an institution's dictionaries.
func (db *DB) DictItems(ctx context.Context, institution int64) (map[string][]dict.Item, error) {
	rows, err := db.query(ctx, `SELECT dict, code, name_zh, name_en, rank FROM dict_items WHERE institution_id = ? ORDER BY dict, rank, code`, institution)
	if err != nil {
		return nil, fmt.Errorf("dictionaries: %w", err)
	}
	defer rows.Close()
	out := map[string][]dict.Item{}
	for _, d := range dict.All() {
		out[d] = []dict.Item{}
	}
	for rows.Next() {
		var d string
		var it dict.Item
		if err := rows.Scan(&d, &it.Code, &it.Zh, &it.En, &it.Rank); err != nil {
			return nil, err
		}
		out[d] = append(out[d], it)
	}
	return out, rows.Err()
}

// SaveImportReport keeps an error workbook for download.
func (db *DB) SaveImportReport(ctx context.Context, id string, institution, userID int64, kind string, content []byte) error {
	_, err := db.exec(ctx, `INSERT INTO import_reports (id, institution_id, user_id, kind, created_at, content) VALUES (?,?,?,?,?,?)`,
		id, institution, userID, kind, platform.TS(db.clock.Now()), content)
	return err
}

// ImportReport returns an error workbook; only its uploader may fetch it.
func (db *DB) ImportReport(ctx context.Context, id string, userID int64) ([]byte, error) {
	var b []byte
	err := db.queryRow(ctx, `SELECT content FROM import_reports WHERE id = ? AND user_id = ?`, id, userID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.ErrNotFound
	}
	return b, err
}

// Backup writes a consistent copy of a SQLite database to path (VACUUM
// INTO runs inside one read transaction, so a running server is fine).
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.engine != SQLite {
		return errors.New("backup: use pg_dump for PostgreSQL (see docs/operator-guide.md)")
	}
	if _, err := db.w.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("vacuum into %s: %w", path, err)
	}
	return nil
}

// InstitutionPreset returns the code of the preset an institution was created from.
func (db *DB) InstitutionPreset(ctx context.Context, institution int64) (string, error) {
	var code string
	err := db.queryRow(ctx, `SELECT preset FROM institutions WHERE id = ?`, institution).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", platform.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("institution %d: %w", institution, err)
	}
	return code, nil
}
