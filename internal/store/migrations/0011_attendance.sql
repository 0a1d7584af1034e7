-- Working calendar and attendance (SPEC §2, issue 5). See
-- docs/decisions/0018-calendar-and-attendance.md and 0019-attendance-service.md.

-- One institution's calendar of one year: the days that differ from
-- Monday–Friday (public holidays, make-up workdays, rest days) as a
-- checked JSON list. A year without a row has no calendar, and nothing
-- that needs working days is computed for it.
CREATE TABLE work_calendars (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    year           INTEGER NOT NULL,
    entries        TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_by     TEXT NOT NULL,
    updated_at     {{TS}} NOT NULL,
    PRIMARY KEY (institution_id, year)
);

-- The attendance rules and leave types as one versioned document, like
-- the assessment rules: the latest is in force.
CREATE TABLE attendance_rule_sets (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    version        INTEGER NOT NULL,
    body           TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     {{TS}} NOT NULL,
    PRIMARY KEY (institution_id, version)
);

-- One source's account of one person's day: the punch clock, the phone
-- check-in, or the team lead's manual entry; each kept beside the others.
-- Times are local wall-clock "HH:MM:SS", '' when not seen.
CREATE TABLE attendance_records (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    person_id      BIGINT NOT NULL REFERENCES persons(id),
    day            {{DATE}} NOT NULL,
    source         TEXT NOT NULL,
    in_time        TEXT NOT NULL DEFAULT '',
    out_time       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    {{TS}} NOT NULL,
    PRIMARY KEY (person_id, day, source),
    CHECK (source IN ('clock', 'phone', 'manual'))
);
CREATE INDEX attendance_records_day ON attendance_records (institution_id, day);

-- The new permissions for the roles of institutions created before them,
-- as the presets grant them (roles are copied from a preset when an
-- institution is created). The assessment permissions are granted too,
-- for institutions created before issue 4.
INSERT INTO role_permissions (role_id, permission)
    SELECT r.id, p.permission FROM roles r JOIN (
        SELECT 'admin' AS code, 'attendance:read' AS permission UNION ALL
        SELECT 'admin', 'attendance:manage' UNION ALL
        SELECT 'admin', 'calendar:manage' UNION ALL
        SELECT 'head_office', 'attendance:read' UNION ALL
        SELECT 'gm', 'attendance:read' UNION ALL
        SELECT 'marketing_director', 'attendance:read' UNION ALL
        SELECT 'marketing_director', 'attendance:manage' UNION ALL
        SELECT 'marketing_director', 'calendar:manage' UNION ALL
        SELECT 'marketing_staff', 'attendance:read' UNION ALL
        SELECT 'marketing_staff', 'attendance:manage' UNION ALL
        SELECT 'finance', 'attendance:read' UNION ALL
        SELECT 'finance', 'calendar:manage' UNION ALL
        SELECT 'regional_manager', 'attendance:read' UNION ALL
        SELECT 'regional_manager', 'attendance:manage' UNION ALL
        SELECT 'rm_assistant', 'attendance:read' UNION ALL
        SELECT 'team_lead', 'attendance:read' UNION ALL
        SELECT 'team_lead', 'attendance:manage' UNION ALL
        SELECT 'group_lead', 'attendance:read' UNION ALL
        SELECT 'sales_cm', 'attendance:read' UNION ALL
        SELECT 'admin', 'assess:read' UNION ALL
        SELECT 'admin', 'assess:manage' UNION ALL
        SELECT 'head_office', 'assess:read' UNION ALL
        SELECT 'gm', 'assess:read' UNION ALL
        SELECT 'marketing_director', 'assess:read' UNION ALL
        SELECT 'marketing_director', 'assess:manage' UNION ALL
        SELECT 'marketing_staff', 'assess:read' UNION ALL
        SELECT 'marketing_staff', 'assess:manage' UNION ALL
        SELECT 'regional_manager', 'assess:read' UNION ALL
        SELECT 'rm_assistant', 'assess:read' UNION ALL
        SELECT 'team_lead', 'assess:read' UNION ALL
        SELECT 'sales_cm', 'assess:read'
    ) p ON p.code = r.code
    WHERE NOT EXISTS (SELECT 1 FROM role_permissions rp WHERE rp.role_id = r.id AND rp.permission = p.permission);
