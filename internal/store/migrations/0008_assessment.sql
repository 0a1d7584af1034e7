-- Assessment (考核, SPEC §5): the institution's versioned scorecard rules,
-- cycles with the rules they were opened with, their subjects, one sheet
-- per rater and subject, and the computed results. See
-- docs/decisions/0013-assessment-rules.md and 0014-assessment-cycles.md.

-- The scorecard templates and rater schemes of an institution as one
-- checked JSON document; every change is a new version, the latest is in
-- force, and a cycle keeps a copy of what it was opened with.
CREATE TABLE assess_rule_sets (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    version        INTEGER NOT NULL,
    body           TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     {{TS}} NOT NULL,
    PRIMARY KEY (institution_id, version),
    CHECK (version >= 1)
);

CREATE TABLE assess_cycles (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    period_key     TEXT NOT NULL,            -- 2026-09 | 2026-Q3 | 2026
    kind           TEXT NOT NULL,            -- month | quarter | year
    as_of          {{DATE}} NOT NULL,        -- the organisation the raters were resolved from
    state          TEXT NOT NULL,
    rule_version   INTEGER NOT NULL,
    rules          TEXT NOT NULL,            -- the templates and schemes used, as opened
    gaps           TEXT NOT NULL DEFAULT '[]',
    subjects       BIGINT NOT NULL DEFAULT 0,
    sheets         BIGINT NOT NULL DEFAULT 0,
    note           TEXT NOT NULL DEFAULT '',
    opened_by      TEXT NOT NULL,
    opened_at      {{TS}} NOT NULL,
    computed_at    {{TS}},
    updated_at     {{TS}} NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (institution_id, period_key),
    CHECK (state IN ('open', 'scoring', 'review', 'closed')),
    CHECK (kind IN ('month', 'quarter', 'year'))
);

-- Who is assessed in a cycle, placed in the organisation of as_of: the
-- unit and its team, region and branch (0 when none) for ranks and scope.
CREATE TABLE assess_subjects (
    cycle_id       BIGINT NOT NULL REFERENCES assess_cycles(id),
    subject_kind   TEXT NOT NULL,            -- person | team
    subject_id     BIGINT NOT NULL,
    scheme         TEXT NOT NULL,
    unit_id        BIGINT NOT NULL,
    team_id        BIGINT NOT NULL DEFAULT 0,
    region_id      BIGINT NOT NULL DEFAULT 0,
    branch_id      BIGINT NOT NULL DEFAULT 0,
    position       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (cycle_id, subject_kind, subject_id),
    CHECK (subject_kind IN ('person', 'team'))
);

-- One rater's sheet for one subject. Points are the entered items as a
-- JSON object of item key → tenths of a point; rated_total is their sum.
-- Computed items are the subject's, added when results are computed.
CREATE TABLE assess_sheets (
    id             {{ID}},
    cycle_id       BIGINT NOT NULL REFERENCES assess_cycles(id),
    subject_kind   TEXT NOT NULL,
    subject_id     BIGINT NOT NULL,
    grp            TEXT NOT NULL,
    rater_id       BIGINT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending',
    points         TEXT NOT NULL DEFAULT '{}',
    rated_total    INTEGER NOT NULL DEFAULT 0,
    remark         TEXT NOT NULL DEFAULT '',
    reopened       INTEGER NOT NULL DEFAULT 0,
    saved_at       {{TS}},
    submitted_at   {{TS}},
    version        INTEGER NOT NULL DEFAULT 1,
    CHECK (state IN ('pending', 'draft', 'submitted')),
    CHECK (rated_total >= 0 AND rated_total <= 1000)
);
-- A cycle's sheets are loaded in subject order, so this index grows at
-- its end; the rater index is the one random-order cost of opening a
-- cycle. Uniqueness of (subject, group, rater) is the plan's guarantee
-- (package assess refuses a rater twice in a group): a unique index over
-- text columns cost PostgreSQL 10 s of the 2.5-million-sheet open.
CREATE INDEX assess_sheets_subject ON assess_sheets (cycle_id, subject_id);
CREATE INDEX assess_sheets_rater ON assess_sheets (rater_id, cycle_id);

-- The computed result of every subject, replaced as a whole by each
-- computation. composite is in hundredths of a point, NULL when held.
CREATE TABLE assess_results (
    cycle_id       BIGINT NOT NULL REFERENCES assess_cycles(id),
    subject_kind   TEXT NOT NULL,
    subject_id     BIGINT NOT NULL,
    composite      INTEGER,
    held           BOOLEAN NOT NULL,
    rank_team      INTEGER,
    rank_region    INTEGER,
    rank_branch    INTEGER,
    detail         TEXT NOT NULL,
    PRIMARY KEY (cycle_id, subject_kind, subject_id)
);
CREATE INDEX assess_results_subject ON assess_results (subject_kind, subject_id);
