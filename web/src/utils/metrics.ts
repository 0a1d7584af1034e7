// Metric catalogue helpers (unit-tested in tests/unit/metrics.test.ts): the
// conversion table as rows, the factor format the server accepts, what an
// aggregation needs, and the edit form ↔ API body.

import type { Metric, MetricInput } from '@/api/types'

export const SOURCE_RECORD = 'record'
export const SOURCE_FORMULA = 'formula'

/** Aggregations that count records and take no field. */
export const COUNT_AGGREGATIONS = ['count', 'distinct_customers']

export const RECORD_FIELDS = ['amount', 'quantity']

/** A factor as the server accepts it: a decimal with at most six places, or a fraction like 10/3 (metric.ParseFactor). */
export function validFactor(s: string | null | undefined): boolean {
  const v = (s ?? '').trim()
  if (!/^[0-9]{1,9}(\.[0-9]{1,6})?$|^[0-9]{1,9}\/[0-9]{1,9}$/.test(v)) return false
  if (v.includes('/')) {
    const [n, d] = v.split('/').map(Number)
    return n > 0 && d > 0
  }
  return Number(v) > 0
}

export interface ConversionRow {
  product: string
  factor: string
}

/** The conversion map as rows, products in order with "*" (every other product) last. */
export function conversionRows(c: Record<string, string> | null | undefined): ConversionRow[] {
  const keys = Object.keys(c ?? {}).sort((a, b) => (a === '*' ? 1 : b === '*' ? -1 : a < b ? -1 : a > b ? 1 : 0))
  return keys.map((k) => ({ product: k, factor: (c ?? {})[k] }))
}

export type ConversionProblem = 'product' | 'duplicate' | 'factor'

/** Rows back to a map; blank rows are dropped. Problems are by row index. */
export function conversionMap(rows: ConversionRow[]): { map: Record<string, string>; problems: Record<number, ConversionProblem> } {
  const map: Record<string, string> = {}
  const problems: Record<number, ConversionProblem> = {}
  rows.forEach((r, i) => {
    const product = r.product.trim()
    const factor = r.factor.trim()
    if (!product && !factor) return
    if (!product || /\s/.test(product) || product.length > 64) problems[i] = 'product'
    else if (product in map) problems[i] = 'duplicate'
    else if (!validFactor(factor)) problems[i] = 'factor'
    else map[product] = factor
  })
  return { map, problems }
}

/** Does this aggregation read a field (amount or quantity)? */
export function needsField(aggregation: string): boolean {
  return !!aggregation && !COUNT_AGGREGATIONS.includes(aggregation)
}

/** Is a conversion table meaningful (quantity counted in standard lots)? */
export function conversionApplies(field: string, unit: string): boolean {
  return field === 'quantity' && unit === 'lots'
}

/** The edit form of the metric dialog. */
export interface MetricForm {
  key: string
  nameZh: string
  nameEn: string
  unit: string
  sourceKind: string
  aggregation: string
  recordType: string
  field: string
  conversion: ConversionRow[]
  formula: string
  description: string
}

export function blankMetricForm(): MetricForm {
  return {
    key: '',
    nameZh: '',
    nameEn: '',
    unit: 'count',
    sourceKind: SOURCE_RECORD,
    aggregation: 'count',
    recordType: '',
    field: '',
    conversion: [],
    formula: '',
    description: '',
  }
}

export function metricToForm(m: Metric): MetricForm {
  return {
    key: m.key,
    nameZh: m.nameZh ?? '',
    nameEn: m.nameEn ?? '',
    unit: m.unit ?? '',
    sourceKind: m.sourceKind === SOURCE_FORMULA ? SOURCE_FORMULA : SOURCE_RECORD,
    aggregation: m.aggregation ?? '',
    recordType: m.recordType ?? '',
    field: m.field ?? '',
    conversion: conversionRows(m.conversion),
    formula: m.formula ?? '',
    description: m.description ?? '',
  }
}

/**
 * The API body of the form. The server takes the source from the formula
 * (a formula metric when it is not empty), so the fields of the other
 * source kind are sent empty.
 */
export function formToInput(f: MetricForm, conversion: Record<string, string>): MetricInput {
  const formula = f.sourceKind === SOURCE_FORMULA
  return {
    key: f.key.trim(),
    nameZh: f.nameZh.trim(),
    nameEn: f.nameEn.trim(),
    unit: f.unit,
    aggregation: formula ? '' : f.aggregation,
    recordType: formula ? '' : f.recordType.trim(),
    field: formula || !needsField(f.aggregation) ? '' : f.field,
    conversion: formula || !conversionApplies(f.field, f.unit) ? {} : conversion,
    formula: formula ? f.formula.trim() : '',
    description: f.description.trim(),
  }
}

/** Identifiers a formula refers to (for showing which metrics it uses); keywords excluded by the caller's list of keys. */
export function formulaRefs(formula: string | null | undefined, keys: string[]): string[] {
  const known = new Set(keys)
  const out: string[] = []
  for (const m of (formula ?? '').matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    if (known.has(m[0]) && !out.includes(m[0])) out.push(m[0])
  }
  return out
}
