// Business records (业务记录) helpers, unit-tested in tests/unit/records.test.ts:
// the record list's filters ↔ URL query ↔ API query, the import modes and
// phases, what a finished import job amounts to, and record-type names.

import type { Query } from '@/api/client'
import type { Job, RecordImport, RecordImportMode, RecordImportResult, RecordType } from '@/api/types'
import { isMonthKey, monthKey } from './customers'

export const IMPORT_MODES: RecordImportMode[] = ['all_or_nothing', 'valid_rows']
export const DEFAULT_IMPORT_MODE: RecordImportMode = 'all_or_nothing'

/** The phases of a record import job, in order. */
export const IMPORT_PHASES = ['reading', 'resolving', 'writing', 'committing']

export const RECORDS_PAGE_SIZE = 20

type QueryLike = Record<string, unknown>

const str = (v: unknown) => (typeof v === 'string' ? v : '')
const positive = (v: unknown): number | null => {
  const n = Number(str(v))
  return Number.isInteger(n) && n > 0 ? n : null
}

/** The filters of the record list (/records). */
export interface RecordFilters {
  month: string
  recordType: string
  unitId: number | null
  personId: number | null
  metric: string
  page: number
  pageSize: number
}

/** The filters in a URL query; a missing or bad month is the current one. */
export function recordFiltersFromQuery(q: QueryLike, defaultMonth: string = monthKey()): RecordFilters {
  return {
    month: isMonthKey(str(q.month)) ? str(q.month) : defaultMonth,
    recordType: str(q.recordType),
    unitId: positive(q.unitId),
    personId: positive(q.personId),
    metric: str(q.metric),
    page: positive(q.page) ?? 1,
    pageSize: positive(q.pageSize) ?? RECORDS_PAGE_SIZE,
  }
}

function compactQuery(all: Query): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== null && v !== '') out[k] = String(v)
  return out
}

/** The URL query of the filters (month always; page and page size only when not the default). */
export function recordFiltersToQuery(f: RecordFilters): Record<string, string> {
  return compactQuery({
    month: f.month,
    recordType: f.recordType,
    unitId: f.unitId ?? undefined,
    personId: f.personId ?? undefined,
    metric: f.metric,
    page: f.page === 1 ? undefined : f.page,
    pageSize: f.pageSize === RECORDS_PAGE_SIZE ? undefined : f.pageSize,
  })
}

/**
 * Do two URL queries say the same, whatever the order of their keys? (A
 * page rewrites a link's query into its normal form only when it differs.)
 */
export function sameQuery(a: QueryLike, b: QueryLike): boolean {
  const norm = (q: QueryLike) =>
    JSON.stringify(
      Object.entries(q)
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)])
        .sort(([x], [y]) => (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0)),
    )
  return norm(a) === norm(b)
}

/** The query of GET /api/records. */
export function recordsApiQuery(f: RecordFilters): Query {
  return {
    month: f.month,
    personId: f.personId ?? undefined,
    unitId: f.unitId ?? undefined,
    metric: f.metric,
    recordType: f.recordType,
    page: f.page,
    pageSize: f.pageSize,
  }
}

/** What a record import job came to: still going, all in, in but with rows left out, refused, or failed. */
export type ImportOutcome = 'running' | 'succeeded' | 'partial' | 'rejected' | 'failed'

export function importOutcome(job: Pick<Job<RecordImportResult>, 'status' | 'result'> | null | undefined): ImportOutcome {
  switch (job?.status) {
    case 'succeeded':
      return (job.result?.rejected ?? 0) > 0 ? 'partial' : 'succeeded'
    case 'rejected':
      return 'rejected'
    case 'failed':
      return 'failed'
  }
  return 'running'
}

/** Element Plus alert type of an outcome. */
export function outcomeAlert(o: ImportOutcome): 'success' | 'warning' | 'error' | 'info' {
  return o === 'succeeded' ? 'success' : o === 'partial' ? 'warning' : o === 'rejected' || o === 'failed' ? 'error' : 'info'
}

/** A past import: every row went in (complete) or some were left out (partial). */
export function importStatus(row: Pick<RecordImport, 'rejected'>): 'complete' | 'partial' {
  return row.rejected > 0 ? 'partial' : 'complete'
}

/** A record type's name in the language; the key itself when unknown. */
export function recordTypeName(types: RecordType[], key: string | null | undefined, locale: string): string {
  if (!key) return ''
  const rt = types.find((x) => x.key === key)
  if (!rt) return key
  return locale.startsWith('zh') ? rt.nameZh : rt.nameEn || rt.nameZh
}

/** The body of POST /api/record-imports. */
export function importForm(file: File, month: string, mode: RecordImportMode): FormData {
  const form = new FormData()
  form.append('file', file, file.name)
  form.append('month', month)
  form.append('mode', mode)
  return form
}
