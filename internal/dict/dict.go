// Package dict serves an institution's dictionaries (positions, grade
// ladder, statuses, employment types, unit kinds, data scopes), loaded from
// its preset. They are data, so a coop and a securities branch differ
// without code changes.
package dict

import "context"

// Names of the dictionaries.
const (
	UnitKinds       = "unitKinds"
	Positions       = "positions"
	Grades          = "grades"
	Statuses        = "statuses"
	EmploymentTypes = "employmentTypes"
	DataScopes      = "dataScopes"
	Genders         = "genders"
)

// All lists the dictionary names.
func All() []string {
	return []string{UnitKinds, Positions, Grades, Statuses, EmploymentTypes, DataScopes, Genders}
}

// Item is one entry of a dictionary.
type Item struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
	Rank int    `json:"rank"`
}

// Store reads dictionaries.
type Store interface {
	DictItems(ctx context.Context, institution int64) (map[string][]Item, error)
}

// Set is an institution's dictionaries, indexed for validation.
type Set map[string][]Item

// Has reports whether code is in dictionary d.
func (s Set) Has(d, code string) bool {
	for _, it := range s[d] {
		if it.Code == code {
			return true
		}
	}
	return false
}

// Name returns the Chinese name of code in d, or code itself.
func (s Set) Name(d, code string) string {
	for _, it := range s[d] {
		if it.Code == code {
			return it.Zh
		}
	}
	return code
}

// Lookup resolves a cell that may hold a code, a Chinese name or an English
// name (as people type them in spreadsheets) to the code.
func (s Set) Lookup(d, v string) (string, bool) {
	for _, it := range s[d] {
		if v == it.Code || v == it.Zh || (it.En != "" && equalFold(v, it.En)) {
			return it.Code, true
		}
	}
	return "", false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
