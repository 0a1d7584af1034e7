// Package audit keeps the append-only, hash-chained record of every change:
// who, when, which object, before → after. Entries are written by the
// store in the same transaction as the change they describe.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/platform"
)

// Entry is one audit record.
type Entry struct {
	Seq         int64           `json:"seq"`
	At          time.Time       `json:"at"`
	Institution int64           `json:"-"`
	ActorID     int64           `json:"actorId"`
	ActorName   string          `json:"actorName"`
	Action      string          `json:"action"`
	ObjectType  string          `json:"objectType"`
	ObjectID    string          `json:"objectId"`
	UnitID      int64           `json:"unitId"` // the unit the object belonged to; 0 for institution-wide objects
	Before      json.RawMessage `json:"before"`
	After       json.RawMessage `json:"after"`
	Reason      string          `json:"reason"`
	RequestID   string          `json:"requestId"`
	PrevHash    string          `json:"-"`
	Hash        string          `json:"-"`
}

// Hash computes the entry's chain hash: SHA-256 over the previous hash and
// every field, each length-prefixed so no two entries encode alike.
func Hash(e *Entry) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field(e.PrevHash)
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Format("2006-01-02T15:04:05.000000Z"))
	field(strconv.FormatInt(e.Institution, 10))
	field(strconv.FormatInt(e.ActorID, 10))
	field(e.ActorName)
	field(e.Action)
	field(e.ObjectType)
	field(e.ObjectID)
	field(strconv.FormatInt(e.UnitID, 10))
	field(string(e.Before))
	field(string(e.After))
	field(e.Reason)
	field(e.RequestID)
	return hex.EncodeToString(h.Sum(nil))
}

// Appender stores entries in order, assigning their sequence numbers and
// chained hashes. It must run inside the caller's transaction.
type Appender interface {
	AppendAudit(ctx context.Context, es ...*Entry) error
}

// Log is what services call to record a change. before/after are any
// JSON-encodable values (nil for a creation or deletion).
type Log struct {
	A     Appender
	Clock platform.Clock
}

// Change describes one change for Log.Record.
type Change struct {
	Action     string // e.g. "person.move"
	ObjectType string // e.g. "person"
	ObjectID   string
	UnitID     int64
	Before     any
	After      any
	Reason     string
}

// Record writes the change on behalf of the principal in ctx.
func (l Log) Record(ctx context.Context, c Change) error { return l.RecordMany(ctx, []Change{c}) }

// RecordMany writes several changes in order with one round of chaining,
// so that bulk operations (imports) do not pay for the chain per row.
func (l Log) RecordMany(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	p := access.FromContext(ctx)
	if p == nil {
		return fmt.Errorf("audit %s: no principal in context", cs[0].Action)
	}
	now, reqID := l.Clock.Now(), platform.RequestID(ctx)
	es := make([]*Entry, len(cs))
	for i, c := range cs {
		b, err := encode(c.Before)
		if err != nil {
			return err
		}
		a, err := encode(c.After)
		if err != nil {
			return err
		}
		es[i] = &Entry{
			At: now, Institution: p.Institution, ActorID: p.UserID, ActorName: p.Username,
			Action: c.Action, ObjectType: c.ObjectType, ObjectID: c.ObjectID, UnitID: c.UnitID,
			Before: b, After: a, Reason: c.Reason, RequestID: reqID,
		}
	}
	if err := l.A.AppendAudit(ctx, es...); err != nil {
		return fmt.Errorf("audit %s: %w", cs[0].Action, err)
	}
	return nil
}

func encode(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit encode: %w", err)
	}
	return b, nil
}

// Problem is the first inconsistency Verify found.
type Problem struct {
	Seq    int64  // the entry at which the chain breaks
	Reason string // "altered", "missing", "head mismatch"
}

func (p *Problem) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", p.Seq, p.Reason)
}

// Source is what Verify reads.
type Source interface {
	AuditHead(ctx context.Context) (seq int64, hash string, err error)
	EachAudit(ctx context.Context, fn func(*Entry) error) error // in seq order
}

// Verify walks the whole chain and reports the first entry that was altered
// or removed, or nil when the chain is intact. It also returns the number
// of entries checked.
func Verify(ctx context.Context, src Source) (int64, *Problem, error) {
	var (
		want    int64 = 1
		prev    string
		problem *Problem
	)
	err := src.EachAudit(ctx, func(e *Entry) error {
		switch {
		case e.Seq != want:
			problem = &Problem{Seq: want, Reason: "missing (removed)"}
		case e.PrevHash != prev || Hash(e) != e.Hash:
			problem = &Problem{Seq: e.Seq, Reason: "altered"}
		}
		if problem != nil {
			return errStop
		}
		prev = e.Hash
		want++
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return 0, nil, err
	}
	if problem != nil {
		return want - 1, problem, nil
	}
	seq, hash, err := src.AuditHead(ctx)
	if err != nil {
		return 0, nil, err
	}
	if seq != want-1 {
		return want - 1, &Problem{Seq: want, Reason: "missing (removed from the end)"}, nil
	}
	if hash != prev {
		return want - 1, &Problem{Seq: seq, Reason: "head mismatch"}, nil
	}
	return want - 1, nil, nil
}

var errStop = errors.New("stop")

// Filter selects audit entries for the audit page.
type Filter struct {
	ObjectType string
	ObjectID   string
	Actor      string
	From, To   platform.Date
	Page       int
	PageSize   int
}

// Lister reads audit entries within a scope.
type Lister interface {
	ListAudit(ctx context.Context, scope access.Scope, f Filter) ([]Entry, int, error)
}

// Service serves the audit page.
type Service struct{ Store Lister }

// List returns a page of entries about objects in the viewer's scope.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, int, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.AuditRead) {
		return nil, 0, platform.ErrForbidden
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize == 0 {
		f.PageSize = 20
	}
	if f.PageSize < 1 || f.PageSize > 500 {
		return nil, 0, platform.Invalid("pageSize", "每页 1–500 条 must be 1–500")
	}
	return s.Store.ListAudit(ctx, p.Scope, f)
}
