// Package presets holds the institution presets as data: dictionaries
// (positions, grade ladders, statuses …) and roles with their permissions
// and data scopes. An institution starts from one and edits what it needs.
package presets

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed *.json
var files embed.FS

// Item is one dictionary entry.
type Item struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
	Rank int    `json:"rank"`
}

// Role is a role template.
type Role struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	NameEn      string   `json:"nameEn"`
	DataScope   string   `json:"dataScope"`
	Permissions []string `json:"permissions"`
}

// Preset is an institution template.
type Preset struct {
	Code   string            `json:"code"`
	Name   string            `json:"name"`
	NameEn string            `json:"nameEn"`
	Source string            `json:"source"`
	Dicts  map[string][]Item `json:"dicts"`
	Roles  []Role            `json:"roles"`
	// Metrics is the preset's metric catalogue (指标库), in display order.
	// It is not merged with the base: each preset lists its own.
	Metrics []MetricDef `json:"metrics"`
	// RecordTypes are the kinds of business record the institution imports;
	// every record metric names one of them.
	RecordTypes []RecordTypeDef `json:"recordTypes"`
}

// RecordTypeDef is a business-record type as a preset ships it. A sign of
// "non_negative" refuses negative values of that field at import; "any"
// allows them (a reversal of net revenue).
type RecordTypeDef struct {
	Key          string `json:"key"`
	NameZh       string `json:"nameZh"`
	NameEn       string `json:"nameEn"`
	AmountSign   string `json:"amountSign"`
	QuantitySign string `json:"quantitySign"`
}

// MetricDef is a metric as a preset ships it; see internal/metric for the
// meaning of each field. A metric with a formula is computed from the
// others; otherwise it aggregates one type of business record.
type MetricDef struct {
	Key         string            `json:"key"`
	NameZh      string            `json:"nameZh"`
	NameEn      string            `json:"nameEn"`
	Unit        string            `json:"unit"`
	Aggregation string            `json:"aggregation,omitempty"`
	RecordType  string            `json:"recordType,omitempty"`
	Field       string            `json:"field,omitempty"`
	Conversion  map[string]string `json:"conversion,omitempty"`
	Formula     string            `json:"formula,omitempty"`
	Description string            `json:"description,omitempty"`
}

// Names lists the available presets.
func Names() []string { return []string{"securities-branch", "commercial-bank", "rural-credit-coop"} }

// Load returns a preset merged over the common base: the preset's
// dictionary entries are added to the base's (a code in both takes the
// preset's), and its roles are added to the base roles.
func Load(name string) (*Preset, error) {
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("unknown preset %q (have %v)", name, Names())
	}
	var base, p Preset
	if err := read("base.json", &base); err != nil {
		return nil, err
	}
	if err := read(name+".json", &p); err != nil {
		return nil, err
	}
	for d, items := range p.Dicts {
		for _, it := range items {
			i := slices.IndexFunc(base.Dicts[d], func(b Item) bool { return b.Code == it.Code })
			if i >= 0 {
				base.Dicts[d][i] = it
			} else {
				base.Dicts[d] = append(base.Dicts[d], it)
			}
		}
	}
	p.Dicts = base.Dicts
	p.Roles = append(base.Roles, p.Roles...)
	return &p, nil
}

func read(file string, v any) error {
	b, err := files.ReadFile(file)
	if err != nil {
		return fmt.Errorf("preset %s: %w", file, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("preset %s: %w", file, err)
	}
	return nil
}
