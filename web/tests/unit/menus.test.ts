import { describe, expect, it } from 'vitest'
import { canAccess, hasAnyPermission, hasPermission, MENU_DEFS, visibleMenus } from '@/utils/menus'

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
    for (const m of MENU_DEFS) {
      expect(m.path).toBe('/' + m.key)
      expect(m.icon).not.toBe('')
    }
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
