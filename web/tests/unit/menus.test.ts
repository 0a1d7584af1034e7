import { describe, expect, it } from 'vitest'
import { activeMenuPath, canAccess, hasAnyPermission, hasPermission, menuKeys, MENU_DEFS, visibleMenus } from '@/utils/menus'

const cm = { menus: ['people'], permissions: ['people:read'] }
const rm = { menus: ['org', 'people'], permissions: ['people:read', 'people:export', 'org:read'] }
const admin = {
  menus: ['org', 'people', 'periods', 'audit', 'users'],
  permissions: [
    'org:read',
    'org:write',
    'people:read',
    'people:write',
    'people:import',
    'people:export',
    'people:pii',
    'audit:read',
    'period:read',
    'period:manage',
    'user:manage',
  ],
}

describe('menus from Me.menus', () => {
  it('shows only the menus the server lists, in a fixed order', () => {
    expect(visibleMenus(cm).map((m) => m.key)).toEqual(['people'])
    expect(visibleMenus({ menus: ['people', 'org'] }).map((m) => m.key)).toEqual(['org', 'people'])
    expect(visibleMenus(admin).map((m) => m.key)).toEqual(['org', 'people', 'periods', 'audit', 'users'])
  })
  it('ignores unknown menus and handles no session', () => {
    expect(visibleMenus({ menus: ['people', 'rockets'] }).map((m) => m.key)).toEqual(['people'])
    expect(visibleMenus(null)).toEqual([])
    expect(visibleMenus({ menus: [] })).toEqual([])
  })
  it('every menu has a path and an icon', () => {
    // /metrics belongs to the server (Prometheus): the metric catalogue lives elsewhere
    const paths: Record<string, string> = { metrics: '/metric-catalogue', records: '/record-imports', assess: '/assess/my-sheets', attendance: '/attendance/me', pay: '/pay/close' }
    for (const m of MENU_DEFS) {
      expect(m.path).toBe(paths[m.key] ?? '/' + m.key)
      expect(m.path).not.toBe('/metrics')
      expect(m.icon).not.toBe('')
      for (const c of m.children ?? []) {
        expect(c.path.startsWith('/')).toBe(true)
        expect(c.icon).not.toBe('')
      }
    }
  })
  it('shows customers (with the confirmation forms) and metrics when the server lists them', () => {
    const cm02 = { menus: ['org', 'people', 'customers', 'metrics'] }
    const menus = visibleMenus(cm02)
    expect(menus.map((m) => m.key)).toEqual(['org', 'people', 'customers', 'metrics'])
    const customers = menus.find((m) => m.key === 'customers')!
    expect(customers.children?.map((c) => c.path)).toEqual(['/customers', '/customer-forms'])
    expect(visibleMenus({ menus: ['metrics', 'users', 'customers'] }).map((m) => m.key)).toEqual(['customers', 'metrics', 'users'])
  })
  it('shows targets (任务) after the metric catalogue when the server lists it', () => {
    const rm1 = { menus: ['org', 'people', 'customers', 'metrics', 'targets', 'periods'] }
    expect(visibleMenus(rm1).map((m) => m.key)).toEqual(['org', 'people', 'customers', 'metrics', 'targets', 'periods'])
    expect(visibleMenus(rm1).find((m) => m.key === 'targets')?.path).toBe('/targets')
    expect(visibleMenus({ menus: ['people'] }).some((m) => m.key === 'targets')).toBe(false)
  })
  it('shows business data (import, records) and statistics after targets when the server lists them', () => {
    const mktdir = { menus: ['org', 'people', 'customers', 'metrics', 'targets', 'records', 'stats', 'periods', 'audit'] }
    const menus = visibleMenus(mktdir)
    expect(menus.map((m) => m.key)).toEqual(['org', 'people', 'customers', 'metrics', 'targets', 'records', 'stats', 'periods', 'audit'])
    const records = menus.find((m) => m.key === 'records')!
    // the menu's own page is its first sub-page
    expect(records.path).toBe(records.children![0].path)
    expect(records.children?.map((c) => [c.key, c.path, c.title])).toEqual([
      ['record-imports', '/record-imports', 'menu.recordImports'],
      ['records-list', '/records', 'menu.recordList'],
    ])
    expect(menus.find((m) => m.key === 'stats')?.path).toBe('/stats')
    expect(visibleMenus({ menus: ['stats', 'records'] }).map((m) => m.key)).toEqual(['records', 'stats'])
    expect(visibleMenus({ menus: ['targets'] }).some((m) => m.key === 'records' || m.key === 'stats')).toBe(false)
  })
})

describe('the assessment menu (考核)', () => {
  const user = (personId: number | null) => ({ id: 1, username: 'u', displayName: 'u', personId })
  const keys = (me: Parameters<typeof visibleMenus>[0]) => visibleMenus(me).find((m) => m.key === 'assess')?.children?.map((c) => c.key) ?? null

  it('follows from a person and the assessment permissions, whether or not the server lists it', () => {
    const cm02 = { menus: ['people', 'stats'], permissions: ['assess:read'], user: user(13) }
    const mktdir = { menus: ['people', 'stats', 'audit'], permissions: ['assess:read', 'assess:manage'], user: user(3) }
    const admin = { menus: ['users'], permissions: ['assess:read', 'assess:manage'], user: user(null) }
    const rater = { menus: [], permissions: [], user: user(40) }
    expect(keys(cm02)).toEqual(['assess-my-sheets', 'assess-results'])
    expect(keys(mktdir)).toEqual(['assess-my-sheets', 'assess-cycles', 'assess-results', 'assess-outcomes', 'assess-rules'])
    // no person: nothing to score, so the menu opens on the cycles
    expect(keys(admin)).toEqual(['assess-cycles', 'assess-results', 'assess-outcomes', 'assess-rules'])
    expect(visibleMenus(admin).find((m) => m.key === 'assess')?.path).toBe('/assess/cycles')
    expect(keys(rater)).toEqual(['assess-my-sheets'])
    expect(keys({ menus: ['people'], permissions: ['people:read'], user: user(null) })).toBeNull()
    // listed by the server (for assess:read): the sub-pages still follow their own requirements
    expect(keys({ menus: ['assess'], permissions: ['assess:read'], user: user(null) })).toEqual(['assess-results'])
    expect(keys({ menus: ['assess'], permissions: ['assess:read'], user: user(13) })).toEqual(['assess-my-sheets', 'assess-results'])
    expect(menuKeys(null).size).toBe(0)
  })
  it('sits after statistics', () => {
    const mktdir = { menus: ['org', 'people', 'stats', 'periods', 'audit'], permissions: ['assess:read', 'assess:manage'], user: user(3) }
    expect(visibleMenus(mktdir).map((m) => m.key)).toEqual(['org', 'people', 'stats', 'assess', 'periods', 'audit'])
  })
  it('guards each page by its own requirement', () => {
    const cm02 = { menus: [], permissions: ['assess:read'], user: user(13) }
    const admin = { menus: [], permissions: ['assess:read', 'assess:manage'], user: user(null) }
    const mySheets = { menu: 'assess', person: true }
    const cycles = { menu: 'assess', permission: 'assess:manage' }
    const results = { menu: 'assess', permission: 'assess:read' }
    const outcomes = { menu: 'assess', permission: 'assess:manage' }
    const rules = { menu: 'assess', permission: 'assess:manage' }
    expect(canAccess(cm02, rules)).toBe(false)
    expect(canAccess(admin, rules)).toBe(true)
    expect(canAccess(cm02, mySheets)).toBe(true)
    expect(canAccess(cm02, results)).toBe(true)
    expect(canAccess(cm02, cycles)).toBe(false)
    expect(canAccess(cm02, outcomes)).toBe(false)
    expect(canAccess(admin, outcomes)).toBe(true)
    expect(canAccess(admin, mySheets)).toBe(false)
    expect(canAccess(admin, cycles)).toBe(true)
    expect(canAccess({ menus: [], permissions: [], user: user(null) }, results)).toBe(false)
    expect(canAccess(null, mySheets)).toBe(false)
  })
})

describe('the attendance menu (考勤)', () => {
  const user = (personId: number | null) => ({ id: 1, username: 'u', displayName: 'u', personId })
  const keys = (me: Parameters<typeof visibleMenus>[0]) => visibleMenus(me).find((m) => m.key === 'attendance')?.children?.map((c) => c.key) ?? null

  it('is listed by the server for attendance:read; My attendance needs a person', () => {
    const cm02 = { menus: ['people', 'stats', 'attendance'], permissions: ['attendance:read'], user: user(13) }
    const tl11 = { menus: ['attendance'], permissions: ['attendance:read', 'attendance:manage'], user: user(11) }
    const admin = { menus: ['attendance', 'users'], permissions: ['attendance:read', 'attendance:manage', 'calendar:manage'], user: user(0) }
    expect(keys(cm02)).toEqual(['attendance-me', 'attendance-team', 'attendance-calendar'])
    expect(keys(tl11)).toEqual(['attendance-me', 'attendance-team', 'attendance-calendar'])
    expect(visibleMenus(cm02).find((m) => m.key === 'attendance')?.path).toBe('/attendance/me')
    // no person (the admin): nothing to check in as, so the menu opens on the team
    expect(keys(admin)).toEqual(['attendance-team', 'attendance-calendar'])
    expect(visibleMenus(admin).find((m) => m.key === 'attendance')?.path).toBe('/attendance/team')
    // not listed: not shown, whatever the person
    expect(keys({ menus: ['people'], permissions: ['people:read'], user: user(13) })).toBeNull()
    expect(menuKeys({ menus: [], permissions: [], user: user(13) }).has('attendance')).toBe(false)
  })
  it('sits after the assessment menu and before the periods', () => {
    const mktdir = { menus: ['org', 'people', 'stats', 'assess', 'attendance', 'periods', 'audit'], permissions: ['assess:read', 'attendance:read'], user: user(3) }
    expect(visibleMenus(mktdir).map((m) => m.key)).toEqual(['org', 'people', 'stats', 'assess', 'attendance', 'periods', 'audit'])
  })
  it('guards each page by its own requirement', () => {
    const me = { menu: 'attendance', person: true }
    const team = { menu: 'attendance', permission: 'attendance:read' }
    const cm02 = { menus: ['attendance'], permissions: ['attendance:read'], user: user(13) }
    const admin = { menus: ['attendance'], permissions: ['attendance:read', 'calendar:manage'], user: user(0) }
    expect(canAccess(cm02, me)).toBe(true)
    expect(canAccess(cm02, team)).toBe(true)
    expect(canAccess(admin, me)).toBe(false)
    expect(canAccess(admin, team)).toBe(true)
    expect(canAccess({ menus: [], permissions: ['attendance:read'], user: user(13) }, team)).toBe(false)
    expect(canAccess({ menus: ['attendance'], permissions: [], user: user(13) }, team)).toBe(false)
    expect(canAccess(null, me)).toBe(false)
    // editing is a button: the calendar and rules need calendar:manage, entering days attendance:manage
    expect(hasPermission(cm02, 'calendar:manage')).toBe(false)
    expect(hasPermission(admin, 'calendar:manage')).toBe(true)
  })
})

describe('the pay menu (薪酬)', () => {
  const user = (personId: number | null) => ({ id: 1, username: 'u', displayName: 'u', personId })
  const keys = (me: Parameters<typeof visibleMenus>[0]) => visibleMenus(me).find((m) => m.key === 'pay')?.children?.map((c) => c.key) ?? null

  it('is listed by the server for pay:read and for everyone linked to a person; each page follows its own requirement', () => {
    const finance = { menus: ['people', 'attendance', 'pay'], permissions: ['pay:read', 'pay:manage'], user: user(6) }
    const gm = { menus: ['pay'], permissions: ['pay:read'], user: user(1) }
    const cm02 = { menus: ['people', 'attendance', 'pay'], permissions: ['attendance:read'], user: user(13) }
    const admin = { menus: ['users', 'pay'], permissions: ['pay:read', 'pay:manage'], user: user(null) }
    expect(keys(finance)).toEqual(['pay-close', 'pay-me', 'pay-trial', 'pay-plans'])
    expect(keys(gm)).toEqual(['pay-close', 'pay-me', 'pay-trial', 'pay-plans'])
    expect(visibleMenus(finance).find((m) => m.key === 'pay')?.path).toBe('/pay/close')
    // a CM: only their own pay, and the menu opens on it
    expect(keys(cm02)).toEqual(['pay-me'])
    expect(visibleMenus(cm02).find((m) => m.key === 'pay')?.path).toBe('/pay/me')
    // no person (the admin): nothing of their own
    expect(keys(admin)).toEqual(['pay-close', 'pay-trial', 'pay-plans'])
    // not listed by the server: not shown
    expect(keys({ menus: ['people'], permissions: ['pay:read'], user: user(6) })).toBeNull()
  })
  it('sits after attendance and before the periods', () => {
    const finance = { menus: ['org', 'people', 'attendance', 'periods', 'pay'], permissions: ['pay:read'], user: user(6) }
    expect(visibleMenus(finance).map((m) => m.key)).toEqual(['org', 'people', 'assess', 'attendance', 'pay', 'periods'])
  })
  it('guards each page by its own requirement', () => {
    const close = { menu: 'pay', permission: 'pay:read' }
    const mine = { menu: 'pay', person: true }
    const cm02 = { menus: ['pay'], permissions: [], user: user(13) }
    const admin = { menus: ['pay'], permissions: ['pay:read', 'pay:manage'], user: user(null) }
    expect(canAccess(cm02, mine)).toBe(true)
    expect(canAccess(cm02, close)).toBe(false)
    expect(canAccess(admin, close)).toBe(true)
    expect(canAccess(admin, mine)).toBe(false)
    expect(canAccess({ menus: [], permissions: ['pay:read'], user: user(6) }, close)).toBe(false)
    expect(canAccess(null, mine)).toBe(false)
    // calculating and submitting are buttons: pay:manage
    expect(hasPermission(admin, 'pay:manage')).toBe(true)
    expect(hasPermission({ permissions: ['pay:read'] }, 'pay:manage')).toBe(false)
  })
})

describe('active menu entry', () => {
  const menus = MENU_DEFS
  it('highlights the menu or sub-menu page a path belongs to', () => {
    expect(activeMenuPath(menus, '/')).toBe('/')
    expect(activeMenuPath(menus, '/people')).toBe('/people')
    expect(activeMenuPath(menus, '/people/12')).toBe('/people')
    expect(activeMenuPath(menus, '/customers')).toBe('/customers')
    expect(activeMenuPath(menus, '/customers/90')).toBe('/customers')
    expect(activeMenuPath(menus, '/customer-forms')).toBe('/customer-forms')
    expect(activeMenuPath(menus, '/metric-catalogue')).toBe('/metric-catalogue')
    expect(activeMenuPath(menus, '/targets')).toBe('/targets')
    expect(activeMenuPath(menus, '/record-imports')).toBe('/record-imports')
    expect(activeMenuPath(menus, '/records')).toBe('/records')
    expect(activeMenuPath(menus, '/stats')).toBe('/stats')
    expect(activeMenuPath(menus, '/assess/my-sheets')).toBe('/assess/my-sheets')
    expect(activeMenuPath(menus, '/assess/cycles')).toBe('/assess/cycles')
    expect(activeMenuPath(menus, '/assess/results')).toBe('/assess/results')
    expect(activeMenuPath(menus, '/assess/outcomes')).toBe('/assess/outcomes')
    expect(activeMenuPath(menus, '/assess/rules')).toBe('/assess/rules')
    expect(activeMenuPath(menus, '/attendance/me')).toBe('/attendance/me')
    expect(activeMenuPath(menus, '/attendance/team')).toBe('/attendance/team')
    expect(activeMenuPath(menus, '/attendance/calendar')).toBe('/attendance/calendar')
    expect(activeMenuPath(menus, '/pay/close')).toBe('/pay/close')
    expect(activeMenuPath(menus, '/pay/me')).toBe('/pay/me')
    expect(activeMenuPath(menus, '/pay/trial')).toBe('/pay/trial')
    expect(activeMenuPath(menus, '/pay/plans')).toBe('/pay/plans')
  })
  it('does not match a mere prefix and falls back to the path', () => {
    expect(activeMenuPath(menus, '/peoplex')).toBe('/peoplex')
    expect(activeMenuPath(menus, '/403')).toBe('/403')
  })
})

describe('button permissions', () => {
  it('grants what is listed and nothing else', () => {
    expect(hasPermission(rm, 'people:export')).toBe(true)
    expect(hasPermission(rm, 'people:import')).toBe(false)
    expect(hasPermission(cm, 'people:write')).toBe(false)
    expect(hasPermission(null, 'people:read')).toBe(false)
    expect(hasAnyPermission(cm, ['people:write', 'people:read'])).toBe(true)
    expect(hasAnyPermission(cm, ['audit:read'])).toBe(false)
  })
})

describe('route access', () => {
  it('customer and metric pages need their menu and read permission', () => {
    const cm02 = { menus: ['org', 'people', 'customers', 'metrics'], permissions: ['customer:read', 'metric:read', 'org:read', 'people:read'] }
    expect(canAccess(cm02, { menu: 'customers', permission: 'customer:read' })).toBe(true)
    expect(canAccess(cm02, { menu: 'metrics', permission: 'metric:read' })).toBe(true)
    expect(canAccess(cm, { menu: 'customers', permission: 'customer:read' })).toBe(false)
    expect(canAccess({ menus: ['customers'], permissions: [] }, { menu: 'customers', permission: 'customer:read' })).toBe(false)
    expect(hasPermission(cm02, 'customer:pii')).toBe(false)
    expect(hasPermission(cm02, 'metric:manage')).toBe(false)
  })
  it('the targets page needs the targets menu and target:read; writing needs target:manage', () => {
    const cm02 = { menus: ['org', 'people', 'customers', 'metrics', 'targets'], permissions: ['metric:read', 'target:read'] }
    const rm1 = { menus: ['targets'], permissions: ['target:read', 'target:manage'] }
    const mktdir = { menus: ['targets'], permissions: ['target:read', 'target:manage', 'metric:manage'] }
    expect(canAccess(cm02, { menu: 'targets', permission: 'target:read' })).toBe(true)
    expect(canAccess(cm, { menu: 'targets', permission: 'target:read' })).toBe(false)
    expect(canAccess({ menus: ['targets'], permissions: [] }, { menu: 'targets', permission: 'target:read' })).toBe(false)
    expect(hasPermission(cm02, 'target:manage')).toBe(false)
    expect(hasPermission(rm1, 'target:manage')).toBe(true)
    // the rule editor needs both
    const ruleEditor = (me: { permissions: string[] }) => hasPermission(me, 'target:manage') && hasPermission(me, 'metric:manage')
    expect(ruleEditor(rm1)).toBe(false)
    expect(ruleEditor(mktdir)).toBe(true)
  })
  it('record pages need the records menu and record:read; statistics need stats:read', () => {
    const cm02 = { menus: ['records', 'stats'], permissions: ['record:read', 'stats:read'] }
    const mktdir = { menus: ['records', 'stats'], permissions: ['record:read', 'record:import', 'stats:read', 'stats:export'] }
    expect(canAccess(cm02, { menu: 'records', permission: 'record:read' })).toBe(true)
    expect(canAccess(cm02, { menu: 'stats', permission: 'stats:read' })).toBe(true)
    expect(canAccess(cm, { menu: 'records', permission: 'record:read' })).toBe(false)
    expect(canAccess({ menus: ['stats'], permissions: ['record:read'] }, { menu: 'stats', permission: 'stats:read' })).toBe(false)
    // uploading and exporting are buttons
    expect(hasPermission(cm02, 'record:import')).toBe(false)
    expect(hasPermission(cm02, 'stats:export')).toBe(false)
    expect(hasPermission(mktdir, 'record:import')).toBe(true)
    expect(hasPermission(mktdir, 'stats:export')).toBe(true)
  })
  it('needs the menu and the permission', () => {
    expect(canAccess(cm, { menu: 'people', permission: 'people:read' })).toBe(true)
    expect(canAccess(cm, { menu: 'audit', permission: 'audit:read' })).toBe(false)
    expect(canAccess(cm, { menu: 'org', permission: 'org:read' })).toBe(false)
    expect(canAccess({ menus: ['users'], permissions: [] }, { menu: 'users', permission: 'user:manage' })).toBe(false)
    expect(canAccess(admin, { menu: 'users', permission: 'user:manage' })).toBe(true)
  })
  it('pages without requirements are open to any signed-in user, none to anonymous', () => {
    expect(canAccess(cm, {})).toBe(true)
    expect(canAccess(null, {})).toBe(false)
  })
})
