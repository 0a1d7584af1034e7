package store

import (
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/platform"
)

// sqlb accumulates a query and its arguments in textual order, so that
// clauses can be composed without counting placeholders.
type sqlb struct {
	b    strings.Builder
	args []any
}

func (q *sqlb) add(s string, args ...any) *sqlb {
	q.b.WriteString(s)
	q.args = append(q.args, args...)
	return q
}

func (q *sqlb) String() string { return q.b.String() }

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.Repeat("?,", n-1) + "?"
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// scopeCTE writes the recursive CTE body "scope_units(id) AS (…)": the
// scope's root units and everything below them as of d. Call it right
// after "WITH RECURSIVE ". It writes a harmless empty CTE for an "all" or
// empty scope so callers can compose uniformly.
func scopeCTE(q *sqlb, s access.Scope, d platform.Date) {
	if s.All || len(s.Units) == 0 {
		q.add("scope_units(id) AS (SELECT id FROM units WHERE 1 = 0)")
		return
	}
	q.add("scope_units(id) AS (SELECT id FROM units WHERE institution_id = ? AND id IN ("+placeholders(len(s.Units))+")",
		append([]any{s.Institution}, int64Args(s.Units)...)...)
	q.add(" UNION SELECT up.unit_id FROM unit_parents up JOIN scope_units su ON up.parent_id = su.id WHERE up.valid_from <= ? AND ? < up.valid_to)", d, d)
}

// scopeWhere writes the predicate that a person (alias p) whose record in
// force has unit unitCol is inside the scope. The zero scope matches nothing.
func scopeWhere(q *sqlb, s access.Scope, unitCol string) {
	if s.Empty() {
		q.add("1 = 0")
		return
	}
	q.add("p.institution_id = ?", s.Institution)
	if s.All {
		return
	}
	q.add(" AND (" + unitCol + " IN (SELECT id FROM scope_units)")
	if s.Self != 0 {
		q.add(" OR p.id = ?", s.Self)
	}
	q.add(")")
}
