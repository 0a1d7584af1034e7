package metric

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// Store is the persistence this package needs. Metrics belong to an
// institution; they are never deleted, only deactivated.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// ListMetrics returns an institution's metrics in catalogue order.
	ListMetrics(ctx context.Context, institution int64, activeOnly bool) ([]Metric, error)
	// MetricByKey returns one metric, or platform.ErrNotFound.
	MetricByKey(ctx context.Context, institution int64, key string) (Metric, error)
	// CreateMetric inserts m as version 1 and sets its ID, Version and
	// UpdatedAt; a key already taken is a platform.ConflictError.
	CreateMetric(ctx context.Context, m *Metric) error
	// UpdateMetric writes m if its stored version is still m.Version, and
	// bumps Version and UpdatedAt; otherwise a platform.ConflictError.
	UpdateMetric(ctx context.Context, m *Metric) error
	// DeactivateMetric marks m inactive under the same version check.
	DeactivateMetric(ctx context.Context, m *Metric) error
}

// Service holds the metric-catalogue use cases.
type Service struct {
	Store Store
	Audit audit.Log

	mu    sync.Mutex
	cache map[int64]cached // compiled catalogue per institution
}

type cached struct {
	fingerprint string
	cat         *Catalogue
}

// List returns the institution's metrics, optionally only the active ones.
func (s *Service) List(ctx context.Context, activeOnly bool) ([]Metric, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.MetricRead) {
		return nil, platform.ErrForbidden
	}
	ms, err := s.Store.ListMetrics(ctx, p.Institution, activeOnly)
	if err != nil {
		return nil, fmt.Errorf("list metrics: %w", err)
	}
	return ms, nil
}

// Get returns one metric by key.
func (s *Service) Get(ctx context.Context, key string) (Metric, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.MetricRead) {
		return Metric{}, platform.ErrForbidden
	}
	return s.Store.MetricByKey(ctx, p.Institution, key)
}

// Catalogue returns the institution's whole catalogue, compiled. It is
// rebuilt only when a metric was created or changed (a new version), so
// each formula version is compiled once per process.
func (s *Service) Catalogue(ctx context.Context) (*Catalogue, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.MetricRead) {
		return nil, platform.ErrForbidden
	}
	ms, err := s.Store.ListMetrics(ctx, p.Institution, false)
	if err != nil {
		return nil, fmt.Errorf("list metrics: %w", err)
	}
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Key + ":" + strconv.Itoa(m.Version) + ";")
	}
	fp := b.String()
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[p.Institution]; ok && c.fingerprint == fp {
		return c.cat, nil
	}
	cat, err := NewCatalogue(ms)
	if err != nil {
		return nil, fmt.Errorf("metric catalogue of institution %d: %w", p.Institution, err)
	}
	if s.cache == nil {
		s.cache = map[int64]cached{}
	}
	s.cache[p.Institution] = cached{fp, cat}
	return cat, nil
}

// Create adds a metric, checked together with the whole catalogue as it
// would be after the change, and audits it in the same transaction.
func (s *Service) Create(ctx context.Context, in Input) (Metric, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.MetricManage) {
		return Metric{}, platform.ErrForbidden
	}
	m := Metric{Institution: p.Institution, Key: strings.TrimSpace(in.Key), Active: true}
	in.apply(&m)
	if err := m.Validate().Err(); err != nil {
		return Metric{}, err
	}
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		all, err := s.Store.ListMetrics(ctx, p.Institution, false)
		if err != nil {
			return fmt.Errorf("list metrics: %w", err)
		}
		if slices.ContainsFunc(all, func(x Metric) bool { return x.Key == m.Key }) {
			return duplicate(m.Key)
		}
		if err := check(append(all, m), m.Key); err != nil {
			return err
		}
		if err := s.Store.CreateMetric(ctx, &m); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "metric.create", ObjectType: "metric", ObjectID: m.Key, After: m})
	})
	if err != nil {
		return Metric{}, err
	}
	return m, nil
}

// Update replaces a metric's names, unit, aggregation, source and
// description with in (the whole edit form, not a patch; Active is kept
// when nil) and bumps its version. The key cannot change. The catalogue
// as it would be after the change is checked first, so an edit cannot
// introduce a cycle or break a formula. An update that changes nothing
// returns the metric as it is, without a new version.
func (s *Service) Update(ctx context.Context, key string, in Input) (Metric, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.MetricManage) {
		return Metric{}, platform.ErrForbidden
	}
	if k := strings.TrimSpace(in.Key); k != "" && k != key {
		return Metric{}, platform.Invalid("key", "指标代码不能修改 the key cannot change")
	}
	var out Metric
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		all, i, err := s.load(ctx, p.Institution, key)
		if err != nil {
			return err
		}
		before := all[i]
		if in.Version != 0 && in.Version != before.Version {
			return stale(key, before.Version)
		}
		m := before
		in.apply(&m)
		if err := m.Validate().Err(); err != nil {
			return err
		}
		if same(before, m) {
			out = before
			return nil
		}
		if before.Active && !m.Active {
			if err := notInUse(all, key); err != nil {
				return err
			}
		}
		all[i] = m
		if err := check(all, key); err != nil {
			return err
		}
		if err := s.Store.UpdateMetric(ctx, &m); err != nil {
			return err
		}
		out = m
		return s.Audit.Record(ctx, audit.Change{Action: "metric.update", ObjectType: "metric", ObjectID: key, Before: before, After: m})
	})
	if err != nil {
		return Metric{}, err
	}
	return out, nil
}

// Deactivate takes a metric out of use. A metric that an active formula
// refers to cannot be deactivated; the error names those formulas.
// Deactivating an inactive metric changes nothing.
func (s *Service) Deactivate(ctx context.Context, key, reason string) (Metric, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.MetricManage) {
		return Metric{}, platform.ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 200 {
		return Metric{}, platform.Invalid("reason", "原因最多 200 字 at most 200 characters")
	}
	var out Metric
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		all, i, err := s.load(ctx, p.Institution, key)
		if err != nil {
			return err
		}
		before := all[i]
		out = before
		if !before.Active {
			return nil
		}
		if err := notInUse(all, key); err != nil {
			return err
		}
		m := before
		if err := s.Store.DeactivateMetric(ctx, &m); err != nil {
			return err
		}
		out = m
		return s.Audit.Record(ctx, audit.Change{Action: "metric.deactivate", ObjectType: "metric", ObjectID: key,
			Before: before, After: m, Reason: reason})
	})
	if err != nil {
		return Metric{}, err
	}
	return out, nil
}

// load returns the whole catalogue and the index of key in it.
func (s *Service) load(ctx context.Context, inst int64, key string) ([]Metric, int, error) {
	all, err := s.Store.ListMetrics(ctx, inst, false)
	if err != nil {
		return nil, 0, fmt.Errorf("list metrics: %w", err)
	}
	i := slices.IndexFunc(all, func(x Metric) bool { return x.Key == key })
	if i < 0 {
		return nil, 0, platform.ErrNotFound
	}
	return all, i, nil
}

// check validates the catalogue ms as it would be after a change to the
// metric focus; errors about focus name its fields plainly.
func check(ms []Metric, focus string) error {
	_, fs := build(ms, focus)
	return fs.Err()
}

// notInUse refuses when an active formula of all refers to key.
func notInUse(all []Metric, key string) error {
	var users []string
	known := make(map[string]bool, len(all))
	for _, m := range all {
		known[m.Key] = true
	}
	for _, m := range all {
		if !m.Active || !m.IsFormula() || m.Key == key {
			continue
		}
		f, msg := compileFormula(m.Key, m.Formula, known)
		if msg != "" {
			return fmt.Errorf("stored formula of %s does not compile: %s", m.Key, msg)
		}
		if slices.Contains(f.Inputs, key) {
			users = append(users, fmt.Sprintf("%s（%s）", m.Key, m.NameZh))
		}
	}
	if len(users) == 0 {
		return nil
	}
	return platform.Conflict("in_use", "active", fmt.Sprintf("指标 %s 被公式指标 %s 引用，不能停用 is used by formula metric(s) %s and cannot be deactivated",
		key, strings.Join(users, "、"), strings.Join(users, ", ")))
}

// same reports whether an update would change nothing.
func same(a, b Metric) bool {
	return a.NameZh == b.NameZh && a.NameEn == b.NameEn && a.Unit == b.Unit && a.Aggregation == b.Aggregation &&
		a.SourceKind == b.SourceKind && a.RecordType == b.RecordType && a.Field == b.Field &&
		maps.Equal(a.Conversion, b.Conversion) && a.Formula == b.Formula && a.Description == b.Description && a.Active == b.Active
}

func duplicate(key string) error {
	return platform.Conflict("duplicate", "key", fmt.Sprintf("指标代码 %s 已存在 metric key already exists", key))
}

func stale(key string, current int) error {
	return platform.Conflict("stale", "version", fmt.Sprintf("指标 %s 已被他人修改（当前版本 %d），请刷新后重试 changed by someone else (now version %d); reload and retry", key, current, current))
}

// StaleVersion is the conflict a store returns when a metric's stored
// version is no longer the one an update started from.
func StaleVersion(key string) error {
	return platform.Conflict("stale", "version", fmt.Sprintf("指标 %s 已被他人修改，请刷新后重试 changed by someone else; reload and retry", key))
}

// DuplicateKey is the conflict a store returns for a key already taken.
func DuplicateKey(key string) error { return duplicate(key) }
