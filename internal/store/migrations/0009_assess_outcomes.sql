-- Outcome proposals of assessment cycles (SPEC §5: star CM, standby
-- training, ending a contract, RM conversion, region reorganisation):
-- the system proposes when a cycle closes, an authorised person confirms
-- or overrides with a reason, and a confirmed change of status or
-- position is made through the person's effective-dated records.
CREATE TABLE assess_outcomes (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    cycle_id       BIGINT NOT NULL REFERENCES assess_cycles(id),
    kind           TEXT NOT NULL,
    person_id      BIGINT NOT NULL DEFAULT 0,
    unit_id        BIGINT NOT NULL DEFAULT 0,
    proposal       TEXT NOT NULL,             -- the core's proposal: reason, figures, effective period
    state          TEXT NOT NULL DEFAULT 'proposed',
    decided_by     TEXT NOT NULL DEFAULT '',
    decided_at     {{TS}},
    reason         TEXT NOT NULL DEFAULT '',
    effect         TEXT NOT NULL DEFAULT '',  -- what a confirmation changed
    version        INTEGER NOT NULL DEFAULT 1,
    CHECK (state IN ('proposed', 'confirmed', 'overridden'))
);
CREATE INDEX assess_outcomes_state ON assess_outcomes (institution_id, state, cycle_id);
CREATE INDEX assess_outcomes_cycle ON assess_outcomes (cycle_id);
