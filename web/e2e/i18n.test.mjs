// Language switch: Chinese by default, English on demand (vue-i18n and
// Element Plus together), remembered across reloads, and back.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { browserSkipReason, login, newPage, openPeople, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

describe('language switch', { skip }, () => {
  const env = useServerAndBrowser()

  test('zh-CN → English → zh-CN', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'gm')
      await openPeople(page)
      const menu = page.getByTestId('menu-people')
      const jumper = page.locator('.el-pagination__jump')
      assert.match(await menu.innerText(), /人员管理/)
      assert.match(await jumper.innerText(), /前往/)
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')

      await page.getByTestId('lang-en').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="menu-people"]')?.textContent?.includes('People'))
      assert.match(await menu.innerText(), /People/)
      assert.match(await page.getByTestId('menu-org').innerText(), /Organisation/)
      assert.match(await jumper.innerText(), /Go to/, 'Element Plus switches with vue-i18n')
      assert.match(await page.getByTestId('people-search-btn').innerText(), /Search/)

      // remembered across a reload
      await openPeople(page)
      assert.match(await page.getByTestId('menu-people').innerText(), /People/)
      assert.equal(await page.evaluate(() => localStorage.getItem('cmhub.locale')), 'en')

      await page.getByTestId('lang-zh').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="menu-people"]')?.textContent?.includes('人员管理'))
      assert.match(await page.getByTestId('menu-people').innerText(), /人员管理/)
      assert.match(await page.locator('.el-pagination__jump').innerText(), /前往/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
