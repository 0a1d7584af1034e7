-- Monthly task reviews and exam scores (SPEC §5 credit-coop rule, §7
-- grade reviews). See docs/decisions/0015-task-reviews-and-exams.md.

-- A task review applies the task-completion rule (002 第十一条) to one
-- month, outside any scored cycle: its proposals are outcomes like a
-- cycle's. Running it again replaces the proposals nobody decided yet.
CREATE TABLE assess_task_reviews (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    period_key     TEXT NOT NULL,            -- 2026-09
    as_of          {{DATE}} NOT NULL,        -- the month's last day
    cases          BIGINT NOT NULL DEFAULT 0,
    proposals      BIGINT NOT NULL DEFAULT 0,
    runs           INTEGER NOT NULL DEFAULT 1,
    run_by         TEXT NOT NULL,
    run_at         {{TS}} NOT NULL,
    UNIQUE (institution_id, period_key)
);

-- Exam scores (考试成绩) a grade review may require: one score per person,
-- period (of the grade review it counts for) and exam, in hundredths of a point.
CREATE TABLE exam_scores (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    period_key     TEXT NOT NULL,
    person_id      BIGINT NOT NULL REFERENCES persons(id),
    exam           TEXT NOT NULL,
    score          INTEGER NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    {{TS}} NOT NULL,
    PRIMARY KEY (institution_id, period_key, person_id, exam),
    CHECK (score >= 0 AND score <= 10000)
);

-- An outcome now comes from a cycle or from a task review, exactly one.
-- dialect: postgres
ALTER TABLE assess_outcomes ALTER COLUMN cycle_id DROP NOT NULL;
ALTER TABLE assess_outcomes ADD COLUMN review_id BIGINT REFERENCES assess_task_reviews(id);
ALTER TABLE assess_outcomes ADD CONSTRAINT assess_outcomes_source CHECK ((cycle_id IS NULL) <> (review_id IS NULL));
CREATE INDEX assess_outcomes_review ON assess_outcomes (review_id);
-- dialect: sqlite
CREATE TABLE assess_outcomes_v2 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    cycle_id       BIGINT REFERENCES assess_cycles(id),
    review_id      BIGINT REFERENCES assess_task_reviews(id),
    kind           TEXT NOT NULL,
    person_id      BIGINT NOT NULL DEFAULT 0,
    unit_id        BIGINT NOT NULL DEFAULT 0,
    proposal       TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'proposed',
    decided_by     TEXT NOT NULL DEFAULT '',
    decided_at     TEXT,
    reason         TEXT NOT NULL DEFAULT '',
    effect         TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    CHECK (state IN ('proposed', 'confirmed', 'overridden')),
    CHECK ((cycle_id IS NULL) <> (review_id IS NULL))
);
INSERT INTO assess_outcomes_v2 (id, institution_id, cycle_id, kind, person_id, unit_id, proposal, state, decided_by, decided_at, reason, effect, version)
    SELECT id, institution_id, cycle_id, kind, person_id, unit_id, proposal, state, decided_by, decided_at, reason, effect, version FROM assess_outcomes;
DROP TABLE assess_outcomes;
ALTER TABLE assess_outcomes_v2 RENAME TO assess_outcomes;
CREATE INDEX assess_outcomes_state ON assess_outcomes (institution_id, state, cycle_id);
CREATE INDEX assess_outcomes_cycle ON assess_outcomes (cycle_id);
CREATE INDEX assess_outcomes_review ON assess_outcomes (review_id);
