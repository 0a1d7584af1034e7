-- Customers and their attribution (营销归属) to customer managers, backed by
-- marketing-customer confirmation forms (营销客户确认单) with serial numbers
-- (流水号) that are unique and gap-free per branch and month.
-- See docs/decisions/0009-customers-and-attribution.md.

CREATE TABLE customers (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    kind           TEXT NOT NULL,            -- person | company
    name           TEXT NOT NULL,
    id_type        TEXT NOT NULL,            -- resident_id, passport, …, uscc
    id_number      TEXT NOT NULL,            -- normalised (upper case, no spaces)
    phone          TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    branch_id      BIGINT NOT NULL REFERENCES units(id),
    opened_on      {{DATE}} NOT NULL,        -- a customer of the branch since
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL,
    -- One ID number is one customer of the institution, whatever its type.
    UNIQUE (institution_id, id_number)
);
CREATE INDEX customers_branch ON customers (branch_id);
CREATE INDEX customers_phone ON customers (institution_id, phone);
CREATE INDEX customers_name ON customers (institution_id, name);

-- One attribution act: customers created with their first managers, a
-- change of shares, a transfer (one customer or all of a manager's), an
-- import. Every attribution row names the act that started it, so a bulk
-- act can work on "the rows of this act" in a few set-based statements.
CREATE TABLE attribution_changes (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    kind           TEXT NOT NULL,            -- create | import | attribute | transfer
    from_person_id BIGINT REFERENCES persons(id),
    to_person_id   BIGINT REFERENCES persons(id),
    effective_from {{DATE}},                 -- NULL when the rows carry their own dates (imports)
    signed_on      {{DATE}} NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     {{TS}} NOT NULL
);

-- Customer → manager with a share in basis points (10000 = 100%) and a
-- role, effective-dated [valid_from, valid_to) with 9999-12-31 for open rows.
-- On any day one customer's shares sum to at most 10000, exactly one row is
-- the primary (主办), and a manager holds at most one row.
CREATE TABLE customer_attributions (
    id          {{ID}},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    role        TEXT NOT NULL,               -- primary | assisting
    share_bp    INTEGER NOT NULL,
    valid_from  {{DATE}} NOT NULL,
    valid_to    {{DATE}} NOT NULL,
    change_id   BIGINT NOT NULL REFERENCES attribution_changes(id),
    created_at  {{TS}} NOT NULL,
    CHECK (valid_from < valid_to),
    CHECK (share_bp > 0 AND share_bp <= 10000),
    CHECK (role IN ('primary', 'assisting')),
    UNIQUE (customer_id, person_id, valid_from)
);
CREATE INDEX customer_attributions_customer ON customer_attributions (customer_id, valid_from);
CREATE INDEX customer_attributions_person ON customer_attributions (person_id, valid_from);
CREATE INDEX customer_attributions_change ON customer_attributions (change_id);

-- The next serial number per branch and month. The row is created or
-- incremented inside the transaction that issues the forms, so a rolled-back
-- transaction leaves no gap and concurrent ones queue on the row.
CREATE TABLE confirmation_form_counters (
    branch_id BIGINT NOT NULL REFERENCES units(id),
    month     TEXT NOT NULL,                 -- YYYY-MM of the signed date
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (branch_id, month)
);

-- A marketing-customer confirmation form: the signed paper behind one
-- attribution row, what it confirms, and whether it has been archived.
CREATE TABLE confirmation_forms (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    branch_id      BIGINT NOT NULL REFERENCES units(id),
    month          TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    serial         TEXT NOT NULL,            -- <branch code>-YYYYMM-0001
    attribution_id BIGINT NOT NULL REFERENCES customer_attributions(id),
    customer_id    BIGINT NOT NULL REFERENCES customers(id),
    person_id      BIGINT NOT NULL REFERENCES persons(id),
    role           TEXT NOT NULL,
    share_bp       INTEGER NOT NULL,
    effective_from {{DATE}} NOT NULL,
    kind           TEXT NOT NULL,            -- the kind of the change that issued it
    signed_on      {{DATE}} NOT NULL,
    archived       BOOLEAN NOT NULL DEFAULT FALSE,
    archived_at    {{TS}},
    archived_by    TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     {{TS}} NOT NULL,
    UNIQUE (branch_id, month, seq),
    UNIQUE (institution_id, serial),
    UNIQUE (attribution_id)
);
CREATE INDEX confirmation_forms_customer ON confirmation_forms (customer_id);
