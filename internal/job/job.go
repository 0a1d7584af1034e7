// Package job runs long operations (imports today, the monthly close
// later) in the background: the request that starts one answers at once
// with the job, and the UI polls its progress. Progress lives in memory
// while the job runs; the outcome is stored. A job that was running when
// the server stopped is marked interrupted at the next start — its work ran
// in one transaction, so nothing of it was kept.
package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/platform"
)

// Statuses of a job.
const (
	Queued    = "queued"
	Running   = "running"
	Succeeded = "succeeded"
	Rejected  = "rejected" // the input was refused; nothing was written
	Failed    = "failed"   // an error of the server; nothing was written
)

// MaxListedErrors is how many row errors a job carries in its answer; the
// error workbook has them all.
const MaxListedErrors = 200

// Job is a background job as the API shows it.
type Job struct {
	ID          string              `json:"id"`
	Institution int64               `json:"-"`
	UserID      int64               `json:"-"`
	Kind        string              `json:"kind"`
	Status      string              `json:"status"`
	Phase       string              `json:"phase"`
	Total       int64               `json:"total"`
	Done        int64               `json:"done"`
	Message     string              `json:"message"`
	Result      json.RawMessage     `json:"result"`
	Errors      []platform.RowError `json:"errors"`
	ErrorCount  int64               `json:"errorCount"`
	ReportID    string              `json:"reportId"`
	CreatedAt   time.Time           `json:"createdAt"`
	FinishedAt  *time.Time          `json:"finishedAt"`
}

// Outcome is what a job's function reports when it ends without a server
// error.
type Outcome struct {
	Status     string // Succeeded or Rejected
	Message    string
	Result     any
	Errors     []platform.RowError
	ErrorCount int64
	ReportID   string
}

// Store keeps jobs.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	SaveJob(ctx context.Context, j Job) error
	Job(ctx context.Context, id string) (Job, error)
	// InterruptJobs marks every job still queued or running as failed.
	InterruptJobs(ctx context.Context, message string, at time.Time) (int64, error)
}

// Progress is how a running job reports what it is doing.
type Progress struct {
	phase atomic.Value // string
	total atomic.Int64
	done  atomic.Int64
}

// Phase names the current step ("reading", "writing" …).
func (p *Progress) Phase(s string) { p.phase.Store(s) }

// Total sets the amount of work, 0 when unknown.
func (p *Progress) Total(n int64) { p.total.Store(n) }

// Done sets the work done so far.
func (p *Progress) Done(n int64) { p.done.Store(n) }

// Func is the work of a job. It runs with the starting principal in ctx
// and is cancelled when the server shuts down.
type Func func(ctx context.Context, p *Progress) (Outcome, error)

// Runner starts jobs and answers for them.
type Runner struct {
	Store Store
	Clock platform.Clock
	Log   *slog.Logger

	mu     sync.Mutex
	live   map[string]*live
	wg     sync.WaitGroup
	base   context.Context
	cancel context.CancelFunc
}

type live struct {
	job      Job
	progress *Progress
}

// Open prepares the runner: jobs left running by a previous process are
// marked interrupted. Close cancels running jobs and waits for them.
func (r *Runner) Open(ctx context.Context) error {
	r.mu.Lock()
	r.live = map[string]*live{}
	r.base, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.mu.Unlock()
	var n int64
	err := r.Store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = r.Store.InterruptJobs(ctx, interrupted, r.Clock.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	if n > 0 && r.Log != nil {
		r.Log.Warn("jobs interrupted by the previous shutdown", "count", n)
	}
	return nil
}

const interrupted = "服务重启，任务中断，未写入任何数据，请重新提交 the server restarted during the job; nothing was written, please run it again"

// Close cancels running jobs and waits until they have rolled back.
func (r *Runner) Close() {
	r.mu.Lock()
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.wg.Wait()
}

// Wait blocks until no job runs (tests, the CLI).
func (r *Runner) Wait() { r.wg.Wait() }

// Start records a job for the principal in ctx and runs fn in the
// background.
func (r *Runner) Start(ctx context.Context, kind string, fn Func) (Job, error) {
	p := access.FromContext(ctx)
	if p == nil {
		return Job{}, platform.ErrUnauthorized
	}
	r.mu.Lock()
	base := r.base
	r.mu.Unlock()
	if base == nil {
		return Job{}, errors.New("job runner not open")
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	j := Job{ID: hex.EncodeToString(b), Institution: p.Institution, UserID: p.UserID, Kind: kind,
		Status: Running, CreatedAt: r.Clock.Now().UTC()}
	if err := r.Store.WithTx(ctx, func(ctx context.Context) error { return r.Store.SaveJob(ctx, j) }); err != nil {
		return Job{}, fmt.Errorf("save job: %w", err)
	}
	l := &live{job: j, progress: &Progress{}}
	l.progress.Phase("")
	r.mu.Lock()
	r.live[j.ID] = l
	r.mu.Unlock()
	jctx := access.WithPrincipal(platform.WithRequestID(base, platform.RequestID(ctx)), p)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.run(jctx, l, fn)
	}()
	return r.snapshot(l), nil
}

func (r *Runner) run(ctx context.Context, l *live, fn Func) {
	out, err := func() (out Outcome, err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("job panicked: %v", v)
			}
		}()
		return fn(ctx, l.progress)
	}()
	j := r.snapshot(l)
	now := r.Clock.Now().UTC()
	j.FinishedAt = &now
	switch {
	case err != nil && ctx.Err() != nil:
		j.Status, j.Message = Failed, interrupted
	case err != nil:
		j.Status = Failed
		j.Message = "任务失败，未写入任何数据；请联系管理员并提供任务编号 the job failed and wrote nothing; tell the administrator the job id " + j.ID
		if r.Log != nil {
			r.Log.Error("job failed", "job", j.ID, "kind", j.Kind, "err", err)
		}
	default:
		j.Status, j.Message, j.ErrorCount, j.ReportID = out.Status, out.Message, out.ErrorCount, out.ReportID
		j.Errors = out.Errors
		if len(j.Errors) > MaxListedErrors {
			j.Errors = j.Errors[:MaxListedErrors]
		}
		if out.Result != nil {
			if b, merr := json.Marshal(out.Result); merr == nil {
				j.Result = b
			}
		}
	}
	// The outcome is saved even when the job's own context is cancelled.
	sctx := context.WithoutCancel(ctx)
	if serr := r.Store.WithTx(sctx, func(ctx context.Context) error { return r.Store.SaveJob(ctx, j) }); serr != nil && r.Log != nil {
		r.Log.Error("save job outcome", "job", j.ID, "err", serr)
	}
	r.mu.Lock()
	l.job = j
	delete(r.live, j.ID)
	r.mu.Unlock()
}

func (r *Runner) snapshot(l *live) Job {
	r.mu.Lock()
	j := l.job
	r.mu.Unlock()
	if ph, ok := l.progress.phase.Load().(string); ok {
		j.Phase = ph
	}
	j.Total, j.Done = l.progress.total.Load(), l.progress.done.Load()
	return j
}

// Get returns a job of the principal in ctx: a job is seen only by the
// user who started it.
func (r *Runner) Get(ctx context.Context, id string) (Job, error) {
	p := access.FromContext(ctx)
	if p == nil {
		return Job{}, platform.ErrUnauthorized
	}
	r.mu.Lock()
	l, ok := r.live[id]
	r.mu.Unlock()
	var j Job
	if ok {
		j = r.snapshot(l)
	} else {
		var err error
		if j, err = r.Store.Job(ctx, id); err != nil {
			return Job{}, err
		}
	}
	if j.UserID != p.UserID || j.Institution != p.Institution {
		return Job{}, platform.ErrNotFound
	}
	return j, nil
}
