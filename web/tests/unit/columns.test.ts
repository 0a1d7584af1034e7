import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { COLUMNS_STORAGE_KEY, useColumnSettings, type ColumnDef } from '@/stores/columns'

const cols: ColumnDef[] = [
  { key: 'empNo', label: 'person.empNo', required: true },
  { key: 'name', label: 'person.name' },
  { key: 'phone', label: 'person.phone' },
  { key: 'idNumber', label: 'person.idNumber', visible: false },
]
const byKey = (k: string) => cols.find((c) => c.key === k)!

describe('column settings store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('starts from the column defaults', () => {
    const s = useColumnSettings()
    expect(s.visibleKeys('people', cols)).toEqual(['empNo', 'name', 'phone'])
  })

  it('hides and shows columns and persists the choice', () => {
    const s = useColumnSettings()
    s.setVisible('people', byKey('phone'), false)
    s.setVisible('people', byKey('idNumber'), true)
    expect(s.visibleKeys('people', cols)).toEqual(['empNo', 'name', 'idNumber'])
    expect(JSON.parse(localStorage.getItem(COLUMNS_STORAGE_KEY)!)).toEqual({ people: { phone: false, idNumber: true } })

    // a new page load (new store) reads the saved choice
    setActivePinia(createPinia())
    const again = useColumnSettings()
    expect(again.visibleKeys('people', cols)).toEqual(['empNo', 'name', 'idNumber'])
  })

  it('never hides a required column', () => {
    const s = useColumnSettings()
    s.setVisible('people', byKey('empNo'), false)
    expect(s.isVisible('people', byKey('empNo'))).toBe(true)
    expect(localStorage.getItem(COLUMNS_STORAGE_KEY)).toBeNull()
  })

  it('keeps tables apart', () => {
    const s = useColumnSettings()
    s.setVisible('people', byKey('name'), false)
    expect(s.isVisible('audit', byKey('name'))).toBe(true)
  })

  it('stores only differences from the default and reset removes them', () => {
    const s = useColumnSettings()
    s.setVisible('people', byKey('name'), false)
    s.setVisible('people', byKey('name'), true)
    expect(JSON.parse(localStorage.getItem(COLUMNS_STORAGE_KEY)!)).toEqual({})
    s.setVisible('people', byKey('phone'), false)
    s.reset('people')
    expect(s.visibleKeys('people', cols)).toEqual(['empNo', 'name', 'phone'])
    expect(JSON.parse(localStorage.getItem(COLUMNS_STORAGE_KEY)!)).toEqual({})
  })

  it('survives corrupt storage', () => {
    localStorage.setItem(COLUMNS_STORAGE_KEY, '{not json')
    const s = useColumnSettings()
    expect(s.visibleKeys('people', cols)).toEqual(['empNo', 'name', 'phone'])
    localStorage.setItem(COLUMNS_STORAGE_KEY, '[1,2]')
    s.reload()
    expect(s.visibleKeys('people', cols)).toEqual(['empNo', 'name', 'phone'])
  })
})
