/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { desktopContext, launch, mobileContext, screenshot } from './browser'

/**
 * Identity end to end: a citizen signs in with a code on a phone (375×812) and adds a vehicle;
 * an admin creates a staff member who must change the one-time password; every demo role signs in
 * to the console and lands on its dashboard.
 */
let browser: Browser

beforeAll(async () => {
  browser = await launch()
})

afterAll(async () => {
  await browser?.close()
})

// Fresh numbers for this run (the e2e server is shared by every e2e file).
const phone = `1360000${String(Date.now()).slice(-4)}`

async function noSidewaysScroll(page: Page) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
  expect(scroll).toBeLessThanOrEqual(inner)
}

describe('citizen: sign in with a code and add a vehicle (375×812)', () => {
  let page: Page

  beforeAll(async () => {
    page = await (await mobileContext(browser)).newPage()
  })

  it('is sent to sign-in from 我的车辆 and signs in with the on-screen development code', async () => {
    await page.goto('/me/vehicles')
    await page.waitForURL(/\/login\?redirect=/)
    await page.locator('input[name="phone"]').fill(phone)
    await page.locator('[data-test="send-code"]').click()
    const dev = await page.locator('[data-test="dev-code"]').textContent()
    const code = /\d{6}/.exec(dev ?? '')?.[0] as string
    expect(code).toMatch(/^\d{6}$/)
    await page.locator('input[name="code"]').fill(code)
    await screenshot(page, 'identity-citizen-login')
    await page.locator('[data-test="submit"]').click()
    await page.waitForURL((u) => u.pathname === '/me/vehicles')
    await page.locator('[data-test="empty"]').waitFor()
    await noSidewaysScroll(page)
  })

  it('refuses an invalid plate inline, then adds a vehicle', async () => {
    await page.locator('[data-test="open-add"]').click()
    await page.locator('input[name="plate"]').fill('川I12345')
    await page.locator('input[name="vin"]').fill('AB12C3')
    await page.locator('[data-test="submit-vehicle"]').click()
    await page.getByText('号牌号码格式不正确').waitFor()
    await screenshot(page, 'identity-citizen-vehicle-invalid')
    await page.locator('input[name="plate"]').fill('川a·12345')
    await page.locator('[data-test="submit-vehicle"]').click()
    await page.locator('[data-test="vehicle"]').first().waitFor()
    expect(await page.locator('[data-test="vehicle"]').count()).toBe(1)
    await page.getByText('川A12345').waitFor()
    await page.getByText('车架号后六位 AB12C3').waitFor()
    // The primary action sits in thumb reach at the bottom of the screen.
    const bar = await page.locator('[data-test="open-add"]').boundingBox()
    expect((bar?.y ?? 0) + (bar?.height ?? 0)).toBeGreaterThan(812 - 120)
    await noSidewaysScroll(page)
    await screenshot(page, 'identity-citizen-vehicles')
  })

  it('shows the profile with the phone masked, and the privacy page', async () => {
    await page.goto('/me/profile')
    await page.locator('[data-test="phone"]').waitFor()
    expect(await page.locator('[data-test="phone"]').textContent()).toContain(`${phone.slice(0, 3)}****${phone.slice(-4)}`)
    await page.locator('input[name="name"]').fill('测试用户')
    await page.locator('input[name="idNumber"]').fill('510104198506120032')
    await page.locator('[data-test="save"]').click()
    await page.getByText('已填写 5101**********0032').waitFor()
    await screenshot(page, 'identity-citizen-profile')
    await page.goto('/me/privacy')
    await page.locator('[data-test="delete"]').waitFor()
    await page.locator('[data-test="delete"]').click()
    await page.locator('.van-dialog').getByText('确认注销账号？').waitFor()
    await screenshot(page, 'identity-citizen-delete-confirm')
    await page.locator('.van-dialog__cancel').click()
    await page.locator('.van-dialog').waitFor({ state: 'hidden' })
  })
})

async function consoleSignIn(page: Page, username: string, password = 'demo12345') {
  await page.goto('/console/login')
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('[data-test="submit"]').click()
}

describe('console: admin creates a staff member', () => {
  let page: Page
  let temporaryPassword = ''
  const username = `e2e.${String(Date.now()).slice(-6)}`

  beforeAll(async () => {
    page = await (await desktopContext(browser)).newPage()
  })

  it('creates the staff member and shows the one-time password', async () => {
    await consoleSignIn(page, 'admin')
    await page.waitForURL((u) => u.pathname === '/console/')
    await page.locator('.el-menu-item', { hasText: '人员管理' }).click()
    await page.waitForURL('**/console/admin/staff**')
    await page.locator('.el-table__row').first().waitFor()
    await screenshot(page, 'identity-console-staff')
    await page.locator('[data-test="create-staff"]').click()
    await page.locator('input[data-test="form-username"]').fill(username)
    await page.locator('input[data-test="form-name"]').fill('端到端')
    await page.locator('[data-test="form-save"]').click()
    const pw = page.locator('[data-test="temp-password"]')
    await pw.waitFor()
    temporaryPassword = ((await pw.textContent()) ?? '').trim()
    expect(temporaryPassword).toMatch(/^[A-Za-z0-9]{12}$/)
    await screenshot(page, 'identity-console-staff-created')
  })

  it('the new staff member must change the one-time password before anything else', async () => {
    const p = await (await desktopContext(browser)).newPage()
    await consoleSignIn(p, username, temporaryPassword)
    await p.waitForURL('**/console/password**')
    const me = await p.evaluate(async () => (await fetch('/api/me')).json())
    expect(me).toMatchObject({ username, mustChangePassword: true })
    const blocked = await p.evaluate(async () => (await fetch('/api/console/units')).status)
    expect(blocked).toBe(403)
    await p.close()
  })

  it('shows the organisation tree and the audit log with the creation in it', async () => {
    await page.goto('/console/admin/units')
    await page.locator('[data-test="unit-tree"]').getByText('城区一大队').waitFor()
    await screenshot(page, 'identity-console-units')
    await page.goto('/console/admin/audit')
    await page.locator('input[data-test="filter-action"]').fill('staff.created')
    await page.locator('[data-test="audit-search"]').click()
    await page.locator('[data-test="audit-table"] .el-table__row').first().waitFor()
    await page.locator('[data-test="audit-table"]').getByText('新增人员').first().waitFor()
    await screenshot(page, 'identity-console-audit')
  })
})

describe('console: every demo role lands on its dashboard', () => {
  for (const [username, role] of [
    ['admin', '系统管理员'],
    ['dispatcher', '指挥中心'],
    ['legal', '法制员'],
    ['head', '单位负责人'],
    ['window', '窗口民警'],
  ] as const) {
    it(`${username} → dashboard`, async () => {
      const ctx = await desktopContext(browser)
      const page = await ctx.newPage()
      await consoleSignIn(page, username)
      await page.waitForURL((u) => u.pathname === '/console/')
      await page.locator('.tp-dash__greeting').waitFor()
      await page.locator('.tp-dash__facts').getByText(role).waitFor()
      // Menus follow the role: only admins and unit heads manage staff.
      const staffMenu = await page.locator('.el-menu-item', { hasText: '人员管理' }).count()
      expect(staffMenu).toBe(username === 'admin' || username === 'head' ? 1 : 0)
      await screenshot(page, `identity-dashboard-${username}`)
      await ctx.close()
    })
  }
})
