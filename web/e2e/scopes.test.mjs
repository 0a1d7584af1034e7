// Data scope as the UI shows it: a sales CM sees only themselves, an RM their
// region, the GM the whole branch; buttons and menus follow permissions.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  apiGet,
  browserSkipReason,
  login,
  newPage,
  openPeople,
  peopleTotal,
  submitLogin,
  visibleEmpNos,
  useServerAndBrowser,
} from './harness.mjs'

const skip = browserSkipReason()

describe('people list honours the data scope', { skip }, () => {
  const env = useServerAndBrowser()

  // The demo promotes cm01 to group lead (sees their group); cm02 is the
  // plain sales customer manager whose scope is `self`.
  test('a sales CM (cm02) sees exactly one person: themselves; no import button, no audit menu', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'cm02')
      const me = await apiGet(page, '/api/me')
      assert.ok(me.user.personId, 'cm02 is linked to a person')
      assert.deepEqual(
        me.scopes.map((s) => s.level),
        ['self'],
        'cm02 has the self data scope',
      )
      const self = await apiGet(page, `/api/people/${me.user.personId}`)

      const list = await openPeople(page)
      assert.equal(list.total, 1)
      assert.equal(await peopleTotal(page), 1)
      assert.deepEqual(await visibleEmpNos(page), [self.empNo])

      assert.equal(await page.getByTestId('people-import').count(), 0, 'no 导入 button without people:import')
      assert.equal(await page.getByTestId('menu-audit').count(), 0, 'no audit menu')
      assert.equal(await page.getByTestId('menu-people').count(), 1, 'people menu shown')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('rm1 sees the 14 people of the region', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'rm1')
      await openPeople(page)
      assert.equal(await peopleTotal(page), 14)
      assert.equal((await visibleEmpNos(page)).length, 14)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('gm sees the 50 people of the branch, 20 on the first page', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'gm')
      await openPeople(page)
      assert.equal(await peopleTotal(page), 50)
      assert.equal((await visibleEmpNos(page)).length, 20)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('a wrong password shows the server message and stays on the login page', async () => {
    const { context, page } = await newPage(env.browser, env.server.baseURL)
    try {
      await page.goto('/login')
      const resp = await submitLogin(page, 'finance', 'wrong-password')
      assert.equal(resp.status(), 401)
      const err = page.getByTestId('login-error')
      await err.waitFor({ state: 'visible' })
      assert.notEqual((await err.textContent()).trim(), '')
      assert.equal(new URL(page.url()).pathname, '/login')
    } finally {
      await context.close()
    }
  })

  test('a deep link while signed out goes to the login page, then back to the link', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await page.goto('/people?q=cm01')
      await page.getByTestId('login-submit').waitFor({ state: 'visible' })
      const url = new URL(page.url())
      assert.equal(url.pathname, '/login')
      assert.equal(url.searchParams.get('redirect'), '/people?q=cm01')
      const list = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/people')
      assert.equal((await submitLogin(page, 'gm')).status(), 200)
      await list
      await page.locator('[data-testid="people-table"][data-loading="false"]').waitFor({ state: 'attached' })
      const after = new URL(page.url())
      assert.equal(after.pathname, '/people')
      assert.equal(after.searchParams.get('q'), 'cm01')
      assert.equal(await page.locator('input[data-testid="people-q"], [data-testid="people-q"] input').inputValue(), 'cm01')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
