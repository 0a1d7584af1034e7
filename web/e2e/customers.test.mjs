// Customers against the real demo server: the list follows the data scope
// and masks ID numbers without customer:pii; a customer created through the
// dialog gets one attribution and one confirmation form; the duplicate check
// names the owner; a share sum over 100% is refused before anything is sent;
// the archives clerk archives a month's forms; a bulk transfer reports what
// it did.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiGet, browserSkipReason, login, newPage, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/** A resident ID with a valid check character (GB 11643) from its first 17 digits. */
function residentId(first17) {
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * RESIDENT_WEIGHTS[i], 0)
  return first17 + '10X98765432'[sum % 11]
}

/** A fresh resident ID for this run: region 110105 (北京朝阳), born 1988-04-12, a sequence from the clock. */
function freshResidentId(k) {
  const seq = String((Date.now() + k * 37) % 1000).padStart(3, '0')
  return residentId(`11010519880412${seq}`)
}

/** An Element Plus input or textarea by test id (the id lands on the native element). */
const field = (scope, id) => scope.locator(`input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea`).first()

const isCustomersList = (r) => new URL(r.url()).pathname === '/api/customers' && r.request().method() === 'GET'

/** Opens the customers list (optionally with a query string) and waits for its data. */
async function openCustomers(page, query = '') {
  const resp = page.waitForResponse(isCustomersList)
  await page.goto('/customers' + query)
  const r = await resp
  assert.equal(r.status(), 200, await r.text())
  await waitCustomersIdle(page)
  return r.json()
}

async function waitCustomersIdle(page) {
  await page.locator('[data-testid="customers-table"][data-loading="false"]').waitFor({ state: 'attached' })
}

async function customersTotal(page) {
  return Number((await page.getByTestId('customers-total').textContent()).trim())
}

async function searchCustomers(page, q) {
  await field(page, 'customers-q').fill(q)
  const resp = page.waitForResponse(isCustomersList)
  await page.getByTestId('customers-search-btn').click()
  const r = await resp
  assert.equal(r.status(), 200)
  await waitCustomersIdle(page)
  return r.json()
}

/** Chooses a person in the PersonPicker inside `scope` by employee number. */
async function pickPerson(page, scope, empNo) {
  const input = scope.locator('input').first()
  await input.click()
  const search = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/people' && new URL(r.url()).searchParams.get('q') === empNo)
  await input.pressSequentially(empNo, { delay: 20 })
  await search
  await page.locator('.el-select-dropdown__item:visible', { hasText: empNo }).first().click()
}

async function fillShare(row, percent) {
  const input = row.locator('[data-testid="manager-share"] input')
  await input.fill(String(percent))
  await input.press('Tab')
}

const today = () => {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** The managers of a customer in force today (personIds). */
function holdersToday(detail) {
  const d = today()
  return detail.attributions.filter((a) => a.validFrom <= d && (a.validTo === null || a.validTo >= d)).map((a) => a.personId)
}

describe('customers', { skip }, () => {
  const env = useServerAndBrowser()
  // the customer test 3 creates, used by the duplicate check after it
  const created = { idNumber: '', name: '', managerEmpNo: '', managerName: '', managerId: 0 }

  test('cm02 sees exactly the customers cm02 holds, with ID numbers masked', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'cm02')
      const me = await apiGet(page, '/api/me')
      assert.ok(me.menus.includes('customers'), 'the server lists the customers menu')
      assert.ok(!me.permissions.includes('customer:pii'))
      const mine = me.user.personId
      const api = await apiGet(page, '/api/customers?pageSize=100')
      assert.ok(api.total > 0, 'cm02 holds customers in the demo')

      const list = await openCustomers(page)
      assert.equal(list.total, api.total)
      assert.equal(await customersTotal(page), api.total)
      const names = (await page.getByTestId('customers-name').allTextContents()).map((s) => s.trim())
      assert.equal(names.length, Math.min(api.total, 20))
      assert.deepEqual([...names].sort(), api.items.slice(0, 20).map((c) => c.name).sort())

      // every row is a customer cm02 holds today: as its primary manager (shown in
      // the row) or as a co-manager (in its attribution)
      const self = await apiGet(page, `/api/people/${mine}`)
      const rowEmpNos = (await page.getByTestId('customers-manager-empno').allTextContents()).map((s) => s.trim())
      assert.equal(rowEmpNos.length, names.length)
      for (const [i, name] of names.entries()) {
        const c = api.items.find((x) => x.name === name)
        assert.equal(rowEmpNos[i], c.managerEmpNo, `row ${i + 1} shows the primary manager`)
        const detail = await apiGet(page, `/api/customers/${c.id}`)
        assert.ok(rowEmpNos[i] === self.empNo || holdersToday(detail).includes(mine), `${name} is held by cm02`)
      }
      for (const c of api.items) {
        const detail = await apiGet(page, `/api/customers/${c.id}`)
        assert.ok(holdersToday(detail).includes(mine), `customer ${c.id} is held by cm02`)
      }

      // masked: the server masks and the page shows it masked
      const ids = (await page.getByTestId('customers-idnumber').allTextContents()).map((s) => s.trim())
      assert.ok(ids.length > 0)
      for (const v of ids) assert.match(v, /\*/, `ID number ${v} is masked`)
      for (const c of api.items) assert.match(c.idNumber, /\*/)
      await page.getByTestId('customers-q-hint').waitFor({ state: 'visible' })
      assert.match(await page.getByTestId('customers-q-hint').innerText(), /完整/)

      // buttons follow permissions: read-only apart from the duplicate check
      assert.equal(await page.getByTestId('customers-add').count(), 0)
      assert.equal(await page.getByTestId('customers-import').count(), 0)
      assert.equal(await page.getByTestId('customers-transfer').count(), 0)
      assert.equal(await page.getByTestId('customers-export').count(), 0)
      assert.equal(await page.getByTestId('customers-dupcheck').count(), 1)

      // the customer page shows the number masked too
      const first = api.items.find((c) => c.name === names[0])
      const detail = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/customers/${first.id}`)
      await page.getByTestId('customers-name').first().click()
      await detail
      await page.getByTestId('customer-profile').waitFor({ state: 'visible' })
      assert.equal((await page.getByTestId('customer-name').textContent()).trim(), first.name)
      assert.match(await page.getByTestId('customer-idnumber').innerText(), /\*/)
      assert.equal(await page.getByTestId('customer-attribute').count(), 0, 'no 调整归属 without customer:write')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('archivist (customer:pii) sees ID numbers unmasked', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'archivist')
      const me = await apiGet(page, '/api/me')
      assert.ok(me.permissions.includes('customer:pii'))
      const list = await openCustomers(page)
      assert.ok(list.total > 0)
      const first = (await page.getByTestId('customers-idnumber').first().textContent()).trim()
      assert.match(first, /^\d{17}[\dX]$/, 'a whole resident ID number')
      assert.equal(first, list.items[0].idNumber)
      assert.equal(await page.getByTestId('customers-q-hint').count(), 0, 'no exact-match hint for a viewer with customer:pii')

      await page.getByTestId('customers-name').first().click()
      await page.getByTestId('customer-profile').waitFor({ state: 'visible' })
      assert.match((await page.getByTestId('customer-idnumber').textContent()).trim(), /^\d{17}[\dX]$/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('gm exports the customers list as XLSX with the current filters', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'gm')
      await openCustomers(page, '?kind=person&sort=-openedOn')
      assert.equal(await page.getByTestId('customers-add').count(), 0, 'gm may not write customers')
      const download = page.waitForEvent('download')
      const req = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/customers/export.xlsx')
      await page.getByTestId('customers-export').click()
      const url = new URL((await req).url())
      assert.equal(url.searchParams.get('kind'), 'person', 'the export uses the list filters')
      assert.equal(url.searchParams.get('sort'), '-openedOn')
      const d = await download
      assert.match(d.suggestedFilename(), /^customers-.*\.xlsx$/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir opens the customer import dialog with the customer templates', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      await openCustomers(page)
      await page.getByTestId('customers-import').click()
      const dialog = page.locator('.el-dialog[data-testid="import-dialog"], [data-testid="import-dialog"]').first()
      await dialog.waitFor({ state: 'visible' })
      assert.match(await dialog.innerText(), /导入客户/)
      assert.match(await dialog.getByTestId('template-csv').getAttribute('href'), /\/api\/import\/customers\/template\?format=csv$/)
      const tpl = await page.request.get(await dialog.getByTestId('template-xlsx').getAttribute('href'))
      assert.equal(tpl.status(), 200)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir creates a customer through the dialog: in the list, one attribution, one form serial', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const cms = await apiGet(page, '/api/people?position=sales_cm&status=active&pageSize=100')
      const manager = cms.items.at(-1)
      assert.ok(manager, 'an active sales CM in mktdir’s scope')
      Object.assign(created, {
        idNumber: freshResidentId(1),
        name: `测试客户${String(Date.now()).slice(-5)}`,
        managerEmpNo: manager.empNo,
        managerName: manager.name,
        managerId: manager.id,
      })
      const dups = await page.request.post('/api/customers/duplicates', { data: { idNumber: created.idNumber } })
      assert.deepEqual((await dups.json()).items, [], 'the fresh ID number is not a customer yet')

      const before = await openCustomers(page)
      await page.getByTestId('customers-add').click()
      const dialog = page.locator('.el-dialog[data-testid="customer-create-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await field(dialog, 'customer-name-input').fill(created.name)
      await field(dialog, 'customer-idnumber-input').fill(created.idNumber)
      await field(dialog, 'customer-phone-input').fill('13700000001')
      const row = dialog.getByTestId('manager-row').first()
      await pickPerson(page, row.getByTestId('manager-person'), manager.empNo)
      assert.match(await dialog.getByTestId('managers-sum').innerText(), /100%/)

      const resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/customers' && r.request().method() === 'POST')
      const reload = page.waitForResponse(isCustomersList)
      await dialog.getByTestId('customer-create-submit').click()
      const r = await resp
      assert.equal(r.status(), 201, await r.text())
      const body = await r.json()
      await dialog.waitFor({ state: 'hidden' })
      await reload
      await waitCustomersIdle(page)
      assert.equal(await customersTotal(page), before.total + 1)

      // in the list, found by its name, with its primary manager
      const found = await searchCustomers(page, created.name)
      assert.equal(found.total, 1)
      assert.equal(await customersTotal(page), 1)
      assert.equal((await page.getByTestId('customers-name').first().textContent()).trim(), created.name)
      assert.equal((await page.getByTestId('customers-manager-empno').first().textContent()).trim(), manager.empNo)

      // its page: one attribution, one confirmation form, the same serial
      const detail = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/customers/${body.id}`)
      await page.getByTestId('customers-name').first().click()
      await detail
      await page.getByTestId('customer-attributions').waitFor({ state: 'visible' })
      assert.equal((await page.getByTestId('customer-name').textContent()).trim(), created.name)
      assert.equal(await page.locator('[data-testid="customer-attributions"] .el-table__body tr').count(), 1)
      assert.equal(await page.locator('[data-testid="customer-forms"] .el-table__body tr').count(), 1)
      const serial = (await page.getByTestId('form-serial').textContent()).trim()
      assert.match(serial, /^[A-Z0-9-]+-\d{6}-\d{4,}$/, `serial ${serial}`)
      assert.equal((await page.getByTestId('attribution-serial').textContent()).trim(), serial)
      assert.equal(serial, body.forms[0].serial)
      assert.match(await page.getByTestId('customer-attributions').innerText(), /100%/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('rm1’s duplicate check for that ID number shows the owner', async () => {
    assert.ok(created.idNumber, 'the customer of the previous test exists')
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'rm1')
      await openCustomers(page)
      await page.getByTestId('customers-dupcheck').click()
      const dialog = page.locator('.el-dialog[data-testid="dup-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await field(dialog, 'dup-idnumber').fill(created.idNumber)
      const resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/customers/duplicates')
      await dialog.getByTestId('dup-submit').click()
      const r = await resp
      assert.equal(r.status(), 200)
      const { items } = await r.json()
      assert.equal(items.length, 1)
      await dialog.getByTestId('dup-result').waitFor({ state: 'visible' })
      assert.equal((await dialog.getByTestId('dup-owner').first().textContent()).trim(), created.managerName)
      assert.equal((await dialog.getByTestId('dup-owner-empno').first().textContent()).trim(), created.managerEmpNo)
      assert.match(await dialog.getByTestId('dup-item').innerText(), /主办/)
      // a link to the customer only when the server gives its id, i.e. when rm1 may open it
      const canOpen = (await page.request.get(`/api/customers/${items[0].customerId ?? 0}`)).status() === 200
      assert.equal(await dialog.getByTestId('dup-open').count(), items[0].customerId ? 1 : 0)
      assert.equal(!!items[0].customerId, canOpen)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('a share sum over 100% shows the error and creates nothing', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const cms = await apiGet(page, '/api/people?position=sales_cm&status=active&pageSize=100')
      const [a, b] = cms.items
      const name = `超额客户${String(Date.now()).slice(-5)}`
      const before = await openCustomers(page)
      const posts = []
      page.on('request', (req) => {
        if (new URL(req.url()).pathname === '/api/customers' && req.method() === 'POST') posts.push(req)
      })

      await page.getByTestId('customers-add').click()
      const dialog = page.locator('.el-dialog[data-testid="customer-create-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await field(dialog, 'customer-name-input').fill(name)
      await field(dialog, 'customer-idnumber-input').fill(freshResidentId(2))
      const first = dialog.getByTestId('manager-row').nth(0)
      await pickPerson(page, first.getByTestId('manager-person'), a.empNo)
      await fillShare(first, 70)
      await dialog.getByTestId('manager-add').click()
      const second = dialog.getByTestId('manager-row').nth(1)
      await pickPerson(page, second.getByTestId('manager-person'), b.empNo)
      await fillShare(second, 40)
      assert.match(await dialog.getByTestId('managers-sum').innerText(), /110%/)

      await dialog.getByTestId('customer-create-submit').click()
      const err = dialog.getByTestId('managers-error')
      await err.waitFor({ state: 'visible' })
      assert.match(await err.innerText(), /110%.*超过 100%/)
      await page.waitForTimeout(300)
      assert.equal(posts.length, 0, 'nothing was sent')
      assert.ok(await dialog.isVisible(), 'the dialog stays open')

      // the server refuses it too, with a field error the dialog shows under the managers
      const direct = await page.request.post('/api/customers', {
        data: {
          kind: 'person',
          name,
          idType: 'resident_id',
          idNumber: freshResidentId(2),
          managers: [
            { personId: a.id, role: 'primary', shareBp: 7000 },
            { personId: b.id, role: 'assisting', shareBp: 4000 },
          ],
        },
      })
      assert.equal(direct.status(), 400)
      assert.match((await direct.json()).fields.managers, /110%/)

      await dialog.getByRole('button', { name: /取消|Cancel/ }).click()
      await dialog.waitFor({ state: 'hidden' })
      const after = await apiGet(page, '/api/customers?pageSize=1')
      assert.equal(after.total, before.total)
      assert.equal((await apiGet(page, `/api/customers?q=${encodeURIComponent(name)}`)).total, 0)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('archivist archives the unarchived confirmation forms of the month', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'archivist')
      const units = (await apiGet(page, '/api/org/units')).items
      const branch = units.find((u) => u.kind === 'branch')
      const month = today().slice(0, 7)
      const before = await apiGet(page, `/api/customer-forms?branchId=${branch.id}&month=${month}&archived=false`)
      assert.ok(before.total > 0, 'this month has unarchived forms (the customer created above, at least)')

      const list = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/customer-forms' && !new URL(r.url()).searchParams.has('archived'))
      await page.goto('/customer-forms')
      await list
      await page.locator('[data-testid="forms-table"][data-loading="false"]').waitFor({ state: 'attached' })
      const url = new URL(page.url())
      assert.equal(url.searchParams.get('branchId'), String(branch.id), 'the branch is chosen for the user')
      assert.equal(url.searchParams.get('month'), month)
      assert.match(await page.getByTestId('forms-unarchived').innerText(), new RegExp(`\\b${before.total}\\b`))
      assert.ok((await page.getByTestId('forms-unarchived-flag').count()) > 0)

      await page.getByTestId('forms-archive').click()
      const box = page.locator('.el-message-box')
      await box.waitFor({ state: 'visible' })
      const resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/customer-forms/archive')
      await box.getByRole('button', { name: /确定|OK/ }).click()
      const r = await resp
      assert.equal(r.status(), 200, await r.text())
      assert.equal((await r.json()).archived, before.total)
      await page.waitForFunction(
        () =>
          /\b0\b/.test(document.querySelector('[data-testid="forms-unarchived"]')?.textContent ?? '') &&
          document.querySelectorAll('[data-testid="forms-unarchived-flag"]').length === 0,
      )
      assert.ok((await page.getByTestId('forms-archived-flag').count()) > 0)
      const after = await apiGet(page, `/api/customer-forms?branchId=${branch.id}&month=${month}&archived=false`)
      assert.equal(after.total, 0)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir hands over all of one manager’s customers; the dialog reports the count and the serials', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const all = await apiGet(page, '/api/customers?pageSize=500')
      const held = new Map()
      for (const c of all.items) if (c.managerId && c.managerId !== created.managerId) held.set(c.managerId, c)
      const active = []
      for (const id of held.keys()) {
        const p = await apiGet(page, `/api/people/${id}`)
        if (p.status === 'active') active.push(p)
        if (active.length === 2) break
      }
      const [from, to] = active
      assert.ok(from && to, 'two active managers who hold customers')
      const fromId = from.id
      const holding = await apiGet(page, `/api/customers?managerId=${fromId}&pageSize=100`)
      assert.ok(holding.total > 0)

      await openCustomers(page)
      await page.getByTestId('customers-transfer').click()
      const dialog = page.locator('.el-dialog[data-testid="transfer-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await pickPerson(page, dialog.getByTestId('transfer-from'), from.empNo)
      await pickPerson(page, dialog.getByTestId('transfer-to'), to.empNo)
      await field(dialog, 'transfer-reason').fill('e2e 整体移交')
      const resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/customers/transfers')
      await dialog.getByTestId('transfer-submit').click()
      const r = await resp
      assert.equal(r.status(), 200, await r.text())
      const res = await r.json()
      assert.equal(res.customers, holding.total)
      const result = dialog.getByTestId('transfer-result')
      await result.waitFor({ state: 'visible' })
      assert.match(await result.innerText(), new RegExp(`已移交 ${holding.total} 位客户`))
      // Records imported for dates on or after the effective date follow the customers.
      if (res.recredited > 0) {
        assert.match(await dialog.getByTestId('transfer-recredited').innerText(), new RegExp(`${res.recredited} 条业务记录`))
      } else {
        assert.equal(await dialog.getByTestId('transfer-recredited').count(), 0)
      }
      const serials = (await result.getByTestId('transfer-serials').allTextContents()).map((s) => s.trim())
      assert.equal(serials.length, res.forms.length)
      assert.ok(serials[0].startsWith(res.forms[0].first))
      assert.equal((await apiGet(page, `/api/customers?managerId=${fromId}`)).total, 0, 'the from-manager holds none today')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
