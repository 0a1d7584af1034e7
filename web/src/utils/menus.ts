// Permission → menu/button logic (unit-tested in tests/unit/menus.test.ts).
// The server decides what a user may see (Me.menus, Me.permissions); the UI
// only shows what it is told and never grants anything itself.

import type { Me } from '@/api/types'

export interface MenuItemDef {
  key: string
  path: string
  icon: string
  title: string // i18n key
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
  { key: 'periods', path: '/periods', icon: 'Calendar', title: 'menu.periods' },
  { key: 'audit', path: '/audit', icon: 'Document', title: 'menu.audit' },
  { key: 'users', path: '/users', icon: 'Lock', title: 'menu.users' },
]

export function visibleMenus(me: Pick<Me, 'menus'> | null | undefined): MenuDef[] {
  if (!me) return []
  const allowed = new Set(me.menus ?? [])
  return MENU_DEFS.filter((m) => allowed.has(m.key))
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
}

/**
 * May the user open a route with this meta? A route names the menu it belongs
 * to and/or the permission it needs; both must be satisfied.
 */
export function canAccess(me: Pick<Me, 'menus' | 'permissions'> | null | undefined, access: RouteAccess): boolean {
  if (!me) return false
  if (access.menu && !(me.menus ?? []).includes(access.menu)) return false
  if (access.permission && !hasPermission(me, access.permission)) return false
  return true
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
