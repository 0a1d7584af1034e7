// The one HTTP client of the UI. Every call goes through `request`, which
// sends the session cookie (same-origin), parses the error shape
// {code, message, fields} of docs/api.md into an ApiError, shows the message
// (unless the caller handles it) and sends the user to the login page on 401.

import type { ImportRowError } from './types'

export type Query = Record<string, string | number | boolean | null | undefined>

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: Record<string, string>
  readonly errors: ImportRowError[]
  readonly reportId: string | null
  readonly requestId: string | null

  constructor(status: number, body: Partial<ErrorBody> | null, requestId: string | null) {
    super(body?.message || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.code = body?.code || 'http_' + status
    this.fields = body?.fields || {}
    this.errors = body?.errors || []
    this.reportId = body?.reportId != null ? String(body.reportId) : null
    this.requestId = requestId
  }
}

interface ErrorBody {
  code: string
  message: string
  fields?: Record<string, string>
  errors?: ImportRowError[]
  reportId?: string | number
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  form?: FormData
  /** Do not show the error message; the caller shows it. */
  quiet?: boolean
  /** Do not redirect to the login page on 401 (used by the login page itself). */
  noAuthRedirect?: boolean
}

type Hooks = {
  onUnauthorized: () => void
  onError: (e: ApiError) => void
  language: () => string
}

const hooks: Hooks = {
  onUnauthorized: () => {},
  onError: () => {},
  language: () => 'zh-CN',
}

export function configureClient(h: Partial<Hooks>) {
  Object.assign(hooks, h)
}

/** Builds `path?query`, leaving out empty values; keys keep their given order. */
export function buildUrl(path: string, query?: Query): string {
  if (!query) return path
  const sp = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    sp.append(k, String(v))
  }
  const s = sp.toString()
  return s ? `${path}?${s}` : path
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': hooks.language(),
  }
  let body: BodyInit | undefined
  if (opts.form) {
    body = opts.form
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
    })
  } catch (err) {
    const e = new ApiError(0, { code: 'network', message: (err as Error).message || 'network error' }, null)
    if (!opts.quiet) hooks.onError(e)
    throw e
  }
  if (res.ok) return res
  let parsed: Partial<ErrorBody> | null = null
  try {
    const text = await res.text()
    parsed = text ? (JSON.parse(text) as Partial<ErrorBody>) : null
  } catch {
    parsed = null
  }
  const e = new ApiError(res.status, parsed, res.headers.get('X-Request-Id'))
  if (res.status === 401 && !opts.noAuthRedirect) {
    hooks.onUnauthorized()
    throw e
  }
  if (!opts.quiet) hooks.onError(e)
  throw e
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const api = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PUT', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PATCH', path, { ...opts, body }),
  del: <T>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts),
  upload: <T>(path: string, form: FormData, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, form }),
}

/** File name from a Content-Disposition header (RFC 6266, filename* first). */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''))
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header)
  if (plain) return (plain[2] ?? plain[1]).trim()
  return fallback
}

/** Downloads a file with the session cookie and saves it under the server's name. */
export async function download(path: string, query: Query | undefined, fallbackName: string): Promise<void> {
  const res = await send('GET', path, { query })
  const blob = await res.blob()
  const name = filenameFromDisposition(res.headers.get('Content-Disposition'), fallbackName)
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
