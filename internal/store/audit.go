package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// AppendAudit assigns the next sequence numbers, chains the hashes and
// inserts the entries, inside the caller's transaction. Moving the single
// audit_head row first serialises concurrent writers on both engines; a
// batch takes its numbers in one step and is loaded through the bulk path.
func (db *DB) AppendAudit(ctx context.Context, es ...*audit.Entry) error {
	tx, err := db.mustTx(ctx)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return nil
	}
	var last int64
	var prev string
	if err := tx.QueryRowContext(ctx, rebind(db.engine, `UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash`), len(es)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	for i, e := range es {
		e.Seq = last - int64(len(es)) + 1 + int64(i)
		e.At = platform.TS(e.At).Time
		e.PrevHash = prev
		e.Hash = audit.Hash(e)
		prev = e.Hash
	}
	cols := []string{"seq", "at", "institution_id", "actor_id", "actor_name", "action", "object_type", "object_id",
		"unit_id", "before_json", "after_json", "reason", "request_id", "prev_hash", "hash"}
	row := func(e *audit.Entry) []any {
		return []any{e.Seq, platform.TS(e.At), e.Institution, e.ActorID, e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.UnitID,
			string(e.Before), string(e.After), e.Reason, e.RequestID, e.PrevHash, e.Hash}
	}
	if len(es) == 1 {
		_, err = db.exec(ctx, `INSERT INTO audit_log (`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(len(cols))+`)`, row(es[0])...)
	} else {
		i := 0
		_, err = db.BulkInsert(ctx, "audit_log", cols, func() ([]any, error) {
			if i == len(es) {
				return nil, io.EOF
			}
			i++
			return row(es[i-1]), nil
		})
	}
	if err != nil {
		return fmt.Errorf("insert audit: %w", err)
	}
	_, err = db.exec(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, prev)
	return err
}

// AuditHead returns the last sequence number and hash.
func (db *DB) AuditHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := db.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, err
}

const auditCols = `seq, at, institution_id, actor_id, actor_name, action, object_type, object_id, unit_id,
	before_json, after_json, reason, request_id, prev_hash, hash`

func scanAudit(sc interface{ Scan(...any) error }, e *audit.Entry) error {
	var at platform.Timestamp
	var before, after string
	if err := sc.Scan(&e.Seq, &at, &e.Institution, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID, &e.UnitID,
		&before, &after, &e.Reason, &e.RequestID, &e.PrevHash, &e.Hash); err != nil {
		return err
	}
	e.At = at.Time
	e.Before, e.After = nil, nil
	if before != "" {
		e.Before = json.RawMessage(before)
	}
	if after != "" {
		e.After = json.RawMessage(after)
	}
	return nil
}

// EachAudit walks the whole log in sequence order.
func (db *DB) EachAudit(ctx context.Context, fn func(*audit.Entry) error) error {
	rows, err := db.query(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e audit.Entry
		if err := scanAudit(rows, &e); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ListAudit returns a page of entries about objects inside the scope
// (entries about institution-wide objects, unit 0, are visible to every
// holder of audit:read), newest first.
func (db *DB) ListAudit(ctx context.Context, s access.Scope, f audit.Filter) ([]audit.Entry, int, error) {
	build := func(q *sqlb, sel string) {
		today := platform.DateOf(db.clock.Now())
		q.add("WITH RECURSIVE ")
		scopeCTE(q, s, today)
		q.add(" SELECT "+sel+" FROM audit_log a WHERE a.institution_id = ?", s.Institution)
		switch {
		case s.Empty():
			q.add(" AND 1 = 0")
		case !s.All:
			q.add(" AND (a.unit_id = 0 OR a.unit_id IN (SELECT id FROM scope_units)")
			if s.Self != 0 {
				q.add(" OR (a.object_type = 'person' AND a.object_id = ?)", fmt.Sprint(s.Self))
			}
			q.add(")")
		}
		if f.ObjectType != "" {
			q.add(" AND a.object_type = ?", f.ObjectType)
		}
		if f.ObjectID != "" {
			q.add(" AND a.object_id = ?", f.ObjectID)
		}
		if f.Actor != "" {
			q.add(" AND a.actor_name = ?", f.Actor)
		}
		if !f.From.IsZero() {
			q.add(" AND a.at >= ?", platform.TS(f.From.Time()))
		}
		if !f.To.IsZero() {
			q.add(" AND a.at < ?", platform.TS(f.To.AddDays(1).Time()))
		}
	}
	var cq sqlb
	build(&cq, "COUNT(*)")
	var total int
	if err := db.queryRow(ctx, cq.String(), cq.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	var q sqlb
	build(&q, auditCols)
	q.add(" ORDER BY a.seq DESC LIMIT ? OFFSET ?", f.PageSize, (f.Page-1)*f.PageSize)
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		var e audit.Entry
		if err := scanAudit(rows, &e); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
