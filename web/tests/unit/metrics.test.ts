import { describe, expect, it } from 'vitest'
import type { Metric } from '@/api/types'
import {
  blankMetricForm,
  conversionApplies,
  conversionMap,
  conversionRows,
  formToInput,
  formulaRefs,
  metricToForm,
  needsField,
  validFactor,
} from '@/utils/metrics'

const lots: Metric = {
  id: 8,
  key: 'standard_lots',
  nameZh: '交易手数',
  nameEn: 'Standard lots',
  unit: 'lots',
  aggregation: 'sum',
  sourceKind: 'record',
  recordType: 'futures_trade',
  field: 'quantity',
  conversion: { bitumen_50t: '10/3', '*': '1', bitumen_15t: '1' },
  description: '',
  active: true,
  version: 3,
  updatedAt: '2026-11-22T12:00:00Z',
}

describe('conversion factors', () => {
  it('accepts the forms metric.ParseFactor accepts', () => {
    for (const f of ['1', '0.5', '3.333333', '10/3', '123456789', ' 2 ']) expect(validFactor(f), f).toBe(true)
    for (const f of ['', '0', '0/3', '3/0', '-1', '1.2345678', '1e3', '1/2/3', 'abc', '1234567890', '.5']) expect(validFactor(f), f).toBe(false)
  })
  it('rows ↔ map, with * last', () => {
    expect(conversionRows(lots.conversion).map((r) => r.product)).toEqual(['bitumen_15t', 'bitumen_50t', '*'])
    const { map, problems } = conversionMap([
      { product: 'a', factor: '1' },
      { product: '', factor: '' },
      { product: 'a', factor: '2' },
      { product: 'b c', factor: '1' },
      { product: 'd', factor: '1/0' },
      { product: ' e ', factor: ' 0.5 ' },
    ])
    expect(map).toEqual({ a: '1', e: '0.5' })
    expect(problems).toEqual({ 2: 'duplicate', 3: 'product', 4: 'factor' })
  })
  it('applies only to a quantity in lots', () => {
    expect(conversionApplies('quantity', 'lots')).toBe(true)
    expect(conversionApplies('quantity', 'count')).toBe(false)
    expect(conversionApplies('amount', 'lots')).toBe(false)
  })
})

describe('metric form', () => {
  it('count aggregations take no field', () => {
    expect(needsField('count')).toBe(false)
    expect(needsField('distinct_customers')).toBe(false)
    expect(needsField('sum')).toBe(true)
    expect(needsField('avg_daily_balance')).toBe(true)
    expect(needsField('')).toBe(false)
  })
  it('a record metric round-trips', () => {
    const f = metricToForm(lots)
    expect(f.sourceKind).toBe('record')
    const body = formToInput(f, conversionMap(f.conversion).map)
    expect(body).toEqual({
      key: 'standard_lots',
      nameZh: '交易手数',
      nameEn: 'Standard lots',
      unit: 'lots',
      aggregation: 'sum',
      recordType: 'futures_trade',
      field: 'quantity',
      conversion: { bitumen_50t: '10/3', '*': '1', bitumen_15t: '1' },
      formula: '',
      description: '',
    })
  })
  it('a formula metric sends no record source, and a record metric no formula', () => {
    const f = { ...blankMetricForm(), key: ' rate ', nameZh: '转化率', unit: 'percent', sourceKind: 'formula', formula: ' a / b ', recordType: 'x', aggregation: 'sum', field: 'amount' }
    const body = formToInput(f, { x: '1' })
    expect(body).toMatchObject({ key: 'rate', formula: 'a / b', aggregation: '', recordType: '', field: '', conversion: {} })
    const r = { ...blankMetricForm(), key: 'visits', nameZh: '拜访', recordType: 'visit', aggregation: 'count', field: 'amount', formula: 'x' }
    expect(formToInput(r, {})).toMatchObject({ formula: '', field: '', aggregation: 'count', recordType: 'visit' })
  })
  it('finds the metrics a formula uses', () => {
    expect(formulaRefs('new_valid_accounts / new_accounts', ['new_accounts', 'new_valid_accounts', 'x'])).toEqual(['new_valid_accounts', 'new_accounts'])
    expect(formulaRefs('max(a, a) + b', ['a'])).toEqual(['a'])
    expect(formulaRefs(undefined, ['a'])).toEqual([])
  })
})
