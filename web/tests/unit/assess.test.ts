import { describe, expect, it } from 'vitest'
import type { AssessItem, AssessSheet, ItemScore } from '@/api/types'
import {
  changeKind,
  currentPeriod,
  cycleActions,
  defaultResultsCycle,
  enteredTotal,
  formatBp,
  formatRatio,
  formatScore,
  formatTenths,
  groupSheets,
  itemPercent,
  missingItems,
  nextOpenSheet,
  parsePeriod,
  percentDone,
  periodOf,
  pointErrors,
  pointsProblem,
  radarOption,
  readOnlyReason,
  sheetBody,
  sheetWritable,
  sumTenths,
  toTenths,
  trimDecimal,
  yearChoices,
} from '@/utils/assess'

const item = (key: string, max: number, kind = 'rated'): AssessItem => ({ key, nameZh: key, nameEn: key, criteriaZh: '', max, kind })
const cmForm: AssessItem[] = [
  item('duty_performance', 20),
  item('professional_skill', 10),
  item('execution', 10),
  item('task_completion', 10, 'computed'),
  item('labour_discipline', 20),
]

function sheet(id: number, over: Partial<AssessSheet> = {}): AssessSheet {
  return {
    id,
    cycleId: 1,
    subjectKind: 'person',
    subjectId: 100 + id,
    group: 'peers',
    raterId: 13,
    state: 'pending',
    points: {},
    ratedTotal: 0,
    remark: '',
    reopened: 0,
    savedAt: null,
    submittedAt: null,
    version: 1,
    subjectName: `S${id}`,
    subjectEmpNo: `XZ00${10 + id}`,
    scheme: 'sales_cm_quarterly',
    unitId: 11,
    ...over,
  }
}

describe('the open-cycle period picker', () => {
  it('writes the period string of the API', () => {
    expect(periodOf({ kind: 'quarter', year: 2026, n: 4 })).toBe('2026-Q4')
    expect(periodOf({ kind: 'month', year: 2026, n: 3 })).toBe('2026-03')
    expect(periodOf({ kind: 'month', year: 2026, n: 11 })).toBe('2026-11')
    expect(periodOf({ kind: 'year', year: 2026, n: 0 })).toBe('2026')
  })
  it('makes nothing of parts that are no period', () => {
    expect(periodOf({ kind: 'quarter', year: 2026, n: 5 })).toBe('')
    expect(periodOf({ kind: 'month', year: 2026, n: 0 })).toBe('')
    expect(periodOf({ kind: 'month', year: 2026, n: 13 })).toBe('')
    expect(periodOf({ kind: 'year', year: 26, n: 0 })).toBe('')
  })
  it('reads a typed period back into parts, and round-trips', () => {
    expect(parsePeriod(' 2026-Q4 ')).toEqual({ kind: 'quarter', year: 2026, n: 4 })
    expect(parsePeriod('2026-q1')).toEqual({ kind: 'quarter', year: 2026, n: 1 })
    expect(parsePeriod('2026-07')).toEqual({ kind: 'month', year: 2026, n: 7 })
    expect(parsePeriod('2025')).toEqual({ kind: 'year', year: 2025, n: 0 })
    for (const s of ['2026-Q5', '2026-13', '2026-7', '26', '', 'Q4']) expect(parsePeriod(s), s).toBeNull()
    for (const s of ['2026-Q2', '2026-01', '2026-12', '2024']) expect(periodOf(parsePeriod(s)!)).toBe(s)
  })
  it('starts on the period of today and keeps the part of the year when the kind changes', () => {
    const nov = new Date(2026, 10, 29)
    expect(periodOf(currentPeriod('quarter', nov))).toBe('2026-Q4')
    expect(periodOf(currentPeriod('month', nov))).toBe('2026-11')
    expect(periodOf(currentPeriod('year', nov))).toBe('2026')
    expect(periodOf(currentPeriod('quarter', new Date(2026, 2, 31)))).toBe('2026-Q1')
    expect(periodOf(currentPeriod('quarter', new Date(2026, 3, 1)))).toBe('2026-Q2')
    const q4 = { kind: 'quarter' as const, year: 2026, n: 4 }
    expect(periodOf(changeKind(q4, 'month'))).toBe('2026-10')
    expect(periodOf(changeKind(changeKind(q4, 'month'), 'quarter'))).toBe('2026-Q4')
    expect(periodOf(changeKind({ kind: 'month', year: 2026, n: 6 }, 'quarter'))).toBe('2026-Q2')
    expect(periodOf(changeKind(q4, 'year'))).toBe('2026')
    expect(periodOf(changeKind({ kind: 'year', year: 2025, n: 0 }, 'quarter'))).toBe('2025-Q1')
    expect(yearChoices(nov, 2)).toEqual([2026, 2025, 2024])
  })
})

describe('points in tenths', () => {
  it('adds exactly: 9.5 + 8.5 = 18, 0.1 + 0.2 = 0.3', () => {
    expect(sumTenths([9.5, 8.5])).toBe(180)
    expect(formatTenths(sumTenths([9.5, 8.5]))).toBe('18')
    expect(formatTenths(sumTenths([0.1, 0.2]))).toBe('0.3')
    expect(0.1 + 0.2).not.toBe(0.3) // what the tenths avoid
    expect(formatTenths(sumTenths([18.5, 9, 8.5, 9, 8, 9, 19]))).toBe('81')
    expect(formatTenths(sumTenths([19.9, 9.9, 9.9, 9.9, 9.9, 9.9, 19.9]))).toBe('89.3')
  })
  it('skips empty items and refuses a second decimal', () => {
    expect(sumTenths([null, undefined, 7.5])).toBe(75)
    expect(toTenths(9.55)).toBeNull()
    expect(toTenths(9.5)).toBe(95)
    expect(toTenths(0)).toBe(0)
    expect(toTenths(NaN)).toBeNull()
    expect(formatTenths(5)).toBe('0.5')
    expect(formatTenths(-5)).toBe('-0.5')
    expect(formatTenths(0)).toBe('0')
  })
  it('totals only the rated items of a sheet', () => {
    const pts = { duty_performance: 18.5, professional_skill: 9.5, execution: 8.5, task_completion: 10, labour_discipline: null }
    expect(enteredTotal(cmForm, pts)).toBe('36.5')
    expect(missingItems(cmForm, pts)).toEqual(['labour_discipline'])
    expect(missingItems(cmForm, { ...pts, labour_discipline: 0 })).toEqual([])
  })
  it('names what is wrong with one value', () => {
    expect(pointsProblem(null, 20)).toBe('')
    expect(pointsProblem(20, 20)).toBe('')
    expect(pointsProblem(20.1, 20)).toBe('aboveMax')
    expect(pointsProblem(-0.5, 20)).toBe('negative')
    expect(pointsProblem(9.25, 10)).toBe('oneDecimal')
  })
  it('sends every rated item, empty ones as null, never a computed one', () => {
    const body = sheetBody(cmForm, { duty_performance: 18.5, execution: 9, task_completion: 3 }, '  ok ', true, 4)
    expect(body).toEqual({
      points: { duty_performance: 18.5, professional_skill: null, execution: 9, labour_discipline: null },
      remark: 'ok',
      submit: true,
      version: 4,
    })
  })
  it("puts a 400's points.<item> fields back on the items", () => {
    expect(pointErrors({ 'points.execution': 'too high', remark: 'long', 'points.labour_discipline': 'missing' })).toEqual({
      execution: 'too high',
      labour_discipline: 'missing',
    })
  })
})

describe('sheets and cycles', () => {
  it('a rater writes while scoring until submitting; in review only a reopened sheet', () => {
    expect(sheetWritable('scoring', { state: 'pending', reopened: 0 })).toBe(true)
    expect(sheetWritable('scoring', { state: 'draft', reopened: 0 })).toBe(true)
    expect(sheetWritable('scoring', { state: 'submitted', reopened: 0 })).toBe(false)
    expect(sheetWritable('review', { state: 'draft', reopened: 0 })).toBe(false)
    expect(sheetWritable('review', { state: 'draft', reopened: 1 })).toBe(true)
    expect(sheetWritable('closed', { state: 'draft', reopened: 1 })).toBe(false)
    expect(sheetWritable('open', { state: 'pending', reopened: 0 })).toBe(false)
    expect(readOnlyReason('scoring', { state: 'submitted', reopened: 0 })).toBe('submittedHint')
    expect(readOnlyReason('review', { state: 'pending', reopened: 0 })).toBe('endedHint')
    expect(readOnlyReason('closed', { state: 'pending', reopened: 0 })).toBe('closedHint')
    expect(readOnlyReason('open', { state: 'pending', reopened: 0 })).toBe('notScoring')
    expect(readOnlyReason('scoring', { state: 'draft', reopened: 0 })).toBe('')
  })
  it('offers the actions of each state', () => {
    expect(cycleActions('open')).toEqual(['start'])
    expect(cycleActions('scoring')).toEqual(['end', 'compute'])
    expect(cycleActions('review')).toEqual(['close', 'resume', 'compute'])
    expect(cycleActions('closed')).toEqual([])
  })
  it('groups sheets by scheme and group, those to do first', () => {
    const groups = groupSheets([
      sheet(1, { state: 'submitted' }),
      sheet(2, { group: 'sales_cms', scheme: 'rm_quarterly' }),
      sheet(3, { state: 'draft' }),
      sheet(4),
    ])
    expect(groups.map((g) => g.key)).toEqual(['sales_cm_quarterly:peers', 'rm_quarterly:sales_cms'])
    expect(groups[0].sheets.map((s) => s.id)).toEqual([3, 4, 1])
    expect(groups[0].submitted).toBe(1)
    expect(nextOpenSheet(groups, 3)?.id).toBe(4)
    expect(nextOpenSheet(groups, 4)?.id).toBe(2)
    expect(nextOpenSheet(groups, 2)?.id).toBe(3)
    expect(nextOpenSheet(groupSheets([sheet(1, { state: 'submitted' })]), 1)).toBeNull()
  })
  it('counts progress in whole percent, 100 only when all is in', () => {
    expect(percentDone(0, 0)).toBe(0)
    expect(percentDone(1, 3)).toBe(33)
    expect(percentDone(242, 243)).toBe(99)
    expect(percentDone(243, 243)).toBe(100)
  })
  it('opens results on the newest cycle with results', () => {
    const cs = [
      { id: 2, asOf: '2026-11-30', computedAt: null },
      { id: 1, asOf: '2026-12-31', computedAt: null },
      { id: 3, asOf: '2026-09-30', computedAt: '2026-10-09T08:00:00Z' },
    ]
    expect(defaultResultsCycle(cs)).toBe(3)
    expect(defaultResultsCycle(cs.map((c) => ({ ...c, computedAt: null })))).toBe(1)
    expect(defaultResultsCycle([])).toBeNull()
  })
})

describe('scores, weights and the radar', () => {
  it('shows scores with two decimals and weights in percent', () => {
    expect(formatScore(79.3)).toBe('79.30')
    expect(formatScore(80)).toBe('80.00')
    expect(formatScore(0.05)).toBe('0.05')
    expect(formatScore(null)).toBe('')
    expect(formatBp(2000)).toBe('20%')
    expect(formatBp(6667)).toBe('66.67%')
    expect(formatBp(750)).toBe('7.5%')
    expect(formatBp(10000)).toBe('100%')
    expect(formatRatio(0.15555555555555556)).toBe('15.56%')
    expect(trimDecimal('1.4000')).toBe('1.4')
    expect(trimDecimal('9.0000')).toBe('9')
    expect(trimDecimal('12')).toBe('12')
  })
  it("draws each item's score over its maximum in percent", () => {
    expect(itemPercent(17.1, 20)).toBe(85.5)
    expect(itemPercent(1.6, 10)).toBe(16)
    expect(itemPercent(8.7, 10)).toBe(87)
    expect(itemPercent(6.67, 10)).toBe(66.7)
    expect(itemPercent(null, 10)).toBeNull()
    const items: ItemScore[] = [
      { key: 'duty_performance', nameZh: '履职', nameEn: 'Duties', max: 20, computed: false, byGroup: {}, score: 17.1 },
      { key: 'task_completion', nameZh: '任务', nameEn: 'Tasks', max: 10, computed: true, byGroup: {}, score: 1.6 },
      { key: 'labour_discipline', nameZh: '纪律<b>', nameEn: 'Discipline', max: 20, computed: false, byGroup: {}, score: 18.6 },
    ]
    const o = radarOption(items, (i) => i.nameZh, { series: '得分率', point: (i) => `${i.score}/${i.max}` }) as {
      radar: { indicator: { name: string; max: number }[] }
      series: { type: string; data: { value: number[] }[] }[]
      tooltip: { formatter: () => string }
    }
    expect(o.radar.indicator).toEqual([
      { name: '履职', max: 100 },
      { name: '任务', max: 100 },
      { name: '纪律<b>', max: 100 },
    ])
    expect(o.series[0].type).toBe('radar')
    expect(o.series[0].data[0].value).toEqual([85.5, 16, 93])
    expect(o.tooltip.formatter()).toContain('纪律&lt;b&gt;: 93%')
  })
  it('draws nothing for a held result', () => {
    const held: ItemScore[] = [{ key: 'x', nameZh: 'x', nameEn: 'x', max: 10, computed: false, byGroup: {}, score: null }]
    expect(radarOption(held, (i) => i.key, { series: 's', point: () => '' })).toBeNull()
    expect(radarOption([], (i) => i.key, { series: 's', point: () => '' })).toBeNull()
  })
})
