// Browser-test harness: starts the real cmhub server in demo mode on a free
// port with a fresh data directory, and drives Debian's Chromium through
// playwright-core. Never mocks the backend.
//
//   CMHUB_BIN=/tmp/cmhub npm run test:e2e
//
// Env: CMHUB_BIN (required) the server binary; CHROMIUM_PATH (default
// /usr/bin/chromium); CI=true makes a missing Chromium a failure, not a skip;
// E2E_KEEP_LOGS=1 prints the server log after the run.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { chromium } from 'playwright-core'

export const PASSWORD = 'e2e-Passw0rd!'
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const CI = process.env.CI === 'true'
const READY_TIMEOUT_MS = 60_000

/**
 * Why the browser tests cannot run here, or false when they can. On CI a
 * missing Chromium throws: it is a failure there, never a skip.
 */
export function browserSkipReason() {
  if (existsSync(CHROMIUM_PATH)) return false
  const msg = `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`
  if (CI) throw new Error(msg + ' — required when CI=true')
  return msg
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Starts `$CMHUB_BIN serve --demo …` and resolves once /readyz answers 200. */
export async function startServer() {
  const bin = process.env.CMHUB_BIN
  if (!bin) {
    throw new Error(
      'CMHUB_BIN is not set. Build the server and point CMHUB_BIN at it, e.g.\n' +
        '  (cd .. && go build -o /tmp/cmhub ./cmd/cmhub) && CMHUB_BIN=/tmp/cmhub npm run test:e2e',
    )
  }
  if (!existsSync(bin)) throw new Error(`CMHUB_BIN=${bin} does not exist`)
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'cmhub-e2e-'))
  const baseURL = `http://127.0.0.1:${port}`
  const args = ['serve', '--demo', '--demo-password', PASSWORD, '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir]
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } })
  let log = ''
  const keep = (chunk) => {
    log += chunk.toString()
    if (log.length > 200_000) log = log.slice(-100_000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let exited = null
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal }
      resolve(exited)
    })
  })

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL')
      }, 10_000)
      await exitPromise
      clearTimeout(timer)
    }
    rmSync(dataDir, { recursive: true, force: true })
    if (process.env.E2E_KEEP_LOGS) process.stderr.write(`--- cmhub log ---\n${log}\n`)
  }

  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (exited) {
      await stop()
      throw new Error(`cmhub exited before it was ready (${JSON.stringify(exited)}): ${bin} ${args.join(' ')}\n${log}`)
    }
    try {
      const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) })
      if (res.status === 200) break
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`cmhub was not ready within ${READY_TIMEOUT_MS / 1000}s at ${baseURL}/readyz\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return { baseURL, port, dataDir, stop, log: () => log }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
}

/**
 * A fresh browser context (own cookies and localStorage) with a page whose
 * console errors and failed same-origin requests are collected.
 */
export async function newPage(browser, baseURL) {
  const context = await browser.newContext({ baseURL, locale: 'zh-CN', viewport: { width: 1440, height: 900 } })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  return { context, page, problems }
}

/** Fills the login form already on screen and submits it; resolves with the API response. */
export async function submitLogin(page, username, password = PASSWORD) {
  await page.locator('input[data-testid="login-username"], [data-testid="login-username"] input').fill(username)
  await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').fill(password)
  const resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/login' && r.request().method() === 'POST')
  await page.getByTestId('login-submit').click()
  return resp
}

/** Signs in through the login page and waits for the layout. */
export async function login(page, username, password = PASSWORD) {
  await page.goto('/login')
  const r = await submitLogin(page, username, password)
  if (r.status() !== 200) throw new Error(`login as ${username} failed: HTTP ${r.status()} ${await r.text()}`)
  await page.getByTestId('sidebar').waitFor({ state: 'visible' })
}

/** Opens the people list (optionally with a query string) and waits for its data. */
export async function openPeople(page, query = '') {
  const resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/people' && r.request().method() === 'GET')
  await page.goto('/people' + query)
  const r = await resp
  if (r.status() !== 200) throw new Error(`GET /api/people: HTTP ${r.status()} ${await r.text()}`)
  await waitTableIdle(page)
  return r.json()
}

export async function waitTableIdle(page) {
  await page.locator('[data-testid="people-table"][data-loading="false"]').waitFor({ state: 'attached' })
}

export async function peopleTotal(page) {
  return Number((await page.getByTestId('people-total').textContent()).trim())
}

export async function visibleEmpNos(page) {
  return (await page.locator('[data-testid="people-table"] [data-testid="people-empno"]').allTextContents()).map((s) => s.trim())
}

/** GET an API path with the page's session cookie. */
export async function apiGet(page, path) {
  const r = await page.request.get(path)
  if (!r.ok()) throw new Error(`GET ${path}: HTTP ${r.status()} ${await r.text()}`)
  return r.json()
}

// useServerAndBrowser registers, on the enclosing describe, one server and
// one browser for its tests; read them as env.server and env.browser.
export function useServerAndBrowser() {
  const env = {}
  before(async () => {
    env.server = await startServer()
    env.browser = await launchBrowser()
  })
  after(async () => {
    await env.browser?.close()
    await env.server?.stop()
  })
  return env
}
