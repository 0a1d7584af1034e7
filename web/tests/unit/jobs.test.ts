import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Job, RecordImportResult } from '@/api/types'
import { ApiError } from '@/api/client'
import { isFinished, isJobId, isTransient, jobPercent, jobProgressStatus, pollJob } from '@/utils/jobs'

const ID = '0123456789abcdef0123456789abcdef'

function job(over: Partial<Job<RecordImportResult>> = {}): Job<RecordImportResult> {
  return {
    id: ID,
    kind: 'record_import',
    status: 'running',
    phase: 'reading',
    total: 0,
    done: 0,
    message: '',
    result: null,
    errors: [],
    errorCount: 0,
    reportId: '',
    createdAt: '2026-11-03T08:00:00Z',
    finishedAt: null,
    ...over,
  }
}

const result = (over: Partial<RecordImportResult> = {}): RecordImportResult => ({
  importId: 7,
  month: '2026-11',
  fileName: 'x.csv',
  rows: 100,
  inserted: 90,
  replaced: 5,
  unchanged: 5,
  rejected: 0,
  ...over,
})

describe('job state', () => {
  it('knows a job id and when a job has finished', () => {
    expect(isJobId(ID)).toBe(true)
    expect(isJobId(ID.toUpperCase())).toBe(true)
    for (const s of ['', 'abc', ID + '0', ID.slice(1) + 'g', '../jobs', null, undefined]) expect(isJobId(s), String(s)).toBe(false)
    for (const s of ['succeeded', 'rejected', 'failed']) expect(isFinished({ status: s })).toBe(true)
    for (const s of ['queued', 'running', '']) expect(isFinished({ status: s })).toBe(false)
    expect(isFinished(null)).toBe(false)
  })
  it('shows progress in whole percent, never above 100', () => {
    expect(jobPercent(null)).toBe(0)
    expect(jobPercent(job({ status: 'queued' }))).toBe(0)
    expect(jobPercent(job({ total: 0, done: 10 }))).toBe(0) // total unknown yet
    expect(jobPercent(job({ total: 3, done: 1 }))).toBe(33)
    expect(jobPercent(job({ total: 200, done: 199 }))).toBe(99)
    expect(jobPercent(job({ total: 10, done: 12 }))).toBe(100)
    expect(jobPercent(job({ status: 'succeeded', total: 0, done: 0 }))).toBe(100)
    // a rejected file stops where it stopped
    expect(jobPercent(job({ status: 'rejected', total: 10, done: 4 }))).toBe(40)
  })
  it('colours the bar by outcome', () => {
    expect(jobProgressStatus(null)).toBe('')
    expect(jobProgressStatus(job())).toBe('')
    expect(jobProgressStatus(job({ status: 'succeeded', result: result() }))).toBe('success')
    expect(jobProgressStatus(job({ status: 'succeeded', result: result({ rejected: 3 }) }))).toBe('warning')
    expect(jobProgressStatus(job({ status: 'rejected' }))).toBe('exception')
    expect(jobProgressStatus(job({ status: 'failed' }))).toBe('exception')
  })
  it('repeats only requests that got no answer or a server error', () => {
    expect(isTransient(new ApiError(0, { code: 'network', message: 'x' }, null))).toBe(true)
    expect(isTransient(new ApiError(502, null, null))).toBe(true)
    expect(isTransient(new ApiError(404, null, null))).toBe(false)
    expect(isTransient(new ApiError(403, null, null))).toBe(false)
    expect(isTransient(new TypeError('fetch failed'))).toBe(true)
  })
})

describe('pollJob', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('asks once a second until the job finishes, and reports every answer', async () => {
    const answers = [job({ total: 100, done: 10 }), job({ phase: 'writing', total: 100, done: 80 }), job({ status: 'succeeded', result: result() })]
    const fetchJob = vi.fn(async () => answers.shift()!)
    const seen: Job[] = []
    const p = pollJob(fetchJob, (j) => seen.push(j))
    expect(fetchJob).not.toHaveBeenCalled() // the page already has the job the upload answered
    await vi.advanceTimersByTimeAsync(999)
    expect(fetchJob).toHaveBeenCalledTimes(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetchJob).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(2000)
    expect(fetchJob).toHaveBeenCalledTimes(3)
    expect(seen.map((j) => j.done)).toEqual([10, 80, 0])
    expect(await p.done).toMatchObject({ status: 'succeeded' })
    expect(p.stopped).toBe(true)
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetchJob).toHaveBeenCalledTimes(3) // nothing after the end
  })

  it('asks at once when resuming, and waits for an answer before the next request', async () => {
    let release: (j: Job) => void = () => {}
    const fetchJob = vi.fn(() => new Promise<Job>((r) => (release = r)))
    const p = pollJob(fetchJob, () => {}, { immediate: true, intervalMs: 500 })
    expect(fetchJob).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(3000) // a slow answer: no pile-up
    expect(fetchJob).toHaveBeenCalledTimes(1)
    release(job())
    await vi.advanceTimersByTimeAsync(500)
    expect(fetchJob).toHaveBeenCalledTimes(2)
    p.stop()
  })

  it('stops on request (the page unmounts): no more requests, a late answer is ignored', async () => {
    let release: (j: Job) => void = () => {}
    const fetchJob = vi.fn(() => new Promise<Job>((r) => (release = r)))
    const onUpdate = vi.fn()
    const p = pollJob(fetchJob, onUpdate)
    await vi.advanceTimersByTimeAsync(1000)
    expect(fetchJob).toHaveBeenCalledTimes(1)
    p.stop()
    release(job({ status: 'succeeded', result: result() }))
    await vi.advanceTimersByTimeAsync(10_000)
    expect(onUpdate).not.toHaveBeenCalled()
    expect(fetchJob).toHaveBeenCalledTimes(1)
    expect(await p.done).toBeNull()
    expect(p.stopped).toBe(true)
    p.stop() // twice is harmless
  })

  it('stopping before the first request sends none', async () => {
    const fetchJob = vi.fn(async () => job())
    const p = pollJob(fetchJob, () => {})
    p.stop()
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetchJob).not.toHaveBeenCalled()
    expect(await p.done).toBeNull()
  })

  it('rides out a few network errors, then gives up', async () => {
    const net = () => new ApiError(0, { code: 'network', message: 'offline' }, null)
    const answers: (Job | ApiError)[] = [net(), net(), job({ total: 5, done: 1 }), net(), job({ status: 'rejected', errorCount: 2 })]
    const fetchJob = vi.fn(async () => {
      const a = answers.shift()!
      if (a instanceof ApiError) throw a
      return a
    })
    const p = pollJob(fetchJob, () => {}, { retries: 2 })
    await vi.advanceTimersByTimeAsync(5000)
    expect(await p.done).toMatchObject({ status: 'rejected', errorCount: 2 })

    const always = vi.fn(async () => {
      throw net()
    })
    const q = pollJob(always, () => {}, { retries: 2 })
    const failed = expect(q.done).rejects.toMatchObject({ code: 'network' })
    await vi.advanceTimersByTimeAsync(10_000)
    await failed
    expect(always).toHaveBeenCalledTimes(3) // the first try and two more
  })

  it('gives up at once when the job is not there (404: someone else’s, or gone)', async () => {
    const fetchJob = vi.fn(async () => {
      throw new ApiError(404, { code: 'not_found', message: 'not found' }, null)
    })
    const p = pollJob(fetchJob, () => {})
    const failed = expect(p.done).rejects.toMatchObject({ status: 404 })
    await vi.advanceTimersByTimeAsync(5000)
    await failed
    expect(fetchJob).toHaveBeenCalledTimes(1)
  })
})
