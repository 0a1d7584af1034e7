// Statistics (业务统计) helpers, unit-tested in tests/unit/stats.test.ts: the
// page's filters ↔ URL query ↔ API query, the drill-down to the records
// behind a figure, how figures are shown, and the ECharts options of the
// completion charts. Figures are the server's exact decimal strings; they
// become numbers only to be drawn, never to be added up.

import type { EChartsCoreOption } from 'echarts/core'
import type { Query } from '@/api/client'
import type { MonthlyStats, StatsLevel, StatsMetric, StatsRow, StatsTrend } from '@/api/types'
import { isMonthKey, monthKey } from './customers'
import { groupThousands, isDecimal, PERCENT_UNIT, shiftDecimal, shiftPeriod } from './targets'

export const LEVELS: StatsLevel[] = ['manager', 'team', 'region', 'branch']
export const DEFAULT_LEVEL: StatsLevel = 'manager'
/** Months of the trend chart, ending with the chosen one. */
export const TREND_MONTHS = 6
/** Subjects of the trend chart (the server takes those with the highest actual). */
export const TREND_LIMIT = 5
/** Bars of the chart by subject: the best ones. */
export const BAR_LIMIT = 30

type QueryLike = Record<string, unknown>

const str = (v: unknown) => (typeof v === 'string' ? v : '')

/** The filters of the statistics page. */
export interface StatsFilters {
  month: string
  level: StatsLevel
  /** Only the subjects under this unit; null for the whole scope. */
  unitId: number | null
  /** Metric keys; none for every active metric. */
  metrics: string[]
  /** The metric of the charts; "" for the default. */
  chart: string
}

export function isLevel(s: string | null | undefined): s is StatsLevel {
  return LEVELS.includes(s as StatsLevel)
}

/** The filters in a URL query; a missing or bad month is the current one, a bad level the default. */
export function statsFiltersFromQuery(q: QueryLike, defaultMonth: string = monthKey()): StatsFilters {
  const level = str(q.level)
  const unit = Number(str(q.unitId))
  return {
    month: isMonthKey(str(q.month)) ? str(q.month) : defaultMonth,
    level: isLevel(level) ? level : DEFAULT_LEVEL,
    unitId: Number.isInteger(unit) && unit > 0 ? unit : null,
    metrics: [
      ...new Set(
        str(q.metrics)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ],
    chart: str(q.chart),
  }
}

export function statsFiltersToQuery(f: StatsFilters): Record<string, string> {
  const out: Record<string, string> = { month: f.month, level: f.level }
  if (f.unitId) out.unitId = String(f.unitId)
  if (f.metrics.length) out.metrics = f.metrics.join(',')
  if (f.chart) out.chart = f.chart
  return out
}

/** The query of GET /api/stats/monthly and of its export. */
export function statsApiQuery(f: StatsFilters): Query {
  return { month: f.month, level: f.level, unitId: f.unitId ?? undefined, metrics: f.metrics.length ? f.metrics.join(',') : undefined }
}

/** The query of GET /api/stats/trend: the months up to the chosen one, for one metric. */
export function trendApiQuery(f: StatsFilters, metric: string, months = TREND_MONTHS, limit = TREND_LIMIT): Query {
  return { from: shiftPeriod(f.month, -(months - 1)), to: f.month, level: f.level, unitId: f.unitId ?? undefined, metric, limit }
}

/** The /records query behind one figure: the subject, the month and the metric. */
export function drillQuery(row: Pick<StatsRow, 'subjectType' | 'id'>, metric: string, month: string): Record<string, string> {
  const q: Record<string, string> = { month, metric }
  if (row.subjectType === 'person') q.personId = String(row.id)
  else q.unitId = String(row.id)
  return q
}

/** The metric the charts show by default: the first with a target somewhere, else the first. */
export function defaultChartMetric(stats: Pick<MonthlyStats, 'metrics' | 'rows'> | null | undefined): string {
  if (!stats?.metrics.length) return ''
  const withTarget = stats.metrics.find((m) => stats.rows.some((r) => r.values[m.key]?.target != null))
  return (withTarget ?? stats.metrics[0]).key
}

/** A figure for display: thousands grouped, a percent metric's ratio in percent ("0.855" → "85.5%"); "" for none. */
export function formatStat(v: string | null | undefined, unit: string): string {
  if (v === null || v === undefined || v === '') return ''
  if (!isDecimal(v)) return v
  if (unit === PERCENT_UNIT) return groupThousands(shiftDecimal(v, 2)) + '%'
  return groupThousands(v)
}

/** A completion percentage for display ("60.00" → "60.00%"); "" for none. */
export function formatCompletion(c: string | null | undefined): string {
  return c === null || c === undefined || c === '' ? '' : `${c}%`
}

/** Is a completion at or above 100%? (Compared as text: the server writes two decimals.) */
export function isComplete(c: string | null | undefined): boolean {
  if (!c || !isDecimal(c) || c.startsWith('-')) return false
  const whole = c.split('.')[0].replace(/^\+/, '').replace(/^0+(?=\d)/, '')
  return whole.length > 3 || (whole.length === 3 && whole >= '100')
}

/** A decimal string as a number for drawing; null for none. */
export function chartNumber(s: string | null | undefined): number | null {
  if (s === null || s === undefined || !isDecimal(s)) return null
  return Number(s)
}

/** A metric's name in the language. */
export function metricLabel(m: Pick<StatsMetric, 'nameZh' | 'nameEn' | 'key'> | null | undefined, locale: string): string {
  if (!m) return ''
  return (locale === 'en' ? m.nameEn || m.nameZh : m.nameZh) || m.key
}

export const CHART_COLORS = { primary: '#409eff', success: '#67c23a', muted: '#c0c4cc' }

/** What the charts draw: the completion rate, or the actual value (for metrics without targets). */
export type ChartField = 'completion' | 'actual'
export const CHART_FIELDS: ChartField[] = ['completion', 'actual']

export interface ChartLabels {
  /** The value axis, e.g. "完成率 %" or "完成值". */
  axis: string
  /** The figure in the tooltip, e.g. "完成率". */
  completion: string
  /** Shown for a subject without a target (without a value). */
  noTarget: string
  actual: string
  target: string
}

/** Text safe inside the HTML of a chart tooltip. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
}

/** The label of a subject: a person with their employee number. */
export function subjectLabel(row: Pick<StatsRow, 'name' | 'empNo'>): string {
  return row.empNo ? `${row.name} ${row.empNo}` : row.name
}

/** A figure as drawn: completion in percent; an actual in its unit, a percent metric's ratio in percent. */
function drawn(v: string | null | undefined, field: ChartField, unit: string): number | null {
  if (v === null || v === undefined) return null
  return chartNumber(field === 'actual' && unit === PERCENT_UNIT ? shiftDecimal(v, 2) : v)
}

/** Whether the axis shows percent. */
const percentAxis = (field: ChartField, unit: string) => field === 'completion' || unit === PERCENT_UNIT

/** Does any subject have a completion (a target) for the metric? */
export function hasCompletion(stats: Pick<MonthlyStats, 'rows'> | null | undefined, metric: string): boolean {
  return !!stats?.rows.some((r) => r.values[metric]?.completion != null)
}

/** Can completion be drawn as a line: has some series a completion in two months or more? */
export function trendHasCompletion(trend: Pick<StatsTrend, 'series'> | null | undefined): boolean {
  return !!trend?.series.some((s) => s.completion.filter((c) => c != null).length >= 2)
}

/**
 * A bar chart by subject for one metric — its completion, or its actual —
 * of the best `limit` subjects, best first; subjects without a value come
 * last, without a bar. With completion, bars at or above 100% are green.
 */
export function statsBarOption(
  stats: Pick<MonthlyStats, 'rows' | 'metrics'>,
  metric: string,
  field: ChartField,
  labels: ChartLabels,
  limit = BAR_LIMIT,
): EChartsCoreOption {
  const unit = stats.metrics.find((m) => m.key === metric)?.unit ?? ''
  const items = stats.rows.map((r) => {
    const v = r.values[metric] ?? null
    return { row: r, v, n: drawn(field === 'completion' ? v?.completion : v?.actual, field, unit) }
  })
  items.sort((a, b) => (a.n === null ? (b.n === null ? 0 : 1) : b.n === null ? -1 : b.n - a.n))
  items.splice(limit)
  const names = items.map((x) => subjectLabel(x.row))
  // the tooltip is HTML: names come from imported data and are escaped
  const tips = items.map((x, i) => {
    const head = `${escapeHtml(names[i])}<br/>`
    const actual = `${labels.actual}: ${x.v?.actual == null ? '—' : formatStat(x.v.actual, unit)}`
    if (x.v?.completion == null) return head + escapeHtml(`${actual} · ${labels.noTarget}`)
    return (
      head +
      escapeHtml(`${labels.completion}: ${formatCompletion(x.v.completion)}`) +
      '<br/>' +
      escapeHtml(`${actual} / ${labels.target}: ${formatStat(x.v.target, unit)}`)
    )
  })
  return {
    animation: false,
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (ps: { dataIndex: number }[]) => tips[ps[0]?.dataIndex ?? 0] ?? '' },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 45 : 0 } },
    yAxis: { type: 'value', name: labels.axis, axisLabel: { formatter: percentAxis(field, unit) ? '{value}%' : '{value}' } },
    series: [
      {
        type: 'bar',
        name: field === 'completion' ? labels.completion : labels.actual,
        barMaxWidth: 36,
        data: items.map((x) => ({
          value: x.n,
          itemStyle: { color: field === 'completion' && isComplete(x.v?.completion) ? CHART_COLORS.success : CHART_COLORS.primary },
        })),
      },
    ],
  }
}

/**
 * A line chart by month, one line per subject, of the completion or the
 * actual; months without a value leave a gap. The tooltip shows the
 * server's exact figures.
 */
export function statsTrendOption(trend: Pick<StatsTrend, 'months' | 'series' | 'metric'>, field: ChartField, labels: Pick<ChartLabels, 'axis' | 'noTarget'>): EChartsCoreOption {
  const unit = trend.metric?.unit ?? ''
  const shown = (v: string) => (field === 'completion' ? formatCompletion(v) : formatStat(v, unit))
  return {
    animation: false,
    grid: { left: 8, right: 32, top: 56, bottom: 8, containLabel: true },
    legend: { type: 'plain', top: 0, data: trend.series.map((s) => s.name) },
    tooltip: {
      trigger: 'axis',
      // HTML: names are escaped
      formatter: (ps: { axisValueLabel?: string; marker?: string; seriesName?: string; data?: { text?: string } }[]) =>
        [escapeHtml(ps[0]?.axisValueLabel ?? ''), ...ps.map((p) => `${p.marker ?? ''}${escapeHtml(`${p.seriesName ?? ''}: ${p.data?.text ?? ''}`)}`)].join('<br/>'),
    },
    xAxis: { type: 'category', data: [...trend.months], boundaryGap: false },
    yAxis: { type: 'value', name: labels.axis, axisLabel: { formatter: percentAxis(field, unit) ? '{value}%' : '{value}' } },
    series: trend.series.map((s) => ({
      type: 'line',
      name: s.name,
      connectNulls: false,
      showSymbol: true,
      data: trend.months.map((_, i) => {
        const v = s[field][i] ?? null
        return { value: drawn(v, field, unit), text: v !== null ? shown(v) : field === 'completion' ? labels.noTarget : '—' }
      }),
    })),
  }
}
