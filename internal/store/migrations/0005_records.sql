-- Business records (业务记录) imported from the CRM or core systems, the
-- record types an institution accepts, the log of imports, and background
-- jobs. See docs/decisions/0011-business-records.md.

-- What kinds of business event an institution imports, and whether their
-- amount or quantity may be negative (a reversal of net revenue may be;
-- an account opening never is). Metrics name these types.
CREATE TABLE record_types (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    key            TEXT NOT NULL,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    amount_sign    TEXT NOT NULL DEFAULT 'non_negative',
    quantity_sign  TEXT NOT NULL DEFAULT 'non_negative',
    rank           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, key),
    CHECK (amount_sign IN ('non_negative', 'any')),
    CHECK (quantity_sign IN ('non_negative', 'any'))
);

-- One committed import of one month's file.
CREATE TABLE record_imports (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    month          TEXT NOT NULL,            -- YYYY-MM
    file_name      TEXT NOT NULL,
    file_sha256    TEXT NOT NULL,
    mode           TEXT NOT NULL,            -- all_or_nothing | valid_rows
    rows_read      BIGINT NOT NULL,
    inserted       BIGINT NOT NULL,
    replaced       BIGINT NOT NULL,
    unchanged      BIGINT NOT NULL,
    rejected       BIGINT NOT NULL,
    job_id         TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_by_id  BIGINT NOT NULL DEFAULT 0,
    created_at     {{TS}} NOT NULL
);
CREATE INDEX record_imports_month ON record_imports (institution_id, month);
CREATE INDEX record_imports_job ON record_imports (job_id);

-- One row per institution and month, bumped first by every import of the
-- month: its row lock queues imports of the same month, whose idempotency
-- checks must see each other's rows.
CREATE TABLE record_months (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    month          TEXT NOT NULL,
    imports        BIGINT NOT NULL,
    PRIMARY KEY (institution_id, month)
);

-- One row per business record and credited manager: a record of a customer
-- shared 70/30 is two rows with share_bp 7000 and 3000; a record of a
-- customer nobody owned on its date is one row with no person, kept with
-- the customer's branch. (institution_id, month, source_id) identifies a
-- record; the importer keeps it unique under the record_months lock.
--
-- The table is an append-mostly fact table loaded by COPY: it has no
-- primary key and no foreign keys, so that a load costs what the engine's
-- bulk path costs (docs/performance.md). References are checked by the
-- importer against the customers, people and units it loaded.
CREATE TABLE business_records (
    institution_id BIGINT NOT NULL,
    month          INTEGER NOT NULL,         -- YYYYMM
    source_id      TEXT NOT NULL,
    record_date    {{DATE}} NOT NULL,
    customer_id    BIGINT NOT NULL,
    record_type    TEXT NOT NULL,
    amount         BIGINT NOT NULL,          -- fen
    quantity       BIGINT NOT NULL,          -- thousandths of a contract, share or item
    product        TEXT NOT NULL,
    person_id      BIGINT,                   -- the credited manager; NULL: nobody
    unit_id        BIGINT NOT NULL,          -- the manager's unit on the record date, else the customer's branch
    share_bp       INTEGER NOT NULL,         -- 10000 = the whole record
    explicit       BOOLEAN NOT NULL,         -- the file named the manager
    content_hash   BIGINT NOT NULL,          -- of the file's fields: an unchanged record is skipped
    import_id      BIGINT NOT NULL
);

-- Background jobs (imports; later the monthly close), their progress and
-- outcome. A job still "running" when the server starts was interrupted.
CREATE TABLE jobs (
    id             TEXT PRIMARY KEY,
    institution_id BIGINT NOT NULL,
    user_id        BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    phase          TEXT NOT NULL DEFAULT '',
    total          BIGINT NOT NULL DEFAULT 0,
    done           BIGINT NOT NULL DEFAULT 0,
    message        TEXT NOT NULL DEFAULT '',
    result         TEXT NOT NULL DEFAULT '',
    errors         TEXT NOT NULL DEFAULT '',
    error_count    BIGINT NOT NULL DEFAULT 0,
    report_id      TEXT NOT NULL DEFAULT '',
    created_at     {{TS}} NOT NULL,
    finished_at    {{TS}}
);
CREATE INDEX jobs_user ON jobs (user_id, created_at);

-- dialect: sqlite
CREATE INDEX business_records_month ON business_records (institution_id, month);

-- dialect: postgres
-- A block-range index: months are loaded together, so their rows sit in
-- neighbouring blocks; it costs almost nothing to keep up during COPY,
-- where a B-tree costs a third of the load speed.
CREATE INDEX business_records_month ON business_records USING brin (institution_id, month) WITH (pages_per_range = 32);
