-- The metric catalogue (指标库): per institution, what is measured, its unit,
-- how it is aggregated, and its source — a business-record type or a
-- formula over other metrics. Rows are never deleted, only deactivated;
-- every change bumps version (the audit log keeps each version's content).

CREATE TABLE metrics (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    key            TEXT NOT NULL,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    unit           TEXT NOT NULL,
    -- '' for formula metrics
    aggregation    TEXT NOT NULL DEFAULT '',
    source_kind    TEXT NOT NULL,
    record_type    TEXT NOT NULL DEFAULT '',
    field          TEXT NOT NULL DEFAULT '',
    -- product code -> standard lots per contract, JSON object of exact decimals or fractions
    conversion     TEXT NOT NULL DEFAULT '{}',
    formula        TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL,
    UNIQUE (institution_id, key),
    CHECK (source_kind IN ('record', 'formula')),
    CHECK (version >= 1)
);
CREATE INDEX metrics_record_type ON metrics (institution_id, record_type);
