-- Foundation: institutions, organisation, people with effective-dated history,
-- users, roles, sessions, periods, audit log.
-- {{ID}} {{TS}} {{DATE}} {{BLOB}} are replaced per engine (see dialect.go).

CREATE TABLE institutions (
    id          {{ID}},
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    preset      TEXT NOT NULL,
    created_at  {{TS}} NOT NULL
);

-- Dictionaries loaded from the institution's preset: positions, grades
-- (the grade ladder, ordered by rank), statuses, employment types, unit kinds.
CREATE TABLE dict_items (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    dict           TEXT NOT NULL,
    code           TEXT NOT NULL,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    rank           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, dict, code)
);

CREATE TABLE units (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    kind           TEXT NOT NULL,
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    opened_on      {{DATE}} NOT NULL,
    closed_on      {{DATE}},
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL,
    UNIQUE (institution_id, code)
);

-- Where a unit sat in the tree, effective-dated. valid_to is exclusive;
-- 9999-12-31 marks the current row.
CREATE TABLE unit_parents (
    id          {{ID}},
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    parent_id   BIGINT REFERENCES units(id),
    valid_from  {{DATE}} NOT NULL,
    valid_to    {{DATE}} NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    CHECK (valid_from < valid_to)
);
CREATE INDEX unit_parents_unit ON unit_parents (unit_id, valid_from);
CREATE INDEX unit_parents_parent ON unit_parents (parent_id, valid_from);

CREATE TABLE persons (
    id              {{ID}},
    institution_id  BIGINT NOT NULL REFERENCES institutions(id),
    emp_no          TEXT NOT NULL,
    name            TEXT NOT NULL,
    gender          TEXT NOT NULL DEFAULT '',
    id_number       TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    employment_type TEXT NOT NULL DEFAULT '',
    hired_on        {{DATE}},
    probation_end   {{DATE}},
    contract_end    {{DATE}},
    created_at      {{TS}} NOT NULL,
    updated_at      {{TS}} NOT NULL,
    UNIQUE (institution_id, emp_no)
);

-- A person's unit, position, grade and status, effective-dated. A move ends
-- the current row (valid_to = effective date) and starts a new one.
CREATE TABLE person_records (
    id          {{ID}},
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    position    TEXT NOT NULL,
    grade       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    valid_from  {{DATE}} NOT NULL,
    valid_to    {{DATE}} NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  {{TS}} NOT NULL,
    CHECK (valid_from < valid_to)
);
CREATE INDEX person_records_person ON person_records (person_id, valid_from);
CREATE INDEX person_records_unit ON person_records (unit_id, valid_from);

-- Customer managers stationed at a channel/outlet (驻点), effective-dated.
CREATE TABLE stations (
    id          {{ID}},
    channel_id  BIGINT NOT NULL REFERENCES units(id),
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    valid_from  {{DATE}} NOT NULL,
    valid_to    {{DATE}} NOT NULL,
    CHECK (valid_from < valid_to)
);
CREATE INDEX stations_channel ON stations (channel_id, valid_from);
CREATE INDEX stations_person ON stations (person_id, valid_from);

CREATE TABLE roles (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    data_scope     TEXT NOT NULL,
    UNIQUE (institution_id, code)
);

CREATE TABLE role_permissions (
    role_id    BIGINT NOT NULL REFERENCES roles(id),
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE users (
    id                  {{ID}},
    institution_id      BIGINT NOT NULL REFERENCES institutions(id),
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    person_id           BIGINT UNIQUE REFERENCES persons(id),
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    -- set for demo accounts: a server outside demo mode refuses to start while any exists
    default_password    BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        {{TS}},
    password_changed_at {{TS}} NOT NULL,
    created_at          {{TS}} NOT NULL
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role_id BIGINT NOT NULL REFERENCES roles(id),
    PRIMARY KEY (user_id, role_id)
);

-- Server-side sessions. Only an HMAC of the token is stored, so a copy of
-- the database does not let anyone sign in.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    created_at   {{TS}} NOT NULL,
    expires_at   {{TS}} NOT NULL,
    last_seen_at {{TS}} NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           {{ID}},
    user_id      BIGINT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   {{TS}} NOT NULL,
    expires_at   {{TS}} NOT NULL,
    last_used_at {{TS}},
    revoked      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE periods (
    id             {{ID}},
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    period_key     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    closed_at      {{TS}},
    closed_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (institution_id, period_key)
);

-- Append-only, hash-chained. seq comes from audit_head, whose single row is
-- updated in the same transaction: that row lock orders concurrent writers.
CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             {{TS}} NOT NULL,
    institution_id BIGINT NOT NULL,
    actor_id       BIGINT NOT NULL DEFAULT 0,
    actor_name     TEXT NOT NULL,
    action         TEXT NOT NULL,
    object_type    TEXT NOT NULL,
    object_id      TEXT NOT NULL,
    unit_id        BIGINT NOT NULL DEFAULT 0,
    before_json    TEXT NOT NULL DEFAULT '',
    after_json     TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    request_id     TEXT NOT NULL DEFAULT '',
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_at ON audit_log (institution_id, at);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- Error workbooks of failed imports, kept for download.
CREATE TABLE import_reports (
    id             TEXT PRIMARY KEY,
    institution_id BIGINT NOT NULL,
    user_id        BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    created_at     {{TS}} NOT NULL,
    content        {{BLOB}} NOT NULL
);

-- dialect: sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- dialect: postgres
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
