import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { desktopContext, launch, mobileContext, screenshot } from './browser'

/**
 * The two shells end to end: the citizen H5 at phone size (home grid, no sideways scrolling,
 * sign-in with the on-screen development code, 我的办事, 我的, English; at 320 and 430 px and with
 * text at 200 %: no sideways scrolling, 44×44 px touch targets) and the staff console (sign-in as
 * admin, dashboard).
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

  it('shows the services on the home page without sideways scrolling', async () => {
    await page.goto('/')
    const services = page.locator('.tp-service')
    await services.first().waitFor()
    // The configured report kinds first, then appeals and bookings.
    const hrefs = await services.evaluateAll((els) => els.map((el) => el.getAttribute('href')))
    expect(hrefs.slice(0, 2)).toEqual(['/reports/new?kind=congestion', '/reports/new?kind=zombie_car'])
    expect(hrefs.slice(2, -2).every((h) => h?.startsWith('/reports/new?kind='))).toBe(true)
    expect(hrefs.slice(-2)).toEqual(['/appeals', '/bookings/new'])
    const names = await page.locator('.tp-service__name').allInnerTexts()
    expect([names[0], names[1], ...names.slice(-2)]).toEqual(['拥堵', '僵尸车', '违法申诉', '车管预约'])
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

/** Visible tab-bar and home-grid controls smaller than a 44×44 px touch target. */
async function smallTargets(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.van-tabbar :is(a, button, [role=button], [role=tab]), .tp-home__services :is(a, button, [role=button])')]
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ el, box }) => box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden')
      .filter(({ box }) => box.width < 44 || box.height < 44)
      .map(({ el, box }) => `${el.textContent?.trim()} ${Math.round(box.width)}×${Math.round(box.height)}`),
  )
}

describe('citizen H5 at 320 px, 430 px and 200 % text', () => {
  const CASES: { name: string; width: number; textZoom: boolean }[] = [
    { name: '320', width: 320, textZoom: false },
    { name: '430', width: 430, textZoom: false },
    { name: '375-text-200', width: 375, textZoom: true },
  ]
  for (const c of CASES) {
    it(`${c.name}: home, my cases and me fit the width, with big enough touch targets`, async () => {
      const ctx = await mobileContext(browser)
      const page = await ctx.newPage()
      try {
        await page.setViewportSize({ width: c.width, height: 800 })
        if (c.textZoom) {
          // Text at twice its size, as a phone's large system font scales it in a webview (px sizes
          // too, whatever text-size-adjust the page asks for).
          await page.addInitScript(() => {
            document.addEventListener('DOMContentLoaded', () => {
              for (const el of [document.documentElement, document.body]) el.style.setProperty('text-size-adjust', '200%')
            })
          })
        }
        const who = `136${String(Date.now() + c.width).slice(-8)}`
        const otp = await page.request.post('/api/auth/otp', { data: { phone: who }, headers: { 'x-forwarded-for': who } })
        const code = ((await otp.json()) as { devCode: string }).devCode
        expect((await page.request.post('/api/auth/otp/verify', { data: { phone: who, code }, headers: { 'x-forwarded-for': who } })).status()).toBe(200)

        await page.goto('/')
        await page.locator('.tp-service').first().waitFor()
        if (c.textZoom) {
          const scale = await page.evaluate(() => {
            const name = document.querySelector('.tp-service__name') as HTMLElement
            const size = () => Number.parseFloat(getComputedStyle(name).fontSize)
            const zoomed = size()
            document.body.style.setProperty('text-size-adjust', '100%')
            const plain = size()
            document.body.style.setProperty('text-size-adjust', '200%')
            return zoomed / plain
          })
          expect(scale).toBeCloseTo(2, 1)
        }
        await noSidewaysScroll(page)
        expect(await smallTargets(page)).toEqual([])
        if (c.width === 320) await screenshot(page, 'citizen-home-320')
        await page.locator('.van-tabbar-item', { hasText: '我的办事' }).click()
        await page.waitForURL('**/cases')
        await page.locator('.van-empty, .tp-case-card').first().waitFor()
        await noSidewaysScroll(page)
        expect(await smallTargets(page)).toEqual([])
        await page.locator('.van-tabbar-item', { hasText: '我的' }).last().click()
        await page.waitForURL('**/me')
        await page.getByText(`${who.slice(0, 3)}****${who.slice(-4)}`).waitFor()
        await noSidewaysScroll(page)
        expect(await smallTargets(page)).toEqual([])
      } finally {
        await ctx.close()
      }
    })
  }
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
