package cycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// TaskSource reads each manager's task completion of a month.
type TaskSource interface {
	MonthTasks(ctx context.Context, institution int64, month platform.Period) (map[int64][]assess.TaskResult, error)
}

// TaskReviewStore is the persistence of task reviews.
type TaskReviewStore interface {
	TaskReview(ctx context.Context, institution int64, period string) (TaskReview, error)
	TaskReviews(ctx context.Context, institution int64) ([]TaskReview, error)
	SaveTaskReview(ctx context.Context, r *TaskReview) error
	// ReplaceReviewOutcomes drops the review's undecided proposals and
	// stores os.
	ReplaceReviewOutcomes(ctx context.Context, institution, reviewID int64, os []Outcome) error
	// DecidedReviewOutcomes returns the kinds already decided, by person.
	DecidedReviewOutcomes(ctx context.Context, reviewID int64) (map[int64][]string, error)
}

// TaskReview is one run of the monthly task-completion rule.
type TaskReview struct {
	ID          int64         `json:"id"`
	Institution int64         `json:"-"`
	Period      string        `json:"period"`
	AsOf        platform.Date `json:"asOf"`
	Cases       int64         `json:"cases"`
	Proposals   int64         `json:"proposals"`
	Runs        int           `json:"runs"`
	RunBy       string        `json:"runBy"`
	RunAt       time.Time     `json:"runAt"`
}

// TaskReviewInput names the month to review.
type TaskReviewInput struct {
	Period string `json:"period"`
}

// inactive statuses are left out of a task review.
var inactive = []string{"candidate", "terminated"}

// ReviewTasks applies the institution's task-completion rule (002 第十一条,
// SPEC §5: three months of missed tasks, or any task under 30% in a
// month, convert a manager to general marketer; three good months after
// allow a return) to an ended month and stores the proposals for the
// marketing department to confirm. Each month counts for a person only
// while they held the same position at its end: a converted manager's
// months start at the conversion. Running a month again, after late
// corrections, replaces the proposals nobody decided yet and keeps the
// decided ones.
func (s *Service) ReviewTasks(ctx context.Context, in TaskReviewInput) (TaskReview, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return TaskReview{}, err
	}
	per, err := platform.ParsePeriod(strings.TrimSpace(in.Period))
	if err != nil || per.Kind != platform.Month {
		return TaskReview{}, platform.Invalid("period", "月份须为 YYYY-MM the month must be YYYY-MM")
	}
	today := platform.DateOf(s.Clock.Now())
	if !per.End().Before(today) {
		return TaskReview{}, platform.Invalid("period", fmt.Sprintf("%s 尚未结束，月末后才能考核任务 %s has not ended: tasks are reviewed after the month", per, per))
	}
	if s.Tasks == nil || s.Reviews == nil || s.Outcomes == nil {
		return TaskReview{}, platform.ErrNotFound
	}
	pr, err := s.consequences(ctx, p.Institution, nil)
	if err != nil {
		return TaskReview{}, err
	}
	rule := pr.Outcomes.Coop
	if rule == nil {
		return TaskReview{}, platform.Conflict("no_rule", "period", "本机构未配置任务考核规则 the institution has no task-completion rule")
	}
	// The months the rule looks back over, oldest first, with the
	// organisation at each month's end and each manager's tasks.
	n := max(rule.MissMonths, rule.RecoverMonths)
	months := make([]platform.Period, n)
	for i, m := n-1, per; i >= 0; i, m = i-1, m.MonthBefore() {
		months[i] = m
	}
	type monthData struct {
		people map[int64]assess.Person
		tasks  map[int64][]assess.TaskResult
	}
	data := make([]monthData, n)
	for i, m := range months {
		ppl, err := s.Store.AssessPeople(ctx, p.Institution, m.End())
		if err != nil {
			return TaskReview{}, err
		}
		data[i].people = make(map[int64]assess.Person, len(ppl))
		for _, q := range ppl {
			data[i].people[q.ID] = q
		}
		if data[i].tasks, err = s.Tasks.MonthTasks(ctx, p.Institution, m); err != nil {
			return TaskReview{}, err
		}
	}
	last := data[n-1]
	var cases []assess.CoopCase
	for _, id := range sortedKeys(last.people) {
		q := last.people[id]
		if slices.Contains(inactive, q.Status) || (!slices.Contains(rule.Positions, q.Position) && q.Position != rule.ConvertTo) {
			continue
		}
		c := assess.CoopCase{PersonID: id, Position: q.Position}
		for i := n - 1; i >= 0; i-- {
			if was, ok := data[i].people[id]; !ok || was.Position != q.Position {
				break
			}
			c.Months = append([]assess.CoopMonth{{Period: months[i], Tasks: data[i].tasks[id]}}, c.Months...)
		}
		cases = append(cases, c)
	}
	proposals := assess.CoopOutcomes(*rule, per, cases)

	var out TaskReview
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.Reviews.TaskReview(ctx, p.Institution, per.String())
		switch {
		case errors.Is(err, platform.ErrNotFound):
			r = TaskReview{Institution: p.Institution, Period: per.String(), AsOf: per.End()}
		case err != nil:
			return err
		default:
			r.Runs++
		}
		r.Cases, r.RunBy, r.RunAt = int64(len(cases)), p.Username, s.Clock.Now()
		if err := s.Reviews.SaveTaskReview(ctx, &r); err != nil {
			return err
		}
		decided, err := s.Reviews.DecidedReviewOutcomes(ctx, r.ID)
		if err != nil {
			return err
		}
		var os []Outcome
		for _, pp := range proposals {
			if slices.Contains(decided[pp.PersonID], pp.Kind) {
				continue
			}
			os = append(os, Outcome{Kind: pp.Kind, PersonID: pp.PersonID, UnitID: last.people[pp.PersonID].UnitID, Proposal: pp})
		}
		if err := s.Reviews.ReplaceReviewOutcomes(ctx, p.Institution, r.ID, os); err != nil {
			return err
		}
		r.Proposals = int64(len(os))
		if err := s.Reviews.SaveTaskReview(ctx, &r); err != nil {
			return err
		}
		out = r
		return s.Audit.Record(ctx, audit.Change{Action: "assess.task_review.run", ObjectType: "assess_task_review", ObjectID: fmt.Sprint(r.ID),
			After: map[string]any{"period": r.Period, "run": r.Runs, "cases": r.Cases, "proposals": r.Proposals}})
	})
	return out, err
}

// TaskReviewList lists the institution's task reviews, newest month first.
func (s *Service) TaskReviewList(ctx context.Context) ([]TaskReview, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return nil, err
	}
	if s.Reviews == nil {
		return []TaskReview{}, nil
	}
	return s.Reviews.TaskReviews(ctx, p.Institution)
}

func sortedKeys[V any](m map[int64]V) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
