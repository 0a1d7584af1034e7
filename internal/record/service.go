package record

import (
	"context"
	"fmt"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/job"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

// Store is the persistence this package needs. Reads that return records
// take the viewer's scope; the streaming reads serve the importer, which
// checks the importer's scope itself against the indexes it builds.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	Units(ctx context.Context, institution int64, asOf platform.Date) ([]org.Unit, error)
	RecordTypes(ctx context.Context, institution int64) ([]Type, error)

	// EachCustomerKey streams every customer of the institution by id,
	// each with its attribution rows in force on some day of [from, to]:
	// fn is called once per attribution row, or once with nil for a
	// customer without one. One ordered scan of both tables.
	// ids, when not nil, limits the stream to those customers.
	EachCustomerKey(ctx context.Context, institution int64, ids []int64, from, to platform.Date, fn func(CustomerKey, *AttributionSpan) error) error
	// CustomerIDsByIDNumber returns the ids of the institution's
	// customers with these normalised ID numbers (unknown ones are left out).
	CustomerIDsByIDNumber(ctx context.Context, institution int64, idNumbers []string) ([]int64, error)
	// CustomerRecordRows returns the stored rows of the customers' records
	// dated on or after from; DeleteCustomerRecords deletes them.
	CustomerRecordRows(ctx context.Context, institution int64, customerIDs []int64, from platform.Date) ([]Row, error)
	DeleteCustomerRecords(ctx context.Context, institution int64, customerIDs []int64, from platform.Date) (int64, error)
	// ManagerSpans returns the unit records of the institution's people
	// in force on some day of [from, to].
	ManagerSpans(ctx context.Context, institution int64, from, to platform.Date) ([]Span, error)

	// LockRecordMonth takes the month's import lock for the transaction.
	LockRecordMonth(ctx context.Context, institution int64, month string) error
	// SummarizeRecords brings the month index up to date after a load.
	SummarizeRecords(ctx context.Context) error
	// MonthImported reports whether an import of the month ever committed
	// (only then can the month hold records).
	MonthImported(ctx context.Context, institution int64, month string) (bool, error)
	// EachRecordKey streams the source id and content hash of every record of a month.
	// EachRecordKey streams the source id and content hash of every stored
	// row of a month, or, with ids not nil, of those source ids only (in
	// the caller's transaction).
	EachRecordKey(ctx context.Context, institution int64, month int, ids []string, fn func(sourceID string, hash int64) error) error
	CreateRecordImport(ctx context.Context, l *ImportLog) error
	FinishRecordImport(ctx context.Context, l *ImportLog) error
	// LoadCredits bulk-loads the rows next yields until it returns false.
	LoadCredits(ctx context.Context, next func() (*Row, bool)) (int64, error)
	// DeleteReplaced deletes the month's rows of the given source ids not
	// written by import keep, and returns them.
	DeleteReplaced(ctx context.Context, institution int64, month int, keep int64, sourceIDs []string) ([]Credit, error)

	ListRecordImports(ctx context.Context, institution int64, month string, page, pageSize int) ([]ImportLog, int, error)
	// ListCredits returns a page of the month's credited rows whose person
	// (or, for rows credited to nobody, whose branch) the scope may see.
	ListCredits(ctx context.Context, scope access.Scope, f Filter, asOf platform.Date) ([]Credit, int, error)

	SaveImportReport(ctx context.Context, id string, institution, userID int64, kind string, content []byte) error
}

// PeriodGuard refuses writes into closed periods.
type PeriodGuard interface {
	EnsureOpen(ctx context.Context, institution int64, d platform.Date) error
}

// Service holds the business-record use cases.
type Service struct {
	Store   Store
	Audit   audit.Log
	Clock   platform.Clock
	Periods PeriodGuard
	Jobs    *job.Runner
	// SmallFile is the most rows a file may have for the import to read
	// only the customers it names instead of the whole customer base (a
	// correction of a few hundred rows at an institution of ten million
	// customers); 0 means DefaultSmallFile, a negative value never.
	SmallFile int
}

// DefaultSmallFile is SmallFile's default.
const DefaultSmallFile = 50_000

// Types lists the institution's record types.
func (s *Service) Types(ctx context.Context) ([]Type, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.RecordRead) && !p.Can(access.RecordImport) && !p.Can(access.MetricRead) {
		return nil, platform.ErrForbidden
	}
	return s.Store.RecordTypes(ctx, p.Institution)
}

// Imports lists the committed imports, newest first.
func (s *Service) Imports(ctx context.Context, month string, page, pageSize int) ([]ImportLog, int, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.RecordRead) {
		return nil, 0, platform.ErrForbidden
	}
	f := platform.Fields{}
	if month != "" {
		if _, err := parseMonth(month); err != nil {
			f.Add("month", err.Error())
		}
	}
	checkPage(f, &page, &pageSize)
	if err := f.Err(); err != nil {
		return nil, 0, err
	}
	return s.Store.ListRecordImports(ctx, p.Institution, month, page, pageSize)
}

func checkPage(f platform.Fields, page, pageSize *int) {
	if *page == 0 {
		*page = 1
	}
	if *pageSize == 0 {
		*pageSize = 20
	}
	if *page < 1 {
		f.Add("page", "须为正整数 must be a positive whole number")
	}
	if *pageSize < 1 || *pageSize > 500 {
		f.Add("pageSize", "须为 1–500 must be 1–500")
	}
}

// List returns a page of credited rows in the viewer's scope: the records
// behind a statistics figure.
func (s *Service) List(ctx context.Context, f Filter) ([]Credit, int, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.RecordRead) {
		return nil, 0, platform.ErrForbidden
	}
	fs := platform.Fields{}
	m, err := parseMonth(f.Month)
	if err != nil {
		fs.Add("month", err.Error())
	}
	f.RecordType = strings.TrimSpace(f.RecordType)
	checkPage(fs, &f.Page, &f.PageSize)
	if err := fs.Err(); err != nil {
		return nil, 0, err
	}
	items, total, err := s.Store.ListCredits(ctx, p.Scope, f, m.End())
	if err != nil {
		return nil, 0, fmt.Errorf("list records: %w", err)
	}
	return items, total, nil
}

// StartImport checks what can be checked at once (permission, month,
// closed period) and runs the import of the file at path as a background
// job. The job removes the file when it ends.
func (s *Service) StartImport(ctx context.Context, req ImportRequest) (job.Job, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.RecordImport) {
		return job.Job{}, platform.ErrForbidden
	}
	m, err := parseMonth(req.Month)
	if err != nil {
		return job.Job{}, platform.Invalid("month", err.Error())
	}
	if req.Mode == "" {
		req.Mode = ModeAllOrNothing
	}
	if req.Mode != ModeAllOrNothing && req.Mode != ModeValidRows {
		return job.Job{}, platform.Invalid("mode", "须为 all_or_nothing 或 valid_rows must be all_or_nothing or valid_rows")
	}
	if err := s.Periods.EnsureOpen(ctx, p.Institution, m.Start()); err != nil {
		return job.Job{}, err
	}
	return s.Jobs.Start(ctx, "record_import", func(ctx context.Context, pr *job.Progress) (job.Outcome, error) {
		defer req.cleanup()
		return s.Import(ctx, req, pr)
	})
}
