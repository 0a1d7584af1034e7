// Targets (任务) against the real demo server. The demo sets this month's
// branch target for new_accounts to 300, decomposed 100/100/100 to the three
// regions; region 1 → 50/50 to its teams, the first team → 30/20 to its
// groups, the first group → 12/9/9 to cm01/cm02/cm03.
// mktdir sees the branch and its decomposition, splits region 2 evenly over
// its teams with the dialog's dry-run preview, and gets the server's
// exceeds_parent message when a region would take more than the branch has
// left; cm02 sees their own target and no write buttons; rm1 decomposes
// region 1, never sees region 2, and loads deeper levels on expand.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiGet, browserSkipReason, login, newPage, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

const pad = (n) => String(n).padStart(2, '0')
const now = new Date()
const MONTH = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`
const METRIC = 'new_accounts'

const isTree = (r, root) => {
  const u = new URL(r.url())
  return u.pathname === '/api/targets/tree' && r.request().method() === 'GET' && (root === undefined ? !u.searchParams.get('root') : u.searchParams.get('root') === String(root))
}
const isDecompose = (r) => new URL(r.url()).pathname === '/api/targets/decompose' && r.request().method() === 'POST'

async function waitIdle(page) {
  await page.locator('[data-testid="targets-table"][data-loading="false"]').waitFor({ state: 'attached' })
}

/** Opens /targets (the current month and new_accounts by default) and waits for the tree. */
async function openTargets(page, query = '') {
  const resp = page.waitForResponse((r) => isTree(r))
  await page.goto('/targets' + query)
  const r = await resp
  assert.equal(r.status(), 200, await r.text())
  await waitIdle(page)
  return r.json()
}

/** The row of the target tree whose name is exactly `name`. */
const rowOf = (page, name) =>
  page.locator('[data-testid="targets-table"] .el-table__body-wrapper tr', { has: page.locator(`[data-testid="target-name"]:text-is("${name}")`) })

const cell = async (row, testid) => ((await row.getByTestId(testid).count()) ? (await row.getByTestId(testid).first().innerText()).trim() : '')

/** Waits until a row's cell shows exactly `text`. */
const waitCell = (row, testid, text) => row.getByTestId(testid).filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) }).first().waitFor()

function findNode(n, pred) {
  if (!n) return null
  if (pred(n)) return n
  for (const c of n.children ?? []) {
    const f = findNode(c, pred)
    if (f) return f
  }
  return null
}

describe('targets', { skip }, () => {
  const env = useServerAndBrowser()

  test('mktdir sees the branch target of 300 decomposed to children summing to 300', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      assert.match(await page.getByTestId('menu-targets').innerText(), /任务/)
      const tree = await openTargets(page)
      assert.equal(tree.period, MONTH, 'the current month by default')
      assert.equal(tree.metric, METRIC)
      assert.equal(tree.mode, 'at_most')
      const url = new URL(page.url())
      assert.equal(url.searchParams.get('period'), MONTH, 'the period is kept in the URL')
      assert.equal(url.searchParams.get('metric'), METRIC)

      const branchNode = findNode(tree.root, (n) => n.unitKind === 'branch')
      const branch = rowOf(page, branchNode.name)
      assert.equal(await cell(branch, 'target-value'), '300')
      assert.equal(await cell(branch, 'target-sum'), '300')
      assert.equal(await cell(branch, 'target-remaining'), '0')
      assert.equal(await branch.getByTestId('target-status').getAttribute('data-status'), 'complete')
      assert.match(await cell(branch, 'target-status'), /已分解完/)
      let sum = 0
      for (const name of ['第一区域', '第二区域', '第三区域']) {
        const v = await cell(rowOf(page, name), 'target-value')
        assert.equal(v, '100', name)
        sum += Number(v)
      }
      assert.equal(sum, 300, 'the regions add up to the branch')
      // the institution above is context only: no buttons
      const top = rowOf(page, tree.root.name)
      assert.equal(await top.getByTestId('target-context').count(), 1)
      assert.equal(await top.getByTestId('target-set').count(), 0)
      assert.equal(await top.getByTestId('target-decompose').count(), 0)
      // mktdir holds target:manage and metric:manage: the rule editor is offered
      assert.equal(await page.getByTestId('targets-rule').count(), 1)
      assert.match(await page.getByTestId('targets-mode').innerText(), /不超过上级/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir splits region 2 evenly over its two teams (preview 50/50) and saves', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      await openTargets(page, `?period=${MONTH}&metric=${METRIC}`)
      const region = rowOf(page, '第二区域')
      assert.equal(await region.getByTestId('target-status').getAttribute('data-status'), 'not_decomposed')
      await region.getByTestId('target-decompose').click()
      const dialog = page.locator('.el-dialog[data-testid="target-decompose-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await dialog.getByTestId('target-child-name').first().waitFor()
      const names = (await dialog.getByTestId('target-child-name').allInnerTexts()).map((s) => s.trim())
      assert.deepEqual(names.slice(0, 2), ['第二区域营销一队', '第二区域营销二队'], 'the teams first, then the people placed in the region')
      assert.equal(names.length, 4)
      const included = await dialog.locator('[data-testid="target-child-include"] input').evaluateAll((els) => els.map((e) => e.checked))
      assert.deepEqual(included, [true, true, false, false], 'the even split goes to the teams by default')
      assert.match(await dialog.getByTestId('target-decompose-parent').innerText(), /100/)
      assert.match(await dialog.getByTestId('target-rule-text').innerText(), /不得超过上级/)

      // even split: a dry run, nothing written
      let resp = page.waitForResponse(isDecompose)
      await dialog.getByTestId('target-even').click()
      let r = await resp
      assert.equal(r.status(), 200, await r.text())
      const dry = r.request().postDataJSON()
      assert.equal(dry.dryRun, true)
      assert.equal(dry.even, true)
      assert.equal(dry.children.length, 2)
      await dialog.getByTestId('target-even-preview').waitFor()
      const values = await dialog.locator('input[data-testid="target-child-value"]').evaluateAll((els) => els.map((e) => e.value))
      assert.deepEqual(values, ['50', '50', '', ''], 'the preview shows 50/50')
      assert.match(await dialog.getByTestId('target-running-total').innerText(), /合计 100/)
      assert.equal(await dialog.getByTestId('target-total-state').getAttribute('data-state'), 'complete')
      const stillNone = await apiGet(page, `/api/targets/tree?period=${MONTH}&metric=${METRIC}&root=${dry.parentUnitId}&depth=1`)
      assert.ok(stillNone.root.children.every((c) => c.target === null), 'the dry run wrote nothing')

      // typing updates the running total exactly
      const first = dialog.locator('input[data-testid="target-child-value"]').first()
      await first.fill('60')
      assert.equal(await dialog.getByTestId('target-total-state').getAttribute('data-state'), 'exceeded')
      assert.match(await dialog.getByTestId('target-total-state').innerText(), /超出上级 10/)
      await first.fill('50')
      assert.equal(await dialog.getByTestId('target-total-state').getAttribute('data-state'), 'complete')

      resp = page.waitForResponse(isDecompose)
      const reload = page.waitForResponse((r) => isTree(r))
      await dialog.getByTestId('target-decompose-submit').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      const body = r.request().postDataJSON()
      assert.ok(!body.dryRun)
      assert.deepEqual(
        body.children.map((c) => c.value),
        ['50', '50'],
        'all children in one call',
      )
      const res = await r.json()
      assert.equal(res.written, 2)
      assert.equal(res.status, 'complete')
      await dialog.waitFor({ state: 'hidden' })
      await reload
      await waitIdle(page)

      for (const team of ['第二区域营销一队', '第二区域营销二队']) await waitCell(rowOf(page, team), 'target-value', '50')
      await waitCell(region, 'target-sum', '100')
      assert.equal(await cell(region, 'target-remaining'), '0')
      assert.equal(await region.getByTestId('target-status').getAttribute('data-status'), 'complete')
      assert.match(await cell(region, 'target-status'), /已分解完/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test("mktdir cannot set a region above the branch's remaining: the server's exceeds_parent message is shown", async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const tree = await openTargets(page)
      const branchNode = findNode(tree.root, (n) => n.unitKind === 'branch')
      const remaining = Number(branchNode.remainingAmount)
      assert.equal(remaining, 0)
      const region = rowOf(page, '第三区域')
      const current = Number(await cell(region, 'target-value'))
      const value = String(current + remaining + 50)

      await region.getByTestId('target-set').click()
      const dialog = page.locator('.el-dialog[data-testid="target-set-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      assert.match(await dialog.getByTestId('target-set-parent').innerText(), new RegExp(`${branchNode.name}.*剩余 0`))
      const input = dialog.locator('input[data-testid="target-set-value"]')
      assert.equal(await input.inputValue(), String(current))
      await input.fill(value)
      const resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/targets' && r.request().method() === 'PUT')
      await dialog.getByTestId('target-set-submit').click()
      const r = await resp
      assert.equal(r.status(), 409)
      const err = await r.json()
      assert.equal(err.code, 'exceeds_parent')
      assert.match(err.message, new RegExp(branchNode.name))
      const shown = dialog.getByTestId('target-set-error')
      await shown.waitFor({ state: 'visible' })
      const text = (await shown.innerText()).trim()
      assert.equal(text, err.message, "the server's message, whole")
      assert.match(text, /350/, 'names the new sum')
      assert.match(text, /超出 50/, 'and the excess')
      assert.ok(await dialog.isVisible(), 'the dialog stays open')
      const after = await apiGet(page, `/api/targets/tree?period=${MONTH}&metric=${METRIC}`)
      assert.equal(findNode(after.root, (n) => n.name === '第三区域').target.amount, String(current), 'nothing changed')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('cm02 sees their own target of 9 and no write buttons', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'cm02')
      const me = await apiGet(page, '/api/me')
      assert.ok(!me.permissions.includes('target:manage'))
      await openTargets(page)
      // the chain above is context; their own row is loaded below it
      const own = page.locator('[data-testid="targets-table"] .el-table__body-wrapper tr', { has: page.getByTestId('target-empno') })
      await own.first().waitFor()
      assert.equal(await own.count(), 1, 'no colleague is shown')
      await waitCell(own, 'target-value', '9')
      assert.equal(await cell(own, 'target-name'), me.user.displayName)
      assert.ok((await page.getByTestId('target-context').count()) >= 4, 'the institution, branch, region, team and group are context')
      for (const id of ['target-set', 'target-decompose', 'target-delete', 'targets-rule']) assert.equal(await page.getByTestId(id).count(), 0, id)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('rm1 may decompose region 1, does not see region 2, and loads deeper levels on expand', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'rm1')
      const tree = await openTargets(page)
      const region1 = rowOf(page, '第一区域')
      assert.equal(await region1.getByTestId('target-decompose').count(), 1, 'rm1 decomposes their region')
      assert.equal(await region1.getByTestId('target-set').count(), 0, "but cannot change the region's own target")
      assert.equal(await rowOf(page, '第二区域').count(), 0, 'region 2 is not shown at all')
      assert.equal(findNode(tree.root, (n) => n.name === '第二区域'), null, 'nor sent by the server')
      assert.equal(await page.getByTestId('targets-rule').count(), 0, 'no rule editor without metric:manage')
      const branch = rowOf(page, findNode(tree.root, (n) => n.unitKind === 'branch').name)
      assert.equal(await branch.getByTestId('target-context').count(), 1)
      assert.equal(await branch.getByTestId('target-decompose').count(), 0)

      // the first group's people lie below the first request's depth: expanding loads them
      const group = findNode(tree.root, (n) => n.name === '一区一队第1小组')
      assert.ok(group.more, 'the group was cut at the requested depth')
      const resp = page.waitForResponse((r) => isTree(r, group.unitId))
      await rowOf(page, '一区一队第1小组').locator('.el-table__expand-icon').click()
      assert.equal((await resp).status(), 200)
      await waitIdle(page)
      const people = page.locator('[data-testid="targets-table"] .el-table__body-wrapper tr', { has: page.getByTestId('target-empno') })
      const values = []
      for (const no of ['XZ0012', 'XZ0013', 'XZ0014']) {
        const row = people.filter({ has: page.locator(`[data-testid="target-empno"]:text-is("${no}")`) })
        await row.first().waitFor()
        values.push(await cell(row, 'target-value'))
      }
      assert.deepEqual(values, ['12', '9', '9'])
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  // These change the demo's targets and rule: they run last.
  test('mktdir: a decomposed target cannot be deleted (has_children shown); a leaf can', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      await openTargets(page)
      const dels = []
      page.on('request', (req) => {
        if (new URL(req.url()).pathname === '/api/targets' && req.method() === 'DELETE') dels.push(req)
      })
      await rowOf(page, '第一区域').getByTestId('target-delete').click()
      const dialog = page.locator('.el-dialog[data-testid="target-delete-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await dialog.getByTestId('target-delete-submit').click()
      await dialog.locator('.el-form-item__error').waitFor({ state: 'visible' })
      assert.equal(dels.length, 0, 'no request without a reason')
      await dialog.locator('textarea[data-testid="target-delete-reason"]').fill('e2e 删除测试')
      let resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/targets' && r.request().method() === 'DELETE')
      await dialog.getByTestId('target-delete-submit').click()
      let r = await resp
      assert.equal(r.status(), 409)
      const err = await r.json()
      assert.equal(err.code, 'has_children')
      const shown = dialog.getByTestId('target-delete-error')
      await shown.waitFor({ state: 'visible' })
      assert.equal((await shown.innerText()).trim(), err.message)
      await dialog.locator('.el-dialog__headerbtn').click()
      await dialog.waitFor({ state: 'hidden' })

      // the second group of region 1's first team holds 20, not decomposed
      const team = rowOf(page, '第一区域营销一队')
      await team.locator('.el-table__expand-icon').click()
      const group = rowOf(page, '一区一队第2小组')
      await group.waitFor()
      assert.equal(await cell(group, 'target-value'), '20')
      await group.getByTestId('target-delete').click()
      await dialog.waitFor({ state: 'visible' })
      await dialog.locator('textarea[data-testid="target-delete-reason"]').fill('e2e 删除小组目标')
      resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/targets' && r.request().method() === 'DELETE')
      const reload = page.waitForResponse((r) => isTree(r))
      await dialog.getByTestId('target-delete-submit').click()
      r = await resp
      assert.equal(r.status(), 204)
      await dialog.waitFor({ state: 'hidden' })
      await reload
      await waitIdle(page)
      await waitCell(group, 'target-value', '—')
      await waitCell(team, 'target-sum', '30')
      assert.equal(await cell(team, 'target-remaining'), '20')
      assert.equal(await team.getByTestId('target-status').getAttribute('data-status'), 'within')
      assert.equal(await group.getByTestId('target-delete').count(), 0, 'nothing left to delete')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir changes the rule to exact: the short decomposition turns incomplete', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      await openTargets(page)
      await page.getByTestId('targets-rule').click()
      const dialog = page.locator('.el-dialog[data-testid="target-rule-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await dialog.locator('[data-testid="target-rule-current"]').filter({ hasText: '默认规则' }).waitFor()
      await dialog.getByTestId('target-rule-exact').click()
      await dialog.locator('input[data-testid="target-rule-reason"]').fill('e2e 恰好等于')
      const resp = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/target-rules/${METRIC}` && r.request().method() === 'PUT')
      const reload = page.waitForResponse((r) => isTree(r))
      await dialog.getByTestId('target-rule-submit').click()
      const r = await resp
      assert.equal(r.status(), 200, await r.text())
      assert.deepEqual(r.request().postDataJSON(), { mode: 'exact', version: 0, reason: 'e2e 恰好等于' })
      const rule = await r.json()
      assert.equal(rule.mode, 'exact')
      assert.equal(rule.default, false)
      await dialog.waitFor({ state: 'hidden' })
      await reload
      await waitIdle(page)
      assert.equal(await page.getByTestId('targets-mode').getAttribute('data-mode'), 'exact')
      assert.match(await page.getByTestId('targets-mode').innerText(), /恰好等于上级/)
      const team = rowOf(page, '第一区域营销一队')
      assert.equal(await team.getByTestId('target-status').getAttribute('data-status'), 'incomplete')
      assert.match(await cell(team, 'target-status'), /未分解完/)

      // the stored rule is shown with its version next time
      await page.getByTestId('targets-rule').click()
      await dialog.waitFor({ state: 'visible' })
      await dialog.locator('[data-testid="target-rule-current"]').filter({ hasText: `版本 ${rule.version}` }).waitFor()
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
