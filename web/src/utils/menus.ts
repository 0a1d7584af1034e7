// Permission → menu/button logic (unit-tested in tests/unit/menus.test.ts).
// The server decides what a user may see (Me.menus, Me.permissions, the
// linked person); the UI only shows what it is told and never grants
// anything itself. The server lists the assessment menu (考核) for
// assess:read; every rater — any user linked to a person — scores in it too,
// so it also follows from the person (DERIVED_MENUS).

import type { Me } from '@/api/types'

export interface MenuItemDef {
  key: string
  path: string
  icon: string
  title: string // i18n key
  /** A sub-page that needs a permission of its own besides the menu. */
  permission?: string
  /** A sub-page only for users linked to a person (a rater). */
  person?: boolean
}

export interface MenuDef extends MenuItemDef {
  /**
   * Pages of the menu shown as a sub-menu (the first is the menu's own page).
   * They need what the menu needs; the server names only the menu.
   */
  children?: MenuItemDef[]
}

/** Menus in display order. Unknown keys from the server are ignored. */
export const MENU_DEFS: MenuDef[] = [
  { key: 'org', path: '/org', icon: 'OfficeBuilding', title: 'menu.org' },
  { key: 'people', path: '/people', icon: 'User', title: 'menu.people' },
  {
    key: 'customers',
    path: '/customers',
    icon: 'UserFilled',
    title: 'menu.customers',
    children: [
      { key: 'customers-list', path: '/customers', icon: 'Avatar', title: 'menu.customerList' },
      { key: 'customer-forms', path: '/customer-forms', icon: 'Tickets', title: 'menu.customerForms' },
    ],
  },
  // not /metrics: the server answers GET /metrics itself (Prometheus), so a
  // reload or a link there would never reach the UI
  { key: 'metrics', path: '/metric-catalogue', icon: 'DataAnalysis', title: 'menu.metrics' },
  { key: 'targets', path: '/targets', icon: 'Aim', title: 'menu.targets' },
  {
    key: 'records',
    path: '/record-imports',
    icon: 'Files',
    title: 'menu.records',
    children: [
      { key: 'record-imports', path: '/record-imports', icon: 'Upload', title: 'menu.recordImports' },
      { key: 'records-list', path: '/records', icon: 'List', title: 'menu.recordList' },
    ],
  },
  { key: 'stats', path: '/stats', icon: 'TrendCharts', title: 'menu.stats' },
  {
    // 考核: each page has its own requirement; the menu shows the ones the user may open
    key: 'assess',
    path: '/assess/my-sheets',
    icon: 'Medal',
    title: 'menu.assess',
    children: [
      { key: 'assess-my-sheets', path: '/assess/my-sheets', icon: 'EditPen', title: 'menu.mySheets', person: true },
      { key: 'assess-cycles', path: '/assess/cycles', icon: 'Timer', title: 'menu.assessCycles', permission: 'assess:manage' },
      { key: 'assess-results', path: '/assess/results', icon: 'Trophy', title: 'menu.assessResults', permission: 'assess:read' },
      { key: 'assess-outcomes', path: '/assess/outcomes', icon: 'Stamp', title: 'menu.assessOutcomes', permission: 'assess:manage' },
      { key: 'assess-rules', path: '/assess/rules', icon: 'SetUp', title: 'menu.assessRules', permission: 'assess:manage' },
    ],
  },
  {
    // 考勤: the server lists it for attendance:read; checking in needs a person
    key: 'attendance',
    path: '/attendance/me',
    icon: 'AlarmClock',
    title: 'menu.attendance',
    children: [
      { key: 'attendance-me', path: '/attendance/me', icon: 'Iphone', title: 'menu.attendanceMe', person: true },
      { key: 'attendance-team', path: '/attendance/team', icon: 'Grid', title: 'menu.attendanceTeam', permission: 'attendance:read' },
      { key: 'attendance-calendar', path: '/attendance/calendar', icon: 'Calendar', title: 'menu.attendanceCalendar', permission: 'attendance:read' },
    ],
  },
  {
    // 薪酬: the server lists it for pay:read and for everyone linked to a person; each page has its own requirement
    key: 'pay',
    path: '/pay/close',
    icon: 'Money',
    title: 'menu.pay',
    children: [
      { key: 'pay-close', path: '/pay/close', icon: 'Finished', title: 'menu.payClose', permission: 'pay:read' },
      { key: 'pay-me', path: '/pay/me', icon: 'Wallet', title: 'menu.payMe', person: true },
      { key: 'pay-trial', path: '/pay/trial', icon: 'Operation', title: 'menu.payTrial', permission: 'pay:read' },
      { key: 'pay-plans', path: '/pay/plans', icon: 'Notebook', title: 'menu.payPlans', permission: 'pay:read' },
    ],
  },
  { key: 'periods', path: '/periods', icon: 'Calendar', title: 'menu.periods' },
  { key: 'audit', path: '/audit', icon: 'Document', title: 'menu.audit' },
  { key: 'users', path: '/users', icon: 'Lock', title: 'menu.users' },
]

type MeLike = Partial<Pick<Me, 'menus' | 'permissions' | 'user'>>

/**
 * Menus that follow from what the server tells even where Me.menus leaves
 * them out: 考核 (assessment) is for raters — anyone linked to a person, who
 * may hold no assessment permission (a finance clerk on a custom scheme) —
 * and for whoever holds an assessment permission. The pages check the same
 * and the server enforces it.
 */
const DERIVED_MENUS: Record<string, (me: MeLike) => boolean> = {
  assess: (me) => !!me.user?.personId || hasAnyPermission(me as Pick<Me, 'permissions'>, ['assess:read', 'assess:manage']),
}

/** The menu keys a user has: the server's, and those that follow from their permissions and person. */
export function menuKeys(me: MeLike | null | undefined): Set<string> {
  const keys = new Set(me?.menus ?? [])
  if (me) for (const [k, ok] of Object.entries(DERIVED_MENUS)) if (ok(me)) keys.add(k)
  return keys
}

/** May the user open a sub-page (its own permission, a linked person)? */
export function itemAllowed(me: MeLike | null | undefined, item: Pick<MenuItemDef, 'permission' | 'person'>): boolean {
  if (!me) return false
  if (item.permission && !(me.permissions ?? []).includes(item.permission)) return false
  if (item.person && !me.user?.personId) return false
  return true
}

export function visibleMenus(me: MeLike | null | undefined): MenuDef[] {
  if (!me) return []
  const allowed = menuKeys(me)
  const out: MenuDef[] = []
  for (const m of MENU_DEFS) {
    if (!allowed.has(m.key)) continue
    if (!m.children?.some((c) => c.permission || c.person)) {
      out.push(m)
      continue
    }
    // sub-pages with requirements of their own: only those the user may open, the first being the menu's page
    const children = m.children.filter((c) => itemAllowed(me, c))
    if (children.length) out.push({ ...m, path: children[0].path, children })
  }
  return out
}

export function hasPermission(me: Pick<Me, 'permissions'> | null | undefined, perm: string): boolean {
  return !!me && (me.permissions ?? []).includes(perm)
}

export function hasAnyPermission(me: Pick<Me, 'permissions'> | null | undefined, perms: string[]): boolean {
  return perms.some((p) => hasPermission(me, p))
}

export interface RouteAccess {
  menu?: string
  permission?: string
  /** The page needs a user linked to a person. */
  person?: boolean
}

/**
 * May the user open a route with this meta? A route names the menu it belongs
 * to, the permission it needs and whether it needs a person; all must be
 * satisfied.
 */
export function canAccess(me: MeLike | null | undefined, access: RouteAccess): boolean {
  if (!me) return false
  if (access.menu && !menuKeys(me).has(access.menu)) return false
  return itemAllowed(me, access)
}

/**
 * The menu entry to highlight for a path: the longest menu or sub-menu path
 * that is the path itself or a parent of it (/customers/12 → /customers).
 * The path itself when no menu matches.
 */
export function activeMenuPath(menus: MenuDef[], path: string): string {
  if (path === '/') return '/'
  let best = ''
  for (const m of menus) {
    for (const x of [m, ...(m.children ?? [])]) {
      if ((path === x.path || path.startsWith(x.path + '/')) && x.path.length > best.length) best = x.path
    }
  }
  return best || path
}
