package cycle

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// ExamStore is the persistence of exam scores.
type ExamStore interface {
	// ScopedPeople maps the employee numbers of people inside the scope
	// (placed by their record in force on asOf) to their ids.
	ScopedPeople(ctx context.Context, sc access.Scope, asOf platform.Date, empNos []string) (map[string]int64, error)
	SaveExamScores(ctx context.Context, institution int64, period string, rows []ExamScore) error
	ExamScores(ctx context.Context, sc access.Scope, asOf platform.Date, institution int64, period string) ([]ExamScore, error)
	// BestExamScores returns each person's best score of the period.
	BestExamScores(ctx context.Context, institution int64, period string) (map[int64]assess.Score, error)
}

// ExamScore is one person's score in one exam that counts for a period.
type ExamScore struct {
	PersonID   int64        `json:"personId"`
	EmpNo      string       `json:"empNo"`
	Name       string       `json:"name"`
	Exam       string       `json:"exam"`
	Score      assess.Score `json:"score"`
	RecordedBy string       `json:"recordedBy"`
	RecordedAt time.Time    `json:"recordedAt"`
}

// ExamRow is one entered score.
type ExamRow struct {
	EmpNo string `json:"empNo"`
	Exam  string `json:"exam"`
	Score string `json:"score"`
}

// ExamInput records the scores of exams that count for a period (the
// period of the grade review that reads them).
type ExamInput struct {
	Period string    `json:"period"`
	Rows   []ExamRow `json:"rows"`
}

const maxExamRows = 10000

// SaveExams records exam scores (考试成绩) for the grade review of a
// period: each row names a person inside the recorder's scope,
// the exam, and a score 0–100 with at most two decimals. Every bad row is
// named and nothing is stored unless all are good; a score entered again
// for the same person and exam replaces the old one, audited with both.
func (s *Service) SaveExams(ctx context.Context, in ExamInput) ([]ExamScore, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return nil, err
	}
	if s.Exams == nil {
		return nil, platform.ErrNotFound
	}
	fs := platform.Fields{}
	per, err := platform.ParsePeriod(strings.TrimSpace(in.Period))
	if err != nil {
		fs.Add("period", "期间须为 YYYY-MM、YYYY-Qn 或 YYYY the period must be YYYY-MM, YYYY-Qn or YYYY")
	}
	if len(in.Rows) == 0 || len(in.Rows) > maxExamRows {
		fs.Add("rows", fmt.Sprintf("须录入 1–%d 行成绩 enter 1–%d rows of scores", maxExamRows, maxExamRows))
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	today := platform.DateOf(s.Clock.Now())
	nos := make([]string, 0, len(in.Rows))
	for _, r := range in.Rows {
		nos = append(nos, strings.TrimSpace(r.EmpNo))
	}
	ids, err := s.Exams.ScopedPeople(ctx, p.Scope, today, nos)
	if err != nil {
		return nil, err
	}
	type key struct {
		id   int64
		exam string
	}
	seen := map[key]int{}
	rows := make([]ExamScore, 0, len(in.Rows))
	for i, r := range in.Rows {
		field := fmt.Sprintf("rows[%d]", i)
		no, exam := strings.TrimSpace(r.EmpNo), strings.TrimSpace(r.Exam)
		id, ok := ids[no]
		if !ok {
			fs.Add(field+".empNo", fmt.Sprintf("第 %d 行：工号 %q 不存在或不在您的范围内 row %d: employee number %q is unknown or outside your scope", i+1, no, i+1, no))
		}
		if exam == "" || utf8.RuneCountInString(exam) > 60 {
			fs.Add(field+".exam", fmt.Sprintf("第 %d 行：考试名称须为 1–60 字 row %d: the exam name must be 1–60 characters", i+1, i+1))
		}
		sc, err := assess.ParseScore(strings.TrimSpace(r.Score))
		if err != nil || sc > assess.OfPoints(assess.Whole(assess.TotalPoints)) {
			fs.Add(field+".score", fmt.Sprintf("第 %d 行：成绩 %q 须在 0–100 之间，最多两位小数 row %d: the score %q must be within 0–100 with at most two decimals", i+1, r.Score, i+1, r.Score))
		}
		if j, dup := seen[key{id, exam}]; ok && dup {
			fs.Add(field, fmt.Sprintf("第 %d 行与第 %d 行重复（同一人同一考试） row %d repeats row %d (same person and exam)", i+1, j+1, i+1, j+1))
		}
		seen[key{id, exam}] = i
		rows = append(rows, ExamScore{PersonID: id, EmpNo: no, Exam: exam, Score: sc, RecordedBy: p.Username, RecordedAt: s.Clock.Now()})
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.Exams.ExamScores(ctx, access.Scope{Institution: p.Institution, All: true}, today, p.Institution, per.String())
		if err != nil {
			return err
		}
		before := map[key]assess.Score{}
		for _, o := range old {
			before[key{o.PersonID, o.Exam}] = o.Score
		}
		if err := s.Exams.SaveExamScores(ctx, p.Institution, per.String(), rows); err != nil {
			return err
		}
		changes := make([]audit.Change, 0, len(rows))
		for _, r := range rows {
			ch := audit.Change{Action: "assess.exam.save", ObjectType: "person", ObjectID: fmt.Sprint(r.PersonID),
				After: map[string]any{"period": per.String(), "exam": r.Exam, "score": r.Score.String()}}
			if b, ok := before[key{r.PersonID, r.Exam}]; ok {
				ch.Before = map[string]any{"period": per.String(), "exam": r.Exam, "score": b.String()}
			}
			changes = append(changes, ch)
		}
		return s.Audit.RecordMany(ctx, changes)
	})
	if err != nil {
		return nil, err
	}
	return s.Exams.ExamScores(ctx, p.Scope, today, p.Institution, per.String())
}

// ExamList lists the exam scores of a period inside the caller's scope.
func (s *Service) ExamList(ctx context.Context, period string) ([]ExamScore, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return nil, err
	}
	per, err := platform.ParsePeriod(strings.TrimSpace(period))
	if err != nil {
		return nil, platform.Invalid("period", "期间须为 YYYY-MM、YYYY-Qn 或 YYYY the period must be YYYY-MM, YYYY-Qn or YYYY")
	}
	if s.Exams == nil {
		return []ExamScore{}, nil
	}
	return s.Exams.ExamScores(ctx, p.Scope, platform.DateOf(s.Clock.Now()), p.Institution, per.String())
}
