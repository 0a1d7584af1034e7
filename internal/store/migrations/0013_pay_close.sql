-- The monthly pay close (SPEC §6, issue 5 §6): a month's state through its
-- sign-off chain, and every person's statement as calculated. A locked
-- month never changes. See docs/decisions/0021-pay-close.md.
CREATE TABLE pay_months (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    month          TEXT NOT NULL,            -- YYYY-MM
    state          TEXT NOT NULL,
    people         BIGINT NOT NULL DEFAULT 0,
    net_fen        BIGINT NOT NULL DEFAULT 0,
    calculated_by  TEXT NOT NULL DEFAULT '',
    calculated_at  {{TS}},
    signoffs       TEXT NOT NULL DEFAULT '[]', -- [{step, by, name, at}] in order
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     {{TS}} NOT NULL,
    PRIMARY KEY (institution_id, month),
    CHECK (state IN ('open', 'calculated', 'submitted', 'approved_accountant', 'approved_deputy', 'locked'))
);

-- One person's statement of a month: the plan version, the facts read and
-- every line (pay.Statement), placed in the unit the person was in.
CREATE TABLE pay_statements (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    month          TEXT NOT NULL,
    person_id      BIGINT NOT NULL REFERENCES persons(id),
    unit_id        BIGINT NOT NULL,
    plan_key       TEXT NOT NULL,
    plan_version   INTEGER NOT NULL,
    net_fen        BIGINT NOT NULL,
    statement      TEXT NOT NULL,
    facts          TEXT NOT NULL,
    PRIMARY KEY (institution_id, month, person_id)
);
CREATE INDEX pay_statements_unit ON pay_statements (institution_id, month, unit_id);
