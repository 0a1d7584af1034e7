package store

import (
	"context"
	"encoding/json"
	"fmt"

	"cmhub/internal/payroll"
	"cmhub/internal/platform"
)

// PayPlans returns every stored version of the institution's pay plans,
// by plan and version.
func (db *DB) PayPlans(ctx context.Context, institution int64) ([]payroll.StoredPlan, error) {
	rows, err := db.query(ctx, `SELECT body, note, created_by, created_at FROM pay_plans WHERE institution_id = ? ORDER BY plan_key, version`, institution)
	if err != nil {
		return nil, fmt.Errorf("pay plans: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []payroll.StoredPlan{}
	for rows.Next() {
		var sp payroll.StoredPlan
		var body string
		var at platform.Timestamp
		if err := rows.Scan(&body, &sp.Note, &sp.CreatedBy, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &sp.Plan); err != nil {
			return nil, fmt.Errorf("pay plan: %w", err)
		}
		sp.CreatedAt = at.Time
		out = append(out, sp)
	}
	return out, rows.Err()
}

// SavePayPlan stores a version of a plan; a version already stored is a
// conflict (someone saved meanwhile).
func (db *DB) SavePayPlan(ctx context.Context, institution int64, sp *payroll.StoredPlan) error {
	body, err := json.Marshal(sp.Plan)
	if err != nil {
		return err
	}
	if _, err := db.exec(ctx, `INSERT INTO pay_plans (institution_id, plan_key, version, effective_from, body, note, created_by, created_at) VALUES (?,?,?,?,?,?,?,?)`,
		institution, sp.Plan.Key, sp.Plan.Version, sp.Plan.EffectiveFrom, string(body), sp.Note, sp.CreatedBy, platform.TS(sp.CreatedAt)); err != nil {
		if IsUniqueViolation(err) {
			return platform.Conflict("stale", "plan.version", "该方案已被他人修改，请刷新 the plan was changed meanwhile; reload")
		}
		return fmt.Errorf("save pay plan: %w", err)
	}
	return nil
}
