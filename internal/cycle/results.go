package cycle

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"

	"cmhub/internal/access"
	"cmhub/internal/platform"
)

// MaxResults bounds one page of results.
const MaxResults = 500

// ResultPage is one page of a cycle's results.
type ResultPage struct {
	Cycle Cycle       `json:"cycle"`
	Rows  []ResultRow `json:"rows"`
	Total int         `json:"total"`
}

func sortProgress(rs []RaterProgress) {
	slices.SortFunc(rs, func(a, b RaterProgress) int {
		if c := cmp.Compare(b.Pending+b.Draft, a.Pending+a.Draft); c != 0 {
			return c
		}
		return cmp.Compare(a.EmpNo, b.EmpNo)
	})
}

func readPrincipal(ctx context.Context) (*access.Principal, error) {
	p, err := principal(ctx, "")
	if err != nil {
		return nil, err
	}
	if !p.Can(access.AssessRead) && !p.Can(access.AssessManage) {
		return nil, platform.ErrForbidden
	}
	return p, nil
}

// Results lists a cycle's results inside the viewer's scope, best first.
func (s *Service) Results(ctx context.Context, cycleID int64, scheme string, limit, offset int) (ResultPage, error) {
	p, err := readPrincipal(ctx)
	if err != nil {
		return ResultPage{}, err
	}
	c, err := s.Store.Cycle(ctx, p.Institution, cycleID, false)
	if err != nil {
		return ResultPage{}, err
	}
	if limit <= 0 || limit > MaxResults {
		limit = MaxResults
	}
	rows, total, err := s.Store.AssessResults(ctx, p.Scope, c.AsOf, ResultQuery{Institution: p.Institution, Cycle: c.ID, Scheme: scheme,
		Limit: limit, Offset: max(offset, 0)})
	if err != nil {
		return ResultPage{}, err
	}
	return ResultPage{Cycle: c, Rows: rows, Total: total}, nil
}

// SubjectResult is one subject's result of a cycle with its derivation,
// and the subject's results of every cycle (history).
type SubjectResult struct {
	Cycle   Cycle       `json:"cycle"`
	Result  ResultRow   `json:"result"`
	Detail  *Detail     `json:"detail"`
	History []ResultRow `json:"history"`
	// Raters says whether the derivation names the raters and their
	// totals; only the marketing department sees them.
	Raters bool `json:"raters"`
}

// Result returns one subject's result with its full derivation. Only a
// viewer with assess:manage sees who rated and what each gave; everyone
// else — the subject above all — sees group counts, means and weights.
func (s *Service) Result(ctx context.Context, cycleID int64, kind string, id int64) (SubjectResult, error) {
	p, err := readPrincipal(ctx)
	if err != nil {
		return SubjectResult{}, err
	}
	c, err := s.Store.Cycle(ctx, p.Institution, cycleID, false)
	if err != nil {
		return SubjectResult{}, err
	}
	rows, _, err := s.Store.AssessResults(ctx, p.Scope, c.AsOf, ResultQuery{Institution: p.Institution, Cycle: c.ID,
		SubjectKind: kind, SubjectID: id, WithDetail: true, Limit: 1})
	if err != nil {
		return SubjectResult{}, err
	}
	if len(rows) == 0 {
		return SubjectResult{}, platform.ErrNotFound
	}
	out := SubjectResult{Cycle: c, Result: rows[0], Raters: p.Can(access.AssessManage)}
	var d Detail
	if err := json.Unmarshal(rows[0].Detail, &d); err != nil {
		return SubjectResult{}, err
	}
	if !out.Raters {
		d.Result = d.Result.ForSubject()
	}
	out.Detail = &d
	out.Result.Detail = nil
	history, _, err := s.Store.AssessResults(ctx, p.Scope, c.AsOf, ResultQuery{Institution: p.Institution, SubjectKind: kind, SubjectID: id, Limit: 100})
	if err != nil {
		return SubjectResult{}, err
	}
	out.History = history
	return out, nil
}
