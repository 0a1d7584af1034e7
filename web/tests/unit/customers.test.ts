import { describe, expect, it } from 'vitest'
import {
  bpToPercent,
  checkHolders,
  currentHolders,
  formatSerialRange,
  formatShare,
  formsCount,
  holderDrafts,
  isMonthKey,
  monthKey,
  newHolderDraft,
  percentToBp,
  shareSum,
  splitRowErrors,
} from '@/utils/customers'

describe('share % ↔ basis points', () => {
  it('reads percentages exactly, two decimals at most', () => {
    expect(percentToBp(70)).toBe(7000)
    expect(percentToBp(100)).toBe(10000)
    expect(percentToBp(33.33)).toBe(3333)
    expect(percentToBp(0.01)).toBe(1)
    expect(percentToBp(12.3)).toBe(1230)
    // float noise of the input widget is not a third decimal
    expect(percentToBp(0.1 + 0.2)).toBe(30)
    expect(percentToBp(14.35)).toBe(1435)
    expect(percentToBp('70')).toBe(7000)
    expect(percentToBp(' 60% ')).toBe(6000)
    expect(percentToBp('33.33')).toBe(3333)
    expect(percentToBp('33.3')).toBe(3330)
    expect(percentToBp('100.00')).toBe(10000)
  })
  it('refuses what is not a share', () => {
    for (const v of [0, -5, 100.01, 101, 33.333, NaN, Infinity, '', '0', 'abc', '1.234', '1.', '.5', '1000', null, undefined]) {
      expect(percentToBp(v as number | string | null | undefined), String(v)).toBeNull()
    }
  })
  it('writes basis points as the server does', () => {
    expect(formatShare(6000)).toBe('60%')
    expect(formatShare(10000)).toBe('100%')
    expect(formatShare(3333)).toBe('33.33%')
    expect(formatShare(3330)).toBe('33.3%')
    expect(formatShare(5)).toBe('0.05%')
    expect(formatShare(11000)).toBe('110%')
    expect(formatShare(null)).toBe('')
    expect(bpToPercent(7000)).toBe(70)
    expect(bpToPercent(3333)).toBe(33.33)
  })
  it('round-trips every basis point value', () => {
    for (let bp = 1; bp <= 10000; bp++) expect(percentToBp(bpToPercent(bp))).toBe(bp)
  })
})

describe('managers check', () => {
  const row = (personId: number | null, role: string, sharePercent: number | string | null) => ({ personId, role, sharePercent })

  it('accepts one primary at 100% and a 70/30 split', () => {
    const a = checkHolders([row(1, 'primary', 100)])
    expect(a.ok).toBe(true)
    expect(a.holders).toEqual([{ personId: 1, role: 'primary', shareBp: 10000 }])
    const b = checkHolders([row(1, 'primary', 70), row(2, 'assisting', 30)])
    expect(b.ok).toBe(true)
    expect(b.sumBp).toBe(10000)
    expect(b.holders.map((h) => h.shareBp)).toEqual([7000, 3000])
  })
  it('allows a sum below 100%', () => {
    expect(checkHolders([row(1, 'primary', 60)]).ok).toBe(true)
  })
  it('refuses a sum over 100%', () => {
    const c = checkHolders([row(1, 'primary', 70), row(2, 'assisting', 40)])
    expect(c.ok).toBe(false)
    expect(c.sumBp).toBe(11000)
    expect(c.problems).toEqual(['sumOver'])
    expect(c.rows).toEqual({})
  })
  it('needs exactly one primary, distinct people and valid shares', () => {
    expect(checkHolders([]).problems).toContain('noManagers')
    expect(checkHolders([row(1, 'assisting', 100)]).problems).toContain('primaryCount')
    expect(checkHolders([row(1, 'primary', 50), row(2, 'primary', 50)]).problems).toContain('primaryCount')
    const dup = checkHolders([row(1, 'primary', 50), row(1, 'assisting', 50)])
    expect(dup.rows[1]).toEqual({ personId: 'duplicate' })
    const missing = checkHolders([row(null, 'primary', null)])
    expect(missing.rows[0]).toEqual({ personId: 'required', shareBp: 'required' })
    const bad = checkHolders([row(1, 'primary', 33.333), row(2, 'boss', 10)])
    expect(bad.rows[0]).toEqual({ shareBp: 'share' })
    expect(bad.rows[1]).toEqual({ role: 'role' })
    expect(checkHolders(Array.from({ length: 21 }, (_, i) => row(i + 1, i ? 'assisting' : 'primary', 1))).problems).toContain('tooMany')
  })
  it('sums only valid shares', () => {
    expect(shareSum([{ shareBp: 7000 }, { shareBp: 3000 }])).toBe(10000)
    expect(shareSum([{ shareBp: 7000 }, { shareBp: -1 }, { shareBp: 1.5 }])).toBe(7000)
  })
  it('turns holders into editor rows with stable keys', () => {
    const rows = holderDrafts([
      { personId: 1, role: 'primary', shareBp: 7000 },
      { personId: 2, role: 'assisting', shareBp: 3000 },
    ])
    expect(rows.map((r) => [r.personId, r.role, r.sharePercent])).toEqual([
      [1, 'primary', 70],
      [2, 'assisting', 30],
    ])
    expect(new Set([...rows, newHolderDraft()].map((r) => r.uid)).size).toBe(3)
    expect(checkHolders(rows).holders).toEqual([
      { personId: 1, role: 'primary', shareBp: 7000 },
      { personId: 2, role: 'assisting', shareBp: 3000 },
    ])
  })
})

describe('server field errors by row', () => {
  it('splits managers[i].field from the other fields', () => {
    const s = splitRowErrors({
      name: 'required',
      managers: 'sum over 100%',
      'managers[0].personId': 'not found',
      'managers[1].shareBp': 'too big',
      'managers[1].role': 'bad role',
    })
    expect(s.fields).toEqual({ name: 'required', managers: 'sum over 100%' })
    expect(s.rows).toEqual({ 0: { personId: 'not found' }, 1: { shareBp: 'too big', role: 'bad role' } })
  })
  it('leaves other lists alone', () => {
    expect(splitRowErrors({ 'metrics[0].key': 'x' }).fields).toEqual({ 'metrics[0].key': 'x' })
  })
})

describe('serials and months', () => {
  it('formats serial ranges', () => {
    expect(formatSerialRange({ first: 'XZ-202601-0001', last: 'XZ-202601-0003', count: 3 })).toBe('XZ-202601-0001 – XZ-202601-0003')
    expect(formatSerialRange({ first: 'XZ-202601-0007', last: 'XZ-202601-0007', count: 1 })).toBe('XZ-202601-0007')
    expect(formatSerialRange({ first: '', last: '', count: 0 })).toBe('')
    expect(formsCount([{ count: 3 }, { count: 2 }])).toBe(5)
    expect(formsCount(null)).toBe(0)
  })
  it('month keys', () => {
    expect(monthKey(new Date(2026, 0, 31))).toBe('2026-01')
    expect(monthKey('2026-11-22')).toBe('2026-11')
    expect(monthKey('bad')).toBe('')
    expect(isMonthKey('2026-11')).toBe(true)
    expect(isMonthKey('2026-13')).toBe(false)
    expect(isMonthKey('2026-1')).toBe(false)
    expect(isMonthKey(null)).toBe(false)
  })
  it('current holders are the rows without an end', () => {
    const rows = [
      { id: 1, validTo: '2026-06-30' },
      { id: 2, validTo: null },
    ]
    expect(currentHolders(rows).map((r) => r.id)).toEqual([2])
  })
})
