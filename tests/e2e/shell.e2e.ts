import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { desktopContext, launch, mobileContext, screenshot } from './browser'

/**
 * The two shells end to end: the citizen H5 at phone size (home grid, no sideways scrolling,
 * sign-in with the on-screen development code, 我的办事, 我的, English) and the staff console
 * (sign-in as admin, dashboard).
 */
let browser: Browser

beforeAll(async () => {
  browser = await launch()
})

afterAll(async () => {
  await browser?.close()
})

const phone = `137${String(Date.now()).slice(-8)}`

async function noSidewaysScroll(page: Page) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
  expect(scroll).toBeLessThanOrEqual(inner)
}

describe('citizen H5 shell', () => {
  let page: Page

  beforeAll(async () => {
    const ctx = await mobileContext(browser)
    page = await ctx.newPage()
  })

  it('shows the four services on the home page without sideways scrolling', async () => {
    await page.goto('/')
    const services = page.locator('.tp-service')
    await services.first().waitFor()
    expect(await services.count()).toBe(4)
    const names = await page.locator('.tp-service__name').allInnerTexts()
    expect(names).toEqual(['拥堵上报', '僵尸车举报', '违法申诉', '车管预约'])
    expect(await page.locator('.tp-service').nth(0).getAttribute('href')).toBe('/reports/new?kind=congestion')
    expect(await page.locator('.tp-service').nth(1).getAttribute('href')).toBe('/reports/new?kind=zombie_car')
    expect(await page.locator('.tp-service').nth(2).getAttribute('href')).toBe('/appeals')
    expect(await page.locator('.tp-service').nth(3).getAttribute('href')).toBe('/bookings/new')
    await expect(page.locator('.van-tabbar-item').allInnerTexts()).resolves.toEqual(['首页', '我的办事', '我的'])
    await noSidewaysScroll(page)
    // Every tab is a big enough touch target.
    const box = await page.locator('.van-tabbar-item').first().boundingBox()
    expect(box?.height).toBeGreaterThanOrEqual(44)
    await screenshot(page, 'citizen-home')
  })

  it('sends a signed-out citizen from a protected page to sign-in and back', async () => {
    await page.goto('/notifications')
    await page.waitForURL(/\/login\?redirect=/)
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/notifications')
    await page.locator('.van-nav-bar__left').click()
    await page.waitForURL((u) => u.pathname === '/')
  })

  it('signs in a new citizen with the on-screen development code', async () => {
    await page.locator('.van-tabbar-item', { hasText: '我的办事' }).click()
    await page.waitForURL('**/cases')
    await page.locator('.tp-cases__cta', { hasText: '登录' }).click()
    await page.waitForURL(/\/login\?redirect=%2Fcases|\/login\?redirect=\/cases/)
    await page.locator('[data-test="submit"]').click()
    await page.getByText('请输入手机号').waitFor()
    await page.locator('input[name="phone"]').fill(phone)
    await page.locator('[data-test="send-code"]').click()
    const dev = await page.locator('[data-test="dev-code"]').textContent()
    const code = /\d{6}/.exec(dev ?? '')?.[0]
    expect(code).toMatch(/^\d{6}$/)
    await expect(page.locator('[data-test="send-code"]').textContent()).resolves.toMatch(/\d+ 秒后重发/)
    await page.locator('input[name="code"]').fill(code as string)
    await screenshot(page, 'citizen-login')
    await page.locator('[data-test="submit"]').click()
    await page.waitForURL((u) => u.pathname === '/cases')
  })

  it('opens 我的办事 signed in', async () => {
    await page.locator('.tp-cases__filters').waitFor()
    await page.locator('.van-empty, .tp-case-card').first().waitFor()
    await noSidewaysScroll(page)
    await screenshot(page, 'citizen-cases')
  })

  it('opens 我的 with the masked phone, the inbox and the settings', async () => {
    await page.locator('.van-tabbar-item', { hasText: '我的' }).last().click()
    await page.waitForURL('**/me')
    await page.getByText(`${phone.slice(0, 3)}****${phone.slice(-4)}`).waitFor()
    await page.getByText('长辈模式').waitFor()
    await noSidewaysScroll(page)
    await screenshot(page, 'citizen-me')
    await page.locator('[data-test="inbox-link"]').click()
    await page.waitForURL('**/notifications')
    await page.locator('.van-empty, .tp-inbox__item').first().waitFor()
    await page.goBack()
    await page.waitForURL('**/me')
  })

  it('switches to English and remembers it', async () => {
    await page.locator('[data-test="language"]').click()
    await page.locator('.van-action-sheet__item', { hasText: 'English' }).click()
    await page.getByText('Large text mode').waitFor()
    await expect(page.locator('.van-tabbar-item').allInnerTexts()).resolves.toEqual(['Home', 'My cases', 'Me'])
    await page.reload()
    await page.getByText('Large text mode').waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
    await screenshot(page, 'citizen-me-en')
  })

  it('turns on elder mode with larger type', async () => {
    const before = await page.locator('.tp-me__name').evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize))
    await page.locator('[data-test="elder"]').click()
    await page.waitForFunction(() => document.documentElement.classList.contains('tp-elder'))
    const after = await page.locator('.tp-me__name').evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize))
    expect(after / before).toBeGreaterThanOrEqual(1.2)
    await page.goto('/')
    await page.locator('.tp-service').first().waitFor()
    await noSidewaysScroll(page)
    await screenshot(page, 'citizen-home-elder-en')
  })
})

describe('staff console shell', () => {
  let page: Page

  beforeAll(async () => {
    const ctx = await desktopContext(browser)
    page = await ctx.newPage()
  })

  it('asks for sign-in first', async () => {
    await page.goto('/console/')
    await page.waitForURL(/\/console\/login/)
    await page.locator('[data-test="submit"]').click()
    await page.getByText('请输入用户名').waitFor()
    await screenshot(page, 'console-login')
  })

  it('refuses a wrong password with a clear message', async () => {
    await page.locator('input[name="username"]').fill('dispatcher')
    await page.locator('input[name="password"]').fill('wrong-password')
    await page.locator('[data-test="submit"]').click()
    await page.locator('[data-test="login-error"]').getByText('用户名或密码错误').waitFor()
  })

  it('signs in as admin and shows the dashboard with the unit', async () => {
    await page.locator('input[name="username"]').fill('admin')
    await page.locator('input[name="password"]').fill('demo12345')
    await page.locator('[data-test="submit"]').click()
    await page.waitForURL((u) => u.pathname === '/console/' || u.pathname === '/console')
    await page.locator('.tp-dash__greeting').waitFor()
    const unit = await page.locator('[data-test="unit"]').textContent()
    expect(unit?.trim().length).toBeGreaterThan(0)
    expect(await page.locator('[data-test="dash-unit"]').textContent()).toContain(unit?.trim())
    await expect(page.locator('.tp-console__user').textContent()).resolves.toContain('系统管理员')
    await page.waitForLoadState('networkidle')
    await screenshot(page, 'console-dashboard')
  })

  it('opens the change-password page from the user menu', async () => {
    await page.locator('[data-test="user-menu"]').click()
    await page.getByText('修改密码', { exact: true }).click()
    await page.waitForURL('**/console/password')
    await page.locator('.el-breadcrumb').getByText('修改密码').waitFor()
  })

  it('signs out', async () => {
    await page.locator('[data-test="user-menu"]').click()
    await page.locator('[data-test="sign-out"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL(/\/console\/login/)
  })
})
