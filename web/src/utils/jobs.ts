// Background jobs (GET /api/jobs/{id}), unit-tested in tests/unit/jobs.test.ts:
// whether a job has finished, its progress in percent and the colour of its
// bar, and a poller that asks for the job once a second until it finishes
// or the poller is stopped (a page stops it when it unmounts).

import type { Job } from '@/api/types'
import { ApiError } from '@/api/client'

export const FINISHED_STATUSES = ['succeeded', 'rejected', 'failed']

/** A job id as the server makes them: 32 hex digits. */
export function isJobId(s: string | null | undefined): boolean {
  return !!s && /^[0-9a-f]{32}$/i.test(s)
}

/** Has the job stopped for good (succeeded, rejected or failed)? */
export function isFinished(job: Pick<Job, 'status'> | null | undefined): boolean {
  return !!job && FINISHED_STATUSES.includes(job.status)
}

/** Progress in whole percent: done of total, never above 100; 100 once succeeded; 0 while the total is unknown. */
export function jobPercent(job: Pick<Job, 'status' | 'done' | 'total'> | null | undefined): number {
  if (!job) return 0
  if (job.status === 'succeeded') return 100
  if (!job.total || job.total <= 0 || !job.done || job.done <= 0) return 0
  return Math.min(100, Math.floor((job.done * 100) / job.total))
}

/** Element Plus progress status: success, warning (rows were left out), exception, or "" while it runs. */
export function jobProgressStatus(job: Pick<Job, 'status' | 'result'> | null | undefined): '' | 'success' | 'warning' | 'exception' {
  if (!job) return ''
  switch (job.status) {
    case 'succeeded': {
      const rejected = (job.result as { rejected?: number } | null)?.rejected ?? 0
      return rejected > 0 ? 'warning' : 'success'
    }
    case 'rejected':
    case 'failed':
      return 'exception'
  }
  return ''
}

export interface PollOptions {
  /** Milliseconds between two requests (after the previous answer); 1000 by default. */
  intervalMs?: number
  /** Ask at once rather than after the first interval (resuming a job the page did not start). */
  immediate?: boolean
  /** Network or server errors (5xx) tolerated in a row before giving up; 3 by default. */
  retries?: number
}

export interface JobPoller<R> {
  /** Stops polling; an answer still on its way is ignored. */
  stop(): void
  readonly stopped: boolean
  /** The finished job, or null when stopped first. Rejects when the job cannot be fetched (404, or too many errors). */
  readonly done: Promise<Job<R> | null>
}

/** Whether a failed request is worth repeating: no answer at all, or a server error. */
export function isTransient(e: unknown): boolean {
  if (e instanceof ApiError) return e.status === 0 || e.status >= 500
  return true
}

/**
 * Polls a job until it finishes: `fetchJob` is called every `intervalMs`
 * (the next request is scheduled only after the previous answer, so slow
 * answers never pile up) and `onUpdate` gets every answer. Stop it when the
 * page goes away.
 */
export function pollJob<R>(fetchJob: () => Promise<Job<R>>, onUpdate: (job: Job<R>) => void, opts: PollOptions = {}): JobPoller<R> {
  const interval = opts.intervalMs ?? 1000
  const retries = opts.retries ?? 3
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let failures = 0
  let settle: (j: Job<R> | null) => void = () => {}
  let fail: (e: unknown) => void = () => {}
  const done = new Promise<Job<R> | null>((resolve, reject) => {
    settle = resolve
    fail = reject
  })

  async function tick() {
    timer = null
    if (stopped) return
    let job: Job<R>
    try {
      job = await fetchJob()
    } catch (e) {
      if (stopped) return
      failures++
      if (isTransient(e) && failures <= retries) {
        schedule()
        return
      }
      stopped = true
      fail(e)
      return
    }
    if (stopped) return
    failures = 0
    onUpdate(job)
    if (isFinished(job)) {
      stopped = true
      settle(job)
      return
    }
    schedule()
  }

  function schedule() {
    timer = setTimeout(() => void tick(), interval)
  }

  if (opts.immediate) void tick()
  else schedule()

  return {
    stop() {
      if (stopped) return
      stopped = true
      if (timer !== null) clearTimeout(timer)
      timer = null
      settle(null)
    },
    get stopped() {
      return stopped
    },
    done,
  }
}
