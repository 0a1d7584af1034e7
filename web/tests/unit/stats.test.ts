import { describe, expect, it } from 'vitest'
import type { MonthlyStats, StatsRow, StatsTrend, StatsValue } from '@/api/types'
import {
  chartNumber,
  defaultChartMetric,
  drillQuery,
  escapeHtml,
  formatCompletion,
  formatStat,
  hasCompletion,
  isComplete,
  LEVELS,
  metricLabel,
  statsApiQuery,
  statsFiltersFromQuery,
  statsBarOption,
  statsFiltersToQuery,
  statsTrendOption,
  trendApiQuery,
  trendHasCompletion,
} from '@/utils/stats'

const v = (actual: string, target: string | null = null, completion: string | null = null, rank = 1): StatsValue => ({
  actual,
  target,
  completion,
  rank,
  completionRank: completion === null ? null : rank,
})

const row = (id: number, name: string, values: Record<string, StatsValue>, over: Partial<StatsRow> = {}): StatsRow => ({
  subjectType: 'person',
  id,
  name,
  path: '邢州北路证券营业部 / 第一区域',
  empNo: `XZ${id}`,
  values,
  ...over,
})

const stats: MonthlyStats = {
  month: '2026-11',
  level: 'manager',
  metrics: [
    { key: 'net_revenue', nameZh: '净创收', nameEn: 'Net revenue', unit: 'yuan' },
    { key: 'new_accounts', nameZh: '新开户数', nameEn: 'New accounts', unit: 'count' },
  ],
  rows: [
    row(1, '张三', { net_revenue: v('1234567.50'), new_accounts: v('6', '12', '50.00', 2) }),
    row(2, '李四', { net_revenue: v('-20.00'), new_accounts: v('0', null, null, 3) }),
    row(3, '<b>王五</b>', { net_revenue: v('0.00'), new_accounts: v('12', '9', '133.33', 1) }),
  ],
}

describe('statistics filters ↔ URL query', () => {
  it('has the four levels, managers first', () => {
    expect(LEVELS).toEqual(['manager', 'team', 'region', 'branch'])
  })
  it('reads the query, with the current month and the manager level by default', () => {
    expect(statsFiltersFromQuery({}, '2026-11')).toEqual({ month: '2026-11', level: 'manager', unitId: null, metrics: [], chart: '' })
    expect(statsFiltersFromQuery({ month: '2026-10', level: 'team', unitId: '9', metrics: 'new_accounts, net_revenue,,new_accounts', chart: 'new_accounts' }, '2026-11')).toEqual({
      month: '2026-10',
      level: 'team',
      unitId: 9,
      metrics: ['new_accounts', 'net_revenue'],
      chart: 'new_accounts',
    })
    expect(statsFiltersFromQuery({ month: '26-10', level: 'galaxy', unitId: '0' }, '2026-11')).toMatchObject({ month: '2026-11', level: 'manager', unitId: null })
  })
  it('writes the query and the API query from the filters', () => {
    const f = statsFiltersFromQuery({ month: '2026-11', level: 'region', unitId: '4', metrics: 'a,b', chart: 'b' })
    expect(statsFiltersToQuery(f)).toEqual({ month: '2026-11', level: 'region', unitId: '4', metrics: 'a,b', chart: 'b' })
    expect(statsApiQuery(f)).toEqual({ month: '2026-11', level: 'region', unitId: 4, metrics: 'a,b' })
    const all = statsFiltersFromQuery({ month: '2026-11' })
    expect(statsFiltersToQuery(all)).toEqual({ month: '2026-11', level: 'manager' })
    expect(statsApiQuery(all)).toEqual({ month: '2026-11', level: 'manager', unitId: undefined, metrics: undefined })
  })
  it('asks for the trend of the six months up to the chosen one, across a year end', () => {
    const f = statsFiltersFromQuery({ month: '2026-02', level: 'team', unitId: '9' })
    expect(trendApiQuery(f, 'new_accounts')).toEqual({ from: '2025-09', to: '2026-02', level: 'team', unitId: 9, metric: 'new_accounts', limit: 5 })
    expect(trendApiQuery(statsFiltersFromQuery({ month: '2026-11' }), 'x', 3, 10)).toMatchObject({ from: '2026-09', to: '2026-11', limit: 10, unitId: undefined })
  })
  it('links a figure to its records: the person or the unit, the month and the metric', () => {
    expect(drillQuery({ subjectType: 'person', id: 5 }, 'new_accounts', '2026-11')).toEqual({ month: '2026-11', metric: 'new_accounts', personId: '5' })
    expect(drillQuery({ subjectType: 'unit', id: 9 }, 'net_revenue', '2026-10')).toEqual({ month: '2026-10', metric: 'net_revenue', unitId: '9' })
  })
})

describe('figures', () => {
  it('are shown as the server wrote them, thousands grouped', () => {
    expect(formatStat('1234567.50', 'yuan')).toBe('1,234,567.50')
    expect(formatStat('-20.00', 'yuan')).toBe('-20.00')
    expect(formatStat('12', 'count')).toBe('12')
    expect(formatStat('9007199254740993', 'count')).toBe('9,007,199,254,740,993') // beyond float precision, still exact
    expect(formatStat('0.8550', 'percent')).toBe('85.5%')
    expect(formatStat(null, 'count')).toBe('')
    expect(formatStat('', 'count')).toBe('')
    expect(formatStat('n/a', 'count')).toBe('n/a')
  })
  it('completion is a percentage with two decimals', () => {
    expect(formatCompletion('60.00')).toBe('60.00%')
    expect(formatCompletion(null)).toBe('')
    for (const c of ['100.00', '100', '133.33', '1000.00', '0100.00']) expect(isComplete(c), c).toBe(true)
    for (const c of ['99.99', '0.00', '-100.00', '', null, 'x', '10.00']) expect(isComplete(c), String(c)).toBe(false)
  })
  it('become numbers only to be drawn', () => {
    expect(chartNumber('133.33')).toBe(133.33)
    expect(chartNumber('-5')).toBe(-5)
    expect(chartNumber(null)).toBeNull()
    expect(chartNumber('')).toBeNull()
    expect(chartNumber('abc')).toBeNull()
  })
  it('names metrics in the language', () => {
    expect(metricLabel(stats.metrics[1], 'zh-CN')).toBe('新开户数')
    expect(metricLabel(stats.metrics[1], 'en')).toBe('New accounts')
    expect(metricLabel({ key: 'k', nameZh: '', nameEn: '' }, 'en')).toBe('k')
    expect(metricLabel(null, 'en')).toBe('')
  })
})

describe('charts', () => {
  const labels = { axis: '完成率 %', completion: '完成率', noTarget: '未设定目标', actual: '完成', target: '目标' }

  it('draw by default the first metric that has a target', () => {
    expect(defaultChartMetric(stats)).toBe('new_accounts')
    expect(defaultChartMetric({ metrics: stats.metrics, rows: [] })).toBe('net_revenue')
    expect(defaultChartMetric({ metrics: [], rows: [] })).toBe('')
    expect(defaultChartMetric(null)).toBe('')
    expect(hasCompletion(stats, 'new_accounts')).toBe(true)
    expect(hasCompletion(stats, 'net_revenue')).toBe(false)
    expect(hasCompletion(null, 'new_accounts')).toBe(false)
  })

  it('bar: completion by subject, best first, no bar without a target, green from 100%', () => {
    const o = statsBarOption(stats, 'new_accounts', 'completion', labels) as Record<string, any>
    expect(o.xAxis.data).toEqual(['<b>王五</b> XZ3', '张三 XZ1', '李四 XZ2'])
    const data = o.series[0].data as { value: number | null; itemStyle: { color: string } }[]
    expect(data.map((d) => d.value)).toEqual([133.33, 50, null])
    expect(data.map((d) => d.itemStyle.color)).toEqual(['#67c23a', '#409eff', '#409eff'])
    expect(o.series[0].type).toBe('bar')
    expect(o.yAxis.name).toBe('完成率 %')
    expect(o.yAxis.axisLabel.formatter).toBe('{value}%')
  })

  it('bar: the actual for metrics without targets, largest first, in the metric’s unit', () => {
    const o = statsBarOption(stats, 'net_revenue', 'actual', { ...labels, axis: '完成值 (元)' }) as Record<string, any>
    expect(o.xAxis.data).toEqual(['张三 XZ1', '<b>王五</b> XZ3', '李四 XZ2'])
    expect(o.series[0].data.map((d: { value: number }) => d.value)).toEqual([1234567.5, 0, -20])
    expect(o.series[0].name).toBe('完成')
    expect(o.yAxis.axisLabel.formatter).toBe('{value}')
    expect(o.series[0].data.every((d: { itemStyle: { color: string } }) => d.itemStyle.color === '#409eff')).toBe(true)
    // a percent metric's ratio is drawn in percent
    const rate = {
      metrics: [{ key: 'rate', nameZh: '有效户率', nameEn: 'Rate', unit: 'percent' }],
      rows: [row(1, 'A', { rate: v('0.8550') }), row(2, 'B', { rate: { ...v('0'), actual: null, rank: null } })],
    }
    const r = statsBarOption(rate, 'rate', 'actual', labels) as Record<string, any>
    expect(r.series[0].data.map((d: { value: number | null }) => d.value)).toEqual([85.5, null])
    expect(r.yAxis.axisLabel.formatter).toBe('{value}%')
    expect(r.tooltip.formatter([{ dataIndex: 1 }])).toContain('完成: —')
  })

  it('bar tooltip escapes names (they come from imported data) and shows exact figures', () => {
    const o = statsBarOption(stats, 'new_accounts', 'completion', labels) as Record<string, any>
    const tip = (i: number) => o.tooltip.formatter([{ dataIndex: i }]) as string
    expect(tip(0)).toContain('&lt;b&gt;王五&lt;/b&gt; XZ3<br/>')
    expect(tip(0)).not.toContain('<b>')
    expect(tip(0)).toContain('完成率: 133.33%')
    expect(tip(0)).toContain('完成: 12 / 目标: 9')
    expect(tip(2)).toContain('未设定目标')
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })

  it('bar: many subjects get slanted labels', () => {
    const many = { ...stats, rows: Array.from({ length: 10 }, (_, i) => row(i, `经理${i}`, { new_accounts: v(String(i), '10', `${i * 10}.00`) })) }
    const o = statsBarOption(many, 'new_accounts', 'completion', labels) as Record<string, any>
    expect(o.xAxis.axisLabel.rotate).toBe(45)
    expect(o.xAxis.data[0]).toBe('经理9 XZ9')
    expect((statsBarOption(stats, 'new_accounts', 'completion', labels) as Record<string, any>).xAxis.axisLabel.rotate).toBe(0)
    // only the best ones get a bar
    const top = statsBarOption(many, 'new_accounts', 'completion', labels, 3) as Record<string, any>
    expect(top.xAxis.data).toEqual(['经理9 XZ9', '经理8 XZ8', '经理7 XZ7'])
    expect(top.series[0].data).toHaveLength(3)
  })

  const trend: StatsTrend = {
    metric: stats.metrics[1],
    months: ['2026-09', '2026-10', '2026-11'],
    series: [
      { id: 9, name: '第一区域第一团队', actual: ['1', '4', '12'], completion: [null, '40.00', '60.00'] },
      { id: 10, name: '<i>第二团队</i>', actual: ['0', null, '3'], completion: ['0.00', '20.00', null] },
    ],
  }

  it('line: one line per subject over the months, gaps where there was no value', () => {
    const o = statsTrendOption(trend, 'completion', labels) as Record<string, any>
    expect(o.xAxis.data).toEqual(['2026-09', '2026-10', '2026-11'])
    expect(o.legend.data).toEqual(['第一区域第一团队', '<i>第二团队</i>'])
    expect(o.series.map((s: { name: string }) => s.name)).toEqual(['第一区域第一团队', '<i>第二团队</i>'])
    const values = (i: number) => o.series[i].data.map((d: { value: number | null }) => d.value)
    expect(values(0)).toEqual([null, 40, 60])
    expect(values(1)).toEqual([0, 20, null])
    expect(o.series.every((s: { type: string; connectNulls: boolean }) => s.type === 'line' && s.connectNulls === false)).toBe(true)
    expect(o.yAxis.axisLabel.formatter).toBe('{value}%')
    // a short series does not shift the months
    const short = statsTrendOption({ metric: trend.metric, months: ['2026-10', '2026-11'], series: [{ id: 1, name: 'x', actual: [], completion: ['10.00'] }] }, 'completion', labels) as Record<string, any>
    expect(short.series[0].data.map((d: { value: number | null }) => d.value)).toEqual([10, null])
  })

  it('line tooltip: the exact figures, names escaped', () => {
    const o = statsTrendOption(trend, 'completion', labels) as Record<string, any>
    const params = o.series.map((s: { name: string; data: unknown[] }) => ({ axisValueLabel: '2026-11', marker: '●', seriesName: s.name, data: s.data[2] }))
    expect(o.tooltip.formatter(params)).toBe('2026-11<br/>●第一区域第一团队: 60.00%<br/>●&lt;i&gt;第二团队&lt;/i&gt;: 未设定目标')
    const a = statsTrendOption(trend, 'actual', { ...labels, axis: '完成值' }) as Record<string, any>
    expect(a.series[1].data.map((d: { value: number | null; text: string }) => [d.value, d.text])).toEqual([
      [0, '0'],
      [null, '—'],
      [3, '3'],
    ])
    expect(a.yAxis.axisLabel.formatter).toBe('{value}')
  })

  it('line: completion only where some subject has it in two months; else the actual', () => {
    expect(trendHasCompletion(trend)).toBe(true)
    expect(trendHasCompletion({ series: [{ id: 1, name: 'x', actual: ['1', '2'], completion: [null, '9.40'] }] })).toBe(false)
    expect(trendHasCompletion({ series: [] })).toBe(false)
    expect(trendHasCompletion(null)).toBe(false)
  })
})
