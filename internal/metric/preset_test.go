package metric_test

import (
	"slices"
	"testing"

	"cmhub/internal/metric"
	"cmhub/presets"
)

func fromDefs(defs []presets.MetricDef) []metric.Metric {
	out := make([]metric.Metric, 0, len(defs))
	for _, d := range defs {
		m := metric.Metric{Key: d.Key, NameZh: d.NameZh, NameEn: d.NameEn, Unit: d.Unit, Aggregation: d.Aggregation,
			SourceKind: metric.SourceRecord, RecordType: d.RecordType, Field: d.Field, Conversion: d.Conversion,
			Formula: d.Formula, Description: d.Description, Active: true, Version: 1}
		if d.Formula != "" {
			m.SourceKind = metric.SourceFormula
		}
		out = append(out, m)
	}
	return out
}

// Every preset's catalogue is valid as a whole: keys unique, shapes right,
// formulas compile over known active metrics, no cycles, English names.
func TestPresetCatalogues(t *testing.T) {
	want := map[string][]string{
		"securities-branch": {"valid_appointments", "new_accounts", "new_valid_accounts", "deposits_in", "new_assets",
			"customer_assets", "net_revenue", "standard_lots", "products_sold", "visits_made"},
		"commercial-bank":   {"deposits", "loans_issued", "loans_recovered", "npl_recovered", "visits_made"},
		"rural-credit-coop": {"deposits", "loans_issued", "loans_recovered", "npl_recovered", "visits_made"},
	}
	for _, name := range presets.Names() {
		t.Run(name, func(t *testing.T) {
			p, err := presets.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			c, err := metric.NewCatalogue(fromDefs(p.Metrics))
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range want[name] {
				if _, ok := c.Metric(k); !ok {
					t.Errorf("metric %s missing", k)
				}
			}
			if len(c.Order()) == 0 {
				t.Error("no formula metric")
			}
			for _, m := range c.Metrics() {
				if m.NameEn == "" || m.Description == "" {
					t.Errorf("%s: English name and description expected", m.Key)
				}
			}
			if name == "securities-branch" {
				if m, _ := c.Metric("customer_assets"); m.Aggregation != metric.AggLast {
					t.Errorf("customer assets aggregate by last value, got %s", m.Aggregation)
				}
				lots, _ := c.Metric("standard_lots")
				f, err := lots.FactorFor("bitumen_50t")
				if err != nil || f.Lots(3).RatString() != "10" {
					t.Errorf("3 × 50 t contracts must be 10 standard lots: %v %v", f, err)
				}
				r, err := c.Evaluate("valid_account_rate", map[string]float64{"new_accounts": 4, "new_valid_accounts": 1})
				if err != nil || r.Value != 0.25 {
					t.Errorf("valid_account_rate = %+v %v", r, err)
				}
			} else if m, _ := c.Metric("deposits"); m.Aggregation != metric.AggAvgDailyBalance {
				t.Errorf("deposits aggregate by average daily balance, got %s", m.Aggregation)
			}
			if !slices.IsSorted(c.RecordTypes()) || len(c.RecordTypes()) == 0 {
				t.Errorf("record types %v", c.RecordTypes())
			}
		})
	}
}
