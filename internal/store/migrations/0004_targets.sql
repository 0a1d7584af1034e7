-- Targets (任务): per institution, period (YYYY-MM | YYYY-Qn | YYYY), metric
-- and subject — a unit or a person, never both — an exact value in the
-- metric's minor unit (fen, whole counts, thousandths of a lot or share,
-- basis points of a ratio), decomposed branch → region → team → group →
-- customer manager. See docs/decisions/0010-targets.md.

CREATE TABLE targets (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    period_key     TEXT NOT NULL,
    metric_key     TEXT NOT NULL,
    unit_id        BIGINT REFERENCES units(id),
    person_id      BIGINT REFERENCES persons(id),
    -- the metric's unit when the value was set; value is in its minor unit
    measure_unit   TEXT NOT NULL,
    value          BIGINT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    set_by         TEXT NOT NULL,
    set_by_id      BIGINT NOT NULL DEFAULT 0,
    set_at         {{TS}} NOT NULL,
    created_at     {{TS}} NOT NULL,
    FOREIGN KEY (institution_id, metric_key) REFERENCES metrics(institution_id, key),
    CHECK ((unit_id IS NULL) <> (person_id IS NULL)),
    CHECK (value >= 0),
    CHECK (version >= 1)
);
-- One target per institution, period, metric and subject.
CREATE UNIQUE INDEX targets_unit ON targets (institution_id, period_key, metric_key, unit_id) WHERE unit_id IS NOT NULL;
CREATE UNIQUE INDEX targets_person ON targets (institution_id, period_key, metric_key, person_id) WHERE person_id IS NOT NULL;
CREATE INDEX targets_person_history ON targets (person_id, period_key) WHERE person_id IS NOT NULL;

-- The decomposition rule of a metric (at_most | exact | independent). A
-- metric without a row takes the default (independent for unit percent,
-- otherwise at_most).
CREATE TABLE target_rules (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    metric_key     TEXT NOT NULL,
    mode           TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_by     TEXT NOT NULL,
    updated_at     {{TS}} NOT NULL,
    PRIMARY KEY (institution_id, metric_key),
    FOREIGN KEY (institution_id, metric_key) REFERENCES metrics(institution_id, key),
    CHECK (mode IN ('at_most', 'exact', 'independent'))
);

-- One row per institution, period and metric, bumped first by every
-- target write: its row lock queues concurrent writers, so the sum checks
-- of one decomposition always see the siblings committed before them.
CREATE TABLE target_locks (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    period_key     TEXT NOT NULL,
    metric_key     TEXT NOT NULL,
    writes         BIGINT NOT NULL,
    PRIMARY KEY (institution_id, period_key, metric_key)
);
