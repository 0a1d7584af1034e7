-- Pay plans (SPEC §6, issue 5): every version of every plan of an
-- institution, as the checked JSON the pay package compiles. A saved
-- version never changes; a change is the next version, effective from a
-- month. See docs/decisions/0016-pay-plans.md.
CREATE TABLE pay_plans (
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    plan_key       TEXT NOT NULL,
    version        INTEGER NOT NULL,
    effective_from TEXT NOT NULL,            -- YYYY-MM
    body           TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     {{TS}} NOT NULL,
    PRIMARY KEY (institution_id, plan_key, version),
    CHECK (version >= 1)
);

-- pay:read (plans, trial statements of people in scope) and pay:manage
-- (editing plans) for the roles of existing institutions, as the presets
-- grant them.
INSERT INTO role_permissions (role_id, permission)
    SELECT r.id, p.permission FROM roles r JOIN (
        SELECT 'admin' AS code, 'pay:read' AS permission UNION ALL
        SELECT 'admin', 'pay:manage' UNION ALL
        SELECT 'finance', 'pay:read' UNION ALL
        SELECT 'finance', 'pay:manage' UNION ALL
        SELECT 'gm', 'pay:read' UNION ALL
        SELECT 'marketing_director', 'pay:read'
    ) p ON p.code = r.code
    WHERE NOT EXISTS (SELECT 1 FROM role_permissions rp WHERE rp.role_id = r.id AND rp.permission = p.permission);
