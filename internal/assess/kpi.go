package assess

import (
	"fmt"
	"math/big"

	"cmhub/internal/platform"
)

// Indicator is one KPI of a dimension with its weight in basis points
// (7.5% is 750). Metric optionally names the catalogue metric it is
// measured by.
type Indicator struct {
	Key    string `json:"key"`
	NameZh string `json:"nameZh"`
	NameEn string `json:"nameEn"`
	Weight BP     `json:"weight"`
	Metric string `json:"metric,omitempty"`
}

// Dimension is a group of indicators whose weights total 100%. Weight is
// the dimension's share of an overall score; 0 means not set.
type Dimension struct {
	Key        string      `json:"key"`
	NameZh     string      `json:"nameZh"`
	NameEn     string      `json:"nameEn"`
	Weight     BP          `json:"weight"`
	Indicators []Indicator `json:"indicators"`
}

// WeightSet is a KPI weighting like the commercial bank's of seed 003 四:
// dimensions (performance, service, risk) of weighted indicators. Seed
// 003 gives the indicator weights within each dimension but not the
// dimensions' shares, so those may be left unset (all 0): each dimension
// is then scored on its own and there is no overall score until an
// administrator sets them (all together totalling 100%).
type WeightSet struct {
	Key        string      `json:"key"`
	NameZh     string      `json:"nameZh"`
	NameEn     string      `json:"nameEn"`
	Version    int         `json:"version"`
	Dimensions []Dimension `json:"dimensions"`
	Source     string      `json:"source,omitempty"`
}

// Validate checks keys (indicator keys unique across the set) and weights.
func (w *WeightSet) Validate() platform.Fields {
	f := platform.Fields{}
	wz, we := "权重方案 "+w.Key, "weight set "+w.Key
	if !keyRe.MatchString(w.Key) {
		f.Add("key", fmt.Sprintf("%s：代码须为 2–40 位小写字母、数字或下划线 %s: the key is 2–40 lowercase letters, digits or _", wz, we))
	}
	if w.NameZh == "" {
		f.Add("nameZh", fmt.Sprintf("%s：中文名称必填 %s: a Chinese name is required", wz, we))
	}
	if w.Version < 1 {
		f.Add("version", fmt.Sprintf("%s：版本须为正整数 %s: the version must be a positive integer", wz, we))
	}
	if len(w.Dimensions) == 0 {
		f.Add("dimensions", fmt.Sprintf("%s：至少需要一个维度 %s: at least one dimension is needed", wz, we))
		return f
	}
	var dimTotal BP
	dimSet := 0
	seen := map[string]bool{}
	for i, d := range w.Dimensions {
		dk := fieldKey(d.Key, i)
		dz, de := fmt.Sprintf("%s 维度 %s", wz, dk), fmt.Sprintf("%s dimension %s", we, dk)
		if !keyRe.MatchString(d.Key) || seen[d.Key] {
			f.Add("dimensions."+dk+".key", fmt.Sprintf("%s：代码无效或重复 %s: the key is invalid or repeated", dz, de))
		}
		seen[d.Key] = true
		if d.Weight < 0 || d.Weight > FullWeight {
			f.Add("dimensions."+dk+".weight", fmt.Sprintf("%s：权重须为 0–10000 个基点 %s: the weight must be 0–10000 basis points", dz, de))
		}
		if d.Weight > 0 {
			dimSet++
			dimTotal += d.Weight
		}
		var total BP
		ok := true
		for j, in := range d.Indicators {
			ik := fieldKey(in.Key, j)
			iz, ie := fmt.Sprintf("%s 指标 %s", dz, ik), fmt.Sprintf("%s indicator %s", de, ik)
			if !keyRe.MatchString(in.Key) || seen[in.Key] {
				f.Add("dimensions."+dk+".indicators."+ik+".key", fmt.Sprintf("%s：代码无效或重复 %s: the key is invalid or repeated", iz, ie))
			}
			seen[in.Key] = true
			if in.Weight <= 0 || in.Weight > FullWeight {
				f.Add("dimensions."+dk+".indicators."+ik+".weight", fmt.Sprintf("%s：权重须为 1–10000 个基点，现为 %d %s: the weight must be 1–10000 basis points, got %d", iz, in.Weight, ie, in.Weight))
				ok = false
			}
			total += in.Weight
		}
		if len(d.Indicators) == 0 {
			f.Add("dimensions."+dk+".indicators", fmt.Sprintf("%s：至少需要一个指标 %s: at least one indicator is needed", dz, de))
		} else if ok && total != FullWeight {
			f.Add("dimensions."+dk+".indicators", fmt.Sprintf("%s：各指标权重合计须为 10000 个基点（100%%），现为 %d（%s） %s: the indicator weights must total 10000 basis points (100%%), got %d (%s)", dz, total, formatBP(total), de, total, formatBP(total)))
		}
	}
	if dimSet > 0 && (dimSet != len(w.Dimensions) || dimTotal != FullWeight) {
		f.Add("dimensions", fmt.Sprintf("%s：维度权重须全部不设（0），或全部设置且合计 10000 个基点，现为 %d（%s） %s: dimension weights must be all unset (0) or all set and total 10000 basis points, got %d (%s)", wz, dimTotal, formatBP(dimTotal), we, dimTotal, formatBP(dimTotal)))
	}
	return f
}

// DimensionScore is one dimension's weighted score.
type DimensionScore struct {
	Key   string `json:"key"`
	Exact string `json:"exact"` // points, exact
	Score Score  `json:"score"` // rounded half up to hundredths
}

// KPIResult is a weight set applied to indicator scores.
type KPIResult struct {
	Set        string           `json:"set"`
	Version    int              `json:"version"`
	Dimensions []DimensionScore `json:"dimensions"`
	// Overall is set only when the dimension weights are.
	HasOverall   bool   `json:"hasOverall"`
	OverallExact string `json:"overallExact,omitempty"`
	Overall      Score  `json:"overall"`
}

// Apply weights indicator scores (each 0–100, by indicator key; every
// indicator needs one). The set must be valid. Sums are exact; each score
// is rounded half up to hundredths only at the end.
func (w *WeightSet) Apply(scores map[string]Score) (KPIResult, error) {
	res := KPIResult{Set: w.Key, Version: w.Version, HasOverall: len(w.Dimensions) > 0 && w.Dimensions[0].Weight > 0}
	overall := new(big.Rat)
	full := OfPoints(Whole(TotalPoints))
	for _, d := range w.Dimensions {
		acc := new(big.Rat)
		for _, in := range d.Indicators {
			s, ok := scores[in.Key]
			if !ok {
				return KPIResult{}, platform.Invalid(in.Key, fmt.Sprintf("指标 %s 没有得分 indicator %s has no score", in.Key, in.Key))
			}
			if s < 0 || s > full {
				return KPIResult{}, platform.Invalid(in.Key, fmt.Sprintf("指标 %s 的得分 %s 超出 0–100 indicator %s: score %s is outside 0–100", in.Key, s, in.Key, s))
			}
			acc.Add(acc, big.NewRat(int64(s)*in.Weight, ScoreScale*FullWeight))
		}
		r, _ := RoundScore(acc)
		res.Dimensions = append(res.Dimensions, DimensionScore{Key: d.Key, Exact: acc.RatString(), Score: r})
		overall.Add(overall, acc.Mul(acc, big.NewRat(d.Weight, FullWeight)))
	}
	if res.HasOverall {
		res.OverallExact = overall.RatString()
		res.Overall, _ = RoundScore(overall)
	}
	return res, nil
}
