import { describe, expect, it } from 'vitest'
import {
  buildUnitTree,
  changedKeys,
  dictLabel,
  displayPii,
  formatDate,
  formatDateTime,
  isMasked,
  maskIdNumber,
  maskPhone,
  periodKind,
  prettyJson,
  toDateString,
  unitPathOf,
} from '@/utils/format'
import { buildUrl, filenameFromDisposition } from '@/api/client'
import { changed, compact, missing } from '@/utils/forms'
import type { Unit } from '@/api/types'

describe('masking', () => {
  it('masks an 18-digit ID number keeping 4 + 4', () => {
    expect(maskIdNumber('130102199001011234')).toBe('1301**********1234')
  })
  it('masks an 11-digit phone keeping 3 + 4', () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
  })
  it('leaves values the server already masked alone', () => {
    expect(maskIdNumber('1301**********1234')).toBe('1301**********1234')
    expect(maskPhone('138****5678')).toBe('138****5678')
    expect(isMasked('138****5678')).toBe(true)
    expect(isMasked('13812345678')).toBe(false)
  })
  it('masks short values entirely and empty ones to empty', () => {
    expect(maskPhone('12345')).toBe('*****')
    expect(maskIdNumber('1234')).toBe('****')
    expect(maskPhone(null)).toBe('')
    expect(maskIdNumber(undefined)).toBe('')
  })
  it('shows clear text only with people:pii', () => {
    expect(displayPii('13812345678', 'phone', true)).toBe('13812345678')
    expect(displayPii('13812345678', 'phone', false)).toBe('138****5678')
    expect(displayPii('130102199001011234', 'idNumber', false)).toBe('1301**********1234')
    expect(displayPii(null, 'idNumber', true)).toBe('')
  })
})

describe('dates', () => {
  it('keeps plain dates as they are (no time-zone shift)', () => {
    expect(formatDate('2026-03-31')).toBe('2026-03-31')
  })
  it('formats Date objects and timestamps as local YYYY-MM-DD', () => {
    expect(formatDate(new Date(2026, 0, 5))).toBe('2026-01-05')
    const ts = '2026-10-01T08:09:10Z'
    expect(formatDate(ts)).toBe(toDateString(new Date(ts)))
    expect(formatDateTime(ts)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
  })
  it('empty in, empty out; garbage passed through', () => {
    expect(formatDate(null)).toBe('')
    expect(formatDate('')).toBe('')
    expect(formatDate('not a date')).toBe('not a date')
    expect(formatDateTime(null)).toBe('')
    expect(formatDate(new Date('x'))).toBe('')
  })
  it('recognises period keys', () => {
    expect(periodKind('2026-10')).toBe('month')
    expect(periodKind('2026-Q3')).toBe('quarter')
    expect(periodKind('2026')).toBe('year')
    expect(periodKind('2026-13')).toBe('')
  })
})

describe('dictionaries', () => {
  const positions = [{ code: 'sales_cm', zh: '销售类客户经理', en: 'Sales customer manager' }]
  it('picks the language', () => {
    expect(dictLabel(positions, 'sales_cm', 'zh-CN')).toBe('销售类客户经理')
    expect(dictLabel(positions, 'sales_cm', 'en')).toBe('Sales customer manager')
  })
  it('shows an unknown code as is and nothing for no code', () => {
    expect(dictLabel(positions, 'other', 'en')).toBe('other')
    expect(dictLabel(positions, null, 'en')).toBe('')
    expect(dictLabel(undefined, 'x', 'en')).toBe('x')
  })
})

describe('unit tree', () => {
  const u = (id: number, parentId: number | null, name = `u${id}`): Unit => ({
    id,
    parentId,
    kind: 'team',
    code: `C${id}`,
    name,
    nameEn: null,
    openedOn: null,
    closedOn: null,
    headcount: 0,
  })
  it('nests by parentId and keeps list order', () => {
    const tree = buildUnitTree([u(1, null), u(2, 1), u(3, 1), u(4, 2)])
    expect(tree.map((n) => n.id)).toEqual([1])
    expect(tree[0].children.map((n) => n.id)).toEqual([2, 3])
    expect(tree[0].children[0].children[0].id).toBe(4)
    expect(tree[0].children[0].children[0].depth).toBe(2)
  })
  it('children listed before their parent still nest', () => {
    const tree = buildUnitTree([u(4, 2), u(2, 1), u(1, null)])
    expect(tree.map((n) => n.id)).toEqual([1])
    expect(tree[0].children[0].children[0].id).toBe(4)
  })
  it('a unit whose parent is out of scope becomes a root', () => {
    const tree = buildUnitTree([u(7, 3), u(8, 7), u(9, 5)])
    expect(tree.map((n) => n.id)).toEqual([7, 9])
  })
  it('does not loop on a cycle', () => {
    const tree = buildUnitTree([u(1, 2), u(2, 1)])
    const count = (ns: typeof tree): number => ns.reduce((a, n) => a + 1 + count(n.children), 0)
    expect(count(tree)).toBe(2)
  })
  it('builds a path of names', () => {
    const list = [u(1, null, '营业部'), u(2, 1, '第一区域'), u(3, 2, '一团队')]
    expect(unitPathOf(list, 3)).toBe('营业部 / 第一区域 / 一团队')
    expect(unitPathOf(list, 99)).toBe('')
  })
})

describe('audit diff', () => {
  it('lists changed top-level keys', () => {
    expect(changedKeys({ a: 1, b: { x: 1 }, c: 3 }, { a: 1, b: { x: 2 }, d: 4 })).toEqual(['b', 'c', 'd'])
    expect(changedKeys(null, { a: 1 })).toEqual(['a'])
    expect(changedKeys({ a: 1 }, { a: 1 })).toEqual([])
  })
  it('pretty-prints JSON and a dash for nothing', () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}')
    expect(prettyJson(null)).toBe('—')
  })
})

describe('api helpers', () => {
  it('builds query strings without empty values', () => {
    expect(buildUrl('/api/people', { q: '张', unitId: 7, position: '', grade: undefined, status: null, page: 1 })).toBe(
      '/api/people?q=%E5%BC%A0&unitId=7&page=1',
    )
    expect(buildUrl('/api/people', {})).toBe('/api/people')
  })
  it('reads file names from Content-Disposition', () => {
    expect(filenameFromDisposition(`attachment; filename*=UTF-8''%E4%BA%BA%E5%91%98.xlsx`, 'x')).toBe('人员.xlsx')
    expect(filenameFromDisposition('attachment; filename="people.xlsx"', 'x')).toBe('people.xlsx')
    expect(filenameFromDisposition(null, 'fallback.xlsx')).toBe('fallback.xlsx')
  })
})

describe('form helpers', () => {
  it('compact drops empty values', () => {
    expect(compact({ a: '', b: null, c: 0, d: 'x', e: undefined })).toEqual({ c: 0, d: 'x' })
  })
  it('changed keeps only edited fields; a cleared field becomes null', () => {
    expect(changed({ name: 'A', phone: '1', gender: '' }, { name: 'B', phone: '', gender: '' })).toEqual({ name: 'B', phone: null })
  })
  it('missing lists the empty required keys', () => {
    expect(missing({ a: '', b: 1, c: null }, ['a', 'b', 'c'])).toEqual(['a', 'c'])
  })
})
