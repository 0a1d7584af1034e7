import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useTabs } from '@/stores/tabs'

describe('tabs store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('has a home tab that cannot be closed', () => {
    const s = useTabs()
    expect(s.tabs.map((t) => t.path)).toEqual(['/'])
    expect(s.close('/', '/')).toBeNull()
    expect(s.tabs).toHaveLength(1)
  })

  it('opens a tab once per path and remembers the latest query', () => {
    const s = useTabs()
    s.open('/people', '/people', 'menu.people')
    s.open('/people', '/people?unitId=7', 'menu.people')
    expect(s.tabs.map((t) => t.fullPath)).toEqual(['/', '/people?unitId=7'])
  })

  it('closing the active tab goes to its neighbour', () => {
    const s = useTabs()
    s.open('/org', '/org', 'menu.org')
    s.open('/people', '/people', 'menu.people')
    s.open('/audit', '/audit', 'menu.audit')
    expect(s.close('/people', '/people')).toBe('/audit')
    expect(s.close('/audit', '/audit')).toBe('/org')
    expect(s.close('/org', '/')).toBeNull()
    expect(s.tabs.map((t) => t.path)).toEqual(['/'])
  })

  it('close others and close all keep home', () => {
    const s = useTabs()
    s.open('/org', '/org', 'menu.org')
    s.open('/people', '/people', 'menu.people')
    s.closeOthers('/people')
    expect(s.tabs.map((t) => t.path)).toEqual(['/', '/people'])
    s.closeAll()
    expect(s.tabs.map((t) => t.path)).toEqual(['/'])
  })
})
