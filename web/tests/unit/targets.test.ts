import { describe, expect, it } from 'vitest'
import type { TargetNode } from '@/api/types'
import {
  addDecimals,
  amountToInput,
  canDecomposeRow,
  canDeleteRow,
  canSetRow,
  checkTotal,
  compareDecimals,
  convertPeriod,
  decomposeBody,
  defaultSplitSelection,
  displayAmount,
  draftTotal,
  fixedDecimal,
  flattenRows,
  groupThousands,
  inputPlaces,
  inputToAmount,
  isDecimal,
  isPeriodKey,
  needsLoad,
  nodeKey,
  normalizeDecimal,
  periodEnd,
  periodKey,
  periodStart,
  placesOf,
  shiftDecimal,
  shiftPeriod,
  STATUS_TAGS,
  statusTag,
  subDecimals,
  subjectOf,
  sumDecimals,
  toRows,
  validInput,
  visibleRows,
  type DraftChild,
  type TargetRow,
} from '@/utils/targets'

describe('exact decimal arithmetic', () => {
  it('adds without float errors', () => {
    expect(0.1 + 0.2).not.toBe(0.3) // why strings
    expect(addDecimals('0.1', '0.2')).toBe('0.3')
    expect(addDecimals('1234.56', '0.44')).toBe('1235')
    expect(addDecimals('300', '0')).toBe('300')
    expect(addDecimals('-5', '3.25')).toBe('-1.75')
    expect(addDecimals('999999999999999.99', '0.01')).toBe('1000000000000000')
    // beyond Number.MAX_SAFE_INTEGER: still exact
    expect(addDecimals('9007199254740993', '1')).toBe('9007199254740994')
  })
  it('subtracts and compares', () => {
    expect(subDecimals('0.3', '0.1')).toBe('0.2')
    expect(subDecimals('100', '100.00')).toBe('0')
    expect(subDecimals('50', '70.5')).toBe('-20.5')
    expect(compareDecimals('1.10', '1.1')).toBe(0)
    expect(compareDecimals('0.30', '0.3000001')).toBe(-1)
    expect(compareDecimals('10', '9.99')).toBe(1)
    expect(compareDecimals('-1', '0')).toBe(-1)
  })
  it('sums a list, leaving out blanks', () => {
    expect(sumDecimals(['0.1', '0.2', null, '', undefined, '0.3'])).toBe('0.6')
    expect(sumDecimals([])).toBe('0')
    expect(sumDecimals(['12', '9', '9'])).toBe('30')
  })
  it('refuses what is not a decimal', () => {
    expect(isDecimal('1e3')).toBe(false)
    expect(isDecimal('1.')).toBe(false)
    expect(isDecimal('.5')).toBe(false)
    expect(isDecimal(' 12.5 ')).toBe(true)
    expect(() => addDecimals('abc', '1')).toThrow(RangeError)
    expect(normalizeDecimal('x')).toBe('')
  })
  it('normalizes, shifts and pads exactly', () => {
    expect(normalizeDecimal('012.500')).toBe('12.5')
    expect(normalizeDecimal('-0.00')).toBe('0')
    expect(shiftDecimal('0.855', 2)).toBe('85.5')
    expect(shiftDecimal('85.5', -2)).toBe('0.855')
    expect(shiftDecimal('3', 3)).toBe('3000')
    expect(shiftDecimal('0.8550', 2)).toBe('85.5')
    expect(fixedDecimal('12.5', 2)).toBe('12.50')
    expect(fixedDecimal('12', 2)).toBe('12.00')
    expect(fixedDecimal('12.345', 2)).toBe('12.345') // never rounds
    expect(fixedDecimal('300', 0)).toBe('300')
    expect(groupThousands('1234567.50')).toBe('1,234,567.50')
    expect(groupThousands('-1000')).toBe('-1,000')
    expect(groupThousands('300')).toBe('300')
  })
})

describe('amounts of a metric', () => {
  it('knows the places of a scale', () => {
    expect(placesOf(1)).toBe(0)
    expect(placesOf(100)).toBe(2)
    expect(placesOf(1000)).toBe(3)
    expect(placesOf(10000)).toBe(4)
    expect(inputPlaces(10000, 'percent')).toBe(2)
    expect(inputPlaces(100, 'yuan')).toBe(2)
  })
  it('accepts what the server accepts', () => {
    expect(validInput('300', 1, 'count')).toBe(true)
    expect(validInput('300.0', 1, 'count')).toBe(true) // trailing zeros do not count
    expect(validInput('300.5', 1, 'count')).toBe(false)
    expect(validInput('1234.56', 100, 'yuan')).toBe(true)
    expect(validInput('1234.567', 100, 'yuan')).toBe(false)
    expect(validInput('-1', 100, 'yuan')).toBe(false)
    expect(validInput('', 1, 'count')).toBe(false)
    expect(validInput('85.25', 10000, 'percent')).toBe(true)
    expect(validInput('85.255', 10000, 'percent')).toBe(false)
  })
  it('types percent metrics in percent and sends the ratio', () => {
    expect(amountToInput('0.8550', 10000, 'percent')).toBe('85.50')
    expect(inputToAmount('85.5', 'percent')).toBe('0.855')
    expect(inputToAmount(' 300 ', 'count')).toBe('300')
    expect(inputToAmount('abc', 'count')).toBe('')
    expect(amountToInput('1234.5', 100, 'yuan')).toBe('1234.50')
    expect(amountToInput(null, 1, 'count')).toBe('')
  })
  it('shows amounts with the unit places, grouped', () => {
    expect(displayAmount('300', 1, 'count')).toBe('300')
    expect(displayAmount('1234567.5', 100, 'yuan')).toBe('1,234,567.50')
    expect(displayAmount('0.8550', 10000, 'percent')).toBe('85.50%')
    expect(displayAmount('-20', 1, 'count')).toBe('-20')
    expect(displayAmount(null, 1, 'count')).toBe('')
  })
})

describe('status → tag', () => {
  it('colours every status of the server', () => {
    expect(statusTag('within')).toBe('primary')
    expect(statusTag('complete')).toBe('success')
    expect(statusTag('incomplete')).toBe('warning')
    expect(statusTag('exceeded')).toBe('danger')
    expect(statusTag('not_decomposed')).toBe('info')
    expect(Object.keys(STATUS_TAGS).sort()).toEqual(['complete', 'exceeded', 'incomplete', 'no_target', 'not_decomposed', 'within'])
  })
  it('shows no tag without a status, info for an unknown one', () => {
    expect(statusTag('')).toBeNull()
    expect(statusTag(undefined)).toBeNull()
    expect(statusTag('something_new')).toBe('info')
  })
  it('checks a running total against the parent under each rule', () => {
    expect(checkTotal('at_most', '100', '100')).toEqual({ state: 'complete', diff: '0' })
    expect(checkTotal('at_most', '100', '99.5')).toEqual({ state: 'within', diff: '0.5' })
    expect(checkTotal('exact', '100', '99.5')).toEqual({ state: 'incomplete', diff: '0.5' })
    expect(checkTotal('exact', '0.3', addDecimals('0.1', '0.2'))).toEqual({ state: 'complete', diff: '0' })
    expect(checkTotal('at_most', '300', '350')).toEqual({ state: 'exceeded', diff: '50' })
    expect(checkTotal('exact', '300', '350')).toEqual({ state: 'exceeded', diff: '50' })
    expect(checkTotal('independent', '300', '350').state).toBe('independent')
    expect(checkTotal('at_most', null, '350').state).toBe('no_target')
  })
})

describe('period keys', () => {
  const nov = new Date(2026, 10, 22)
  it('builds the key of each kind for a day', () => {
    expect(periodKey('month', nov)).toBe('2026-11')
    expect(periodKey('quarter', nov)).toBe('2026-Q4')
    expect(periodKey('year', nov)).toBe('2026')
    expect(periodKey('quarter', new Date(2026, 0, 1))).toBe('2026-Q1')
    expect(periodKey('quarter', new Date(2026, 2, 31))).toBe('2026-Q1')
    expect(periodKey('quarter', new Date(2026, 3, 1))).toBe('2026-Q2')
    expect(periodKey('month', new Date(2026, 0, 5))).toBe('2026-01')
  })
  it('recognizes keys', () => {
    for (const k of ['2026-11', '2026-Q4', '2026']) expect(isPeriodKey(k), k).toBe(true)
    for (const k of ['2026-13', '2026-Q5', '26', '2026-1', '', null]) expect(isPeriodKey(k), String(k)).toBe(false)
  })
  it('knows first and last days', () => {
    expect(periodStart('2026-11')).toEqual(new Date(2026, 10, 1))
    expect(periodStart('2026-Q4')).toEqual(new Date(2026, 9, 1))
    expect(periodStart('2026')).toEqual(new Date(2026, 0, 1))
    expect(periodStart('bad')).toBeNull()
    expect(periodEnd('2026-02')).toEqual(new Date(2026, 1, 28))
    expect(periodEnd('2026-Q4')).toEqual(new Date(2026, 11, 31))
    expect(periodEnd('2028')).toEqual(new Date(2028, 11, 31))
  })
  it('converts between kinds, keeping today when it lies in the period', () => {
    expect(convertPeriod('2026-11', 'quarter', nov)).toBe('2026-Q4')
    expect(convertPeriod('2026-Q4', 'year', nov)).toBe('2026')
    expect(convertPeriod('2026', 'month', nov)).toBe('2026-11')
    expect(convertPeriod('2026-Q4', 'month', nov)).toBe('2026-11')
    expect(convertPeriod('2026-Q2', 'month', nov)).toBe('2026-04')
    expect(convertPeriod('2025', 'quarter', nov)).toBe('2025-Q1')
    expect(convertPeriod('garbage', 'month', nov)).toBe('2026-11')
  })
  it('steps to the previous and next period', () => {
    expect(shiftPeriod('2026-11', 1)).toBe('2026-12')
    expect(shiftPeriod('2026-12', 1)).toBe('2027-01')
    expect(shiftPeriod('2026-01', -1)).toBe('2025-12')
    expect(shiftPeriod('2026-Q4', 1)).toBe('2027-Q1')
    expect(shiftPeriod('2026-Q1', -1)).toBe('2025-Q4')
    expect(shiftPeriod('2026', -1)).toBe('2025')
    expect(shiftPeriod('bad', 1)).toBe('bad')
  })
})

// branch (full, 300) → region 1 (full) → team (more); the institution above is context
const target = (amount: string, version = 1) => ({
  id: 1,
  period: '2026-11',
  metric: 'new_accounts',
  unit: 'count',
  value: Number(amount),
  amount,
  note: '',
  version,
  setBy: 'demo',
  setById: 0,
  setAt: '2026-11-01T00:00:00Z',
})
const tree: TargetNode = {
  type: 'unit',
  unitId: 1,
  unitKind: 'institution',
  name: '示例证券',
  context: true,
  target: null,
  children: [
    {
      type: 'unit',
      unitId: 2,
      unitKind: 'branch',
      name: '营业部',
      target: target('300'),
      childrenSumAmount: '100',
      remainingAmount: '200',
      status: 'within',
      children: [
        {
          type: 'unit',
          unitId: 7,
          unitKind: 'region',
          name: '第一区域',
          target: target('100'),
          children: [
            { type: 'unit', unitId: 10, unitKind: 'team', name: '一队', target: null, more: true },
            { type: 'person', personId: 9, empNo: 'XZ0009', name: '姚国华', target: null },
          ],
        },
      ],
    },
  ],
}

describe('target tree rows', () => {
  const root = toRows(tree)
  const rows = flattenRows([root])
  const by = (k: string) => rows.find((r) => r.key === k)!

  it('keys units and people apart and keeps the parent', () => {
    expect(nodeKey({ type: 'unit', unitId: 7 })).toBe('unit:7')
    expect(nodeKey({ type: 'person', personId: 7 })).toBe('person:7')
    expect(subjectOf({ type: 'person', personId: 9 })).toEqual({ personId: 9 })
    expect(subjectOf({ type: 'unit', unitId: 7 })).toEqual({ unitId: 7 })
    expect(by('unit:7').parentKey).toBe('unit:2')
    expect(by('unit:7').level).toBe(2)
    expect(by('unit:2').parentContext).toBe(true)
    expect(by('person:9').parentUnitId).toBe(7)
  })
  it('gives a node with more a placeholder child to load on expand', () => {
    const team = by('unit:10')
    expect(team.children).toHaveLength(1)
    expect(team.children![0].placeholder).toBe(true)
    expect(needsLoad(team)).toBe(true)
    expect(needsLoad(by('unit:7'))).toBe(false)
    expect(rows.filter((r) => r.placeholder)).toHaveLength(1)
  })
  it('hands the table only the expanded rows’ children, a placeholder under collapsed ones', () => {
    const none = visibleRows([root], new Set())
    expect(none[0].children).toHaveLength(1)
    expect(none[0].children![0].placeholder).toBe(true)
    expect(canDecomposeRow(none[0], true)).toBe(false) // context
    const open = visibleRows([root], new Set(['unit:1', 'unit:2']))
    const branch = open[0].children![0]
    expect(branch.key).toBe('unit:2')
    expect(branch.children!.map((c) => c.key)).toEqual(['unit:7'])
    const region = branch.children![0]
    expect(region.children!.map((c) => c.key)).toEqual(['unit:7#more'])
    expect(canDecomposeRow(region, true)).toBe(true) // its children exist though not shown
    const all = visibleRows([root], new Set(['unit:1', 'unit:2', 'unit:7', 'unit:10']))
    expect(flattenRows(all).map((r) => r.key)).toEqual(['unit:1', 'unit:2', 'unit:7', 'unit:10', 'unit:10#more', 'person:9'])
    expect(root.children![0].children).toHaveLength(1) // the loaded tree is not changed
    expect(visibleRows([by('person:9')], new Set())[0]).toBe(by('person:9'))
  })
  it('offers set/decompose/delete only where the server allows them', () => {
    // the branch sets its own target although its parent is context
    expect(canSetRow(by('unit:2'), true)).toBe(true)
    expect(canDecomposeRow(by('unit:2'), true)).toBe(true)
    expect(canDeleteRow(by('unit:2'), true)).toBe(true)
    // context rows: nothing
    expect(canSetRow(by('unit:1'), true)).toBe(false)
    expect(canDecomposeRow(by('unit:1'), true)).toBe(false)
    // without target:manage: nothing
    expect(canSetRow(by('unit:7'), false)).toBe(false)
    expect(canDecomposeRow(by('unit:7'), false)).toBe(false)
    // a team with unloaded children can be decomposed; no target, nothing to delete
    expect(canDecomposeRow(by('unit:10'), true)).toBe(true)
    expect(canDeleteRow(by('unit:10'), true)).toBe(false)
    // people are set, never decomposed
    expect(canSetRow(by('person:9'), true)).toBe(true)
    expect(canDecomposeRow(by('person:9'), true)).toBe(false)
  })
  it('a regional manager decomposes the region but cannot set it (its parent is context)', () => {
    const rm = toRows({ ...tree.children![0], context: true } as TargetNode, toRows(tree))
    const region = flattenRows([rm]).find((r) => r.key === 'unit:7') as TargetRow
    expect(region.parentContext).toBe(true)
    expect(canSetRow(region, true)).toBe(false)
    expect(canDeleteRow(region, true)).toBe(false)
    expect(canDecomposeRow(region, true)).toBe(true)
  })
  it('a person under a context unit (the viewer themself) cannot be set', () => {
    const group = toRows({ type: 'unit', unitId: 11, unitKind: 'group', name: 'g', context: true, target: target('30'), children: [{ type: 'person', personId: 13, name: 'cm02', target: target('9') }] })
    const self = group.children![0]
    expect(canSetRow(self, true)).toBe(false)
    expect(canDeleteRow(self, true)).toBe(false)
  })
})

describe('decomposition dialog', () => {
  it('splits over the child units by default, else over the people', () => {
    expect(defaultSplitSelection([{ type: 'unit' }, { type: 'unit' }, { type: 'person' }])).toEqual([true, true, false])
    expect(defaultSplitSelection([{ type: 'person' }, { type: 'person' }])).toEqual([true, true])
    expect(defaultSplitSelection([])).toEqual([])
  })
  const child = (v: string, current: string | null, extra: Partial<DraftChild> = {}): DraftChild => ({
    type: 'unit',
    unitId: 1,
    value: v,
    note: '',
    current,
    version: current ? 1 : 0,
    ...extra,
  })
  it('totals typed values exactly; blank rows keep their current target', () => {
    expect(draftTotal([child('0.1', null), child('0.2', null)], 100, 'yuan')).toEqual({ total: '0.3', invalid: [] })
    expect(draftTotal([child('50', null), child('', '20'), child('', null)], 1, 'count')).toEqual({ total: '70', invalid: [] })
    expect(draftTotal([child('1.5', '3'), child('4', null)], 1, 'count')).toEqual({ total: '7', invalid: [0] })
    expect(draftTotal([child('85.5', null)], 10000, 'percent').total).toBe('0.855')
  })
  it('sends rows with a value, with their version, and remembers their rows', () => {
    const rows = [
      child('50', null, { unitId: 19 }),
      child('', '10', { unitId: 20 }),
      child(' 50 ', '25', { unitId: 22, note: ' 平均 ' }),
      child('9', null, { type: 'person', unitId: undefined, personId: 13 }),
    ]
    expect(decomposeBody(rows, 'count')).toEqual({
      children: [
        { unitId: 19, value: '50', note: '', version: 0 },
        { unitId: 22, value: '50', note: '平均', version: 1 },
        { personId: 13, value: '9', note: '', version: 0 },
      ],
      rowOf: [0, 2, 3],
    })
  })
})
