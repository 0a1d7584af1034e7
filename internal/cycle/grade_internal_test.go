package cycle

import (
	"context"
	"slices"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
	"cmhub/internal/target"
)

// yearInputs answers task completion by year, recording what was asked.
type yearInputs struct {
	byYear map[int]string
	asked  []int
}

func (y *yearInputs) For(_ context.Context, _ int64, per platform.Period, subjects []SubjectInput) (map[assess.Subject]SubjectFigures, error) {
	y.asked = append(y.asked, per.Year)
	out := map[assess.Subject]SubjectFigures{}
	if c, ok := y.byYear[per.Year]; ok {
		for _, s := range subjects {
			out[s.Subject] = SubjectFigures{Completion: c}
		}
	}
	return out, nil
}

// The weak years of a grade review: the years before a quarter's year,
// and for an annual review its own year (from the cycle) and those before
// it; a year without a target has no completion and blocks nobody.
func TestAnnualCompletionYears(t *testing.T) {
	rule := assess.GradeRule{Cycle: platform.Quarter, UpMinScore: 9000, UpMinCompletionBP: 10000, DownBelowScore: 6000, WeakYears: 2, WeakBelowBP: 10000}
	ladder, err := assess.NewLadder([]assess.Grade{{Code: "a", Rank: 1}, {Code: "b", Rank: 2}})
	if err != nil {
		t.Fatal(err)
	}
	people := map[int64]assess.Person{7: {ID: 7, UnitID: 3, Grade: "a"}}
	for _, tc := range []struct {
		name   string
		per    platform.Period
		years  map[int]string
		asked  []int
		direct string
	}{
		{"a quarter looks at the two years before", platform.Period{Kind: platform.Quarter, Year: 2026, N: 3}, map[int]string{2025: "4/5", 2024: "9/10"}, []int{2025, 2024}, assess.GradeStay},
		{"one good year does not block", platform.Period{Kind: platform.Quarter, Year: 2026, N: 3}, map[int]string{2025: "4/5", 2024: "1"}, []int{2025, 2024}, assess.GradeUp},
		{"a year without data does not block", platform.Period{Kind: platform.Quarter, Year: 2026, N: 3}, map[int]string{2025: "4/5"}, []int{2025, 2024}, assess.GradeUp},
		{"an annual review counts its own year from the cycle", platform.Period{Kind: platform.Year, Year: 2026}, map[int]string{2025: "4/5"}, []int{2025}, assess.GradeUp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &yearInputs{byYear: tc.years}
			s := &Service{Inputs: in}
			r := rule
			r.Cycle = tc.per.Kind
			cases := []assess.GradeCase{{PersonID: 7, Grade: "a", Period: tc.per, Composite: 9500, Completion: target.CompletionMinor(1, 1)}}
			if err := s.annualCompletion(context.Background(), 1, tc.per, r.WeakYears, cases, []int{0}, people); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(in.asked, tc.asked) {
				t.Errorf("asked for %v, want %v", in.asked, tc.asked)
			}
			d, err := assess.ReviewGrade(r, ladder, cases[0])
			if err != nil {
				t.Fatal(err)
			}
			if d.Direction != tc.direct {
				t.Errorf("direction %s (%s), want %s", d.Direction, d.ReasonZh, tc.direct)
			}
		})
	}
}
