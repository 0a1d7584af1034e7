import { describe, expect, it } from 'vitest'
import type { RecordType } from '@/api/types'
import {
  DEFAULT_IMPORT_MODE,
  IMPORT_MODES,
  importForm,
  importOutcome,
  importStatus,
  outcomeAlert,
  recordFiltersFromQuery,
  recordFiltersToQuery,
  recordsApiQuery,
  recordTypeName,
  sameQuery,
} from '@/utils/records'

describe('record list filters ↔ URL query', () => {
  it('reads a drill-down link from the statistics page', () => {
    const f = recordFiltersFromQuery({ month: '2026-11', personId: '5', metric: 'new_accounts' }, '2030-01')
    expect(f).toEqual({ month: '2026-11', recordType: '', unitId: null, personId: 5, metric: 'new_accounts', page: 1, pageSize: 20 })
    expect(recordFiltersFromQuery({ month: '2026-11', unitId: '9', recordType: 'account_opened', page: '3', pageSize: '50' })).toMatchObject({
      unitId: 9,
      personId: null,
      recordType: 'account_opened',
      page: 3,
      pageSize: 50,
    })
  })
  it('falls back to the current month and page 1 on bad or missing values', () => {
    const f = recordFiltersFromQuery({ month: '2026-13', personId: 'x', unitId: '-2', page: '0', pageSize: '2.5' }, '2026-11')
    expect(f).toEqual({ month: '2026-11', recordType: '', unitId: null, personId: null, metric: '', page: 1, pageSize: 20 })
    expect(recordFiltersFromQuery({}, '2027-01').month).toBe('2027-01')
    expect(recordFiltersFromQuery({ month: ['2026-11'] }, '2027-01').month).toBe('2027-01') // repeated keys are not a month
  })
  it('writes only what is set, and the default page not at all', () => {
    const f = recordFiltersFromQuery({ month: '2026-11', personId: '5', metric: 'new_accounts' })
    expect(recordFiltersToQuery(f)).toEqual({ month: '2026-11', personId: '5', metric: 'new_accounts' })
    expect(recordFiltersToQuery({ ...f, page: 2, pageSize: 50 })).toEqual({ month: '2026-11', personId: '5', metric: 'new_accounts', page: '2', pageSize: '50' })
    // round trip
    const q = { month: '2026-10', recordType: 'deposit_in', unitId: '9', page: '4' }
    expect(recordFiltersToQuery(recordFiltersFromQuery(q))).toEqual(q)
  })
  it('compares queries whatever the order of their keys', () => {
    expect(sameQuery({ month: '2026-11', personId: '5' }, { personId: '5', month: '2026-11' })).toBe(true)
    expect(sameQuery({ month: '2026-11', metric: '' }, { month: '2026-11' })).toBe(true)
    expect(sameQuery({ month: '2026-11' }, { month: '2026-10' })).toBe(false)
    expect(sameQuery({ month: '2026-11' }, { month: '2026-11', page: '2' })).toBe(false)
    expect(sameQuery({ unitId: 9 }, { unitId: '9' })).toBe(true)
    expect(sameQuery({}, {})).toBe(true)
  })
  it('asks the API with every filter and the paging', () => {
    const f = recordFiltersFromQuery({ month: '2026-11', unitId: '9' })
    expect(recordsApiQuery(f)).toEqual({ month: '2026-11', personId: undefined, unitId: 9, metric: '', recordType: '', page: 1, pageSize: 20 })
  })
})

describe('record imports', () => {
  it('offers all-or-nothing first and by default', () => {
    expect(IMPORT_MODES).toEqual(['all_or_nothing', 'valid_rows'])
    expect(DEFAULT_IMPORT_MODE).toBe('all_or_nothing')
  })
  it('sends the file, the month and the mode', () => {
    const file = new File(['a,b\n'], 'records.csv', { type: 'text/csv' })
    const form = importForm(file, '2026-11', 'valid_rows')
    expect((form.get('file') as File).name).toBe('records.csv')
    expect(form.get('month')).toBe('2026-11')
    expect(form.get('mode')).toBe('valid_rows')
  })
  it('tells what a job came to', () => {
    const r = { importId: 1, month: '2026-11', fileName: 'x.csv', rows: 3, inserted: 2, replaced: 0, unchanged: 0, rejected: 0 }
    expect(importOutcome(null)).toBe('running')
    expect(importOutcome({ status: 'queued', result: null })).toBe('running')
    expect(importOutcome({ status: 'running', result: null })).toBe('running')
    expect(importOutcome({ status: 'succeeded', result: r })).toBe('succeeded')
    expect(importOutcome({ status: 'succeeded', result: { ...r, rejected: 1 } })).toBe('partial')
    expect(importOutcome({ status: 'rejected', result: null })).toBe('rejected')
    expect(importOutcome({ status: 'failed', result: null })).toBe('failed')
    expect(outcomeAlert('succeeded')).toBe('success')
    expect(outcomeAlert('partial')).toBe('warning')
    expect(outcomeAlert('rejected')).toBe('error')
    expect(outcomeAlert('failed')).toBe('error')
    expect(outcomeAlert('running')).toBe('info')
  })
  it('marks past imports that left rows out', () => {
    expect(importStatus({ rejected: 0 })).toBe('complete')
    expect(importStatus({ rejected: 4 })).toBe('partial')
  })
})

describe('record type names', () => {
  const types: RecordType[] = [
    { key: 'account_opened', nameZh: '开户', nameEn: 'Account opened', amountSign: 'non_negative', quantitySign: 'non_negative' },
    { key: 'net_revenue', nameZh: '净创收', nameEn: '', amountSign: 'any', quantitySign: 'non_negative' },
  ]
  it('names a type in the language, the key when unknown', () => {
    expect(recordTypeName(types, 'account_opened', 'zh-CN')).toBe('开户')
    expect(recordTypeName(types, 'account_opened', 'en')).toBe('Account opened')
    expect(recordTypeName(types, 'net_revenue', 'en')).toBe('净创收') // no English name
    expect(recordTypeName(types, 'visit', 'zh-CN')).toBe('visit')
    expect(recordTypeName(types, '', 'zh-CN')).toBe('')
    expect(recordTypeName([], null, 'en')).toBe('')
  })
})
