import { withExifGps } from '@tp/shared/reports/exif'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { desktopContext, launch, mobileContext, screenshot } from './browser'

/**
 * The road-report journey ("Done when"): a citizen on a 375×812 phone files a zombie-car report
 * with a photo; the dispatcher's open console shows it without reload (SSE) and dispatches it;
 * the grid officer (phone-sized console) acknowledges, arrives and records that the owner moved
 * the car; the citizen sees each step and rates the handling.
 */
const JPEG_64x48 =
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAwAEADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAUG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AhAT2iAAAAAAAAAAAAAAAAAAAAAAf/9k='

let browser: Browser
let citizen: Page
let dispatcher: Page
let officer: Page
const phone = `1360000${String(Date.now()).slice(-4)}`
// A plate nobody else reports (no merge with the demo data): 川A + letter + 4 digits from the clock.
const plate = `川AE${String(Date.now()).slice(-4)}`
let number = ''
let submittedAt = 0

beforeAll(async () => {
  browser = await launch()
})

afterAll(async () => {
  await browser?.close()
})

async function staffSignIn(page: Page, username: string, path: string) {
  await page.goto(`/console/login?redirect=${encodeURIComponent(path)}`)
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill('demo12345')
  await page.locator('[data-test="submit"]').click()
  await page.waitForURL((u) => u.pathname === `/console${path}`)
}

/** The step's inline form (note, optional photo): confirm once it is not busy. */
async function confirmDialog(page: Page) {
  await page.locator('[data-test="officer-confirm"]:not(.is-loading)').click()
  await page.locator('[data-test="officer-step"]').waitFor({ state: 'detached' })
}

describe('road report journey', () => {
  it('the dispatcher opens the live queue', async () => {
    dispatcher = await (await desktopContext(browser)).newPage()
    await staffSignIn(dispatcher, 'dispatcher', '/reports')
    await dispatcher.locator('[data-test="row-number"]').first().waitFor()
    await dispatcher.locator('[data-test="live"]', { hasText: '实时' }).waitFor()
    await screenshot(dispatcher, 'reports-console-queue')
  })

  it('a citizen on a phone files a zombie-car report with a photo (its EXIF location offered)', async () => {
    const ctx = await mobileContext(browser)
    citizen = await ctx.newPage()
    await citizen.goto(`/login?redirect=${encodeURIComponent('/reports/new?kind=zombie_car')}`)
    await citizen.locator('input[name="phone"]').fill(phone)
    await citizen.locator('[data-test="send-code"]').click()
    const dev = await citizen.locator('[data-test="dev-code"]').textContent()
    await citizen.locator('input[name="code"]').fill(/\d{6}/.exec(dev ?? '')?.[0] ?? '')
    await citizen.locator('[data-test="submit"]').click()
    await citizen.waitForURL((u) => u.pathname === '/reports/new')
    await citizen.locator('[data-test="plate"]').waitFor()

    // A photo taken on 建设北路 (grid 东湖网格): its GPS becomes the report's location.
    const photo = withExifGps(new Uint8Array(Buffer.from(JPEG_64x48, 'base64')), { lat: 30.6819, lng: 104.0912 })
    await citizen.locator('.van-uploader__input').setInputFiles({ name: 'car.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(photo) })
    await citizen.locator('.van-uploader__preview').first().waitFor()
    await citizen.waitForFunction(() => !document.querySelector('.van-uploader__mask'))
    await expect(citizen.locator('[data-test="location"] input').inputValue()).resolves.toMatch(/30\.68|建设北路|照片/)

    await citizen.locator('[data-test="address"] input').fill('建设北路小区门口')
    await citizen.locator('[data-test="plate"] input').fill(plate.toLowerCase())
    await citizen.locator('[data-test="attr-parked_for"] .van-radio', { hasText: '30 天以上' }).click()
    await citizen.locator('[data-test="description"] textarea').fill('白色轿车停放两个多月，轮胎没气，落满灰尘')
    const width = await citizen.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
    expect(width.scroll).toBeLessThanOrEqual(width.inner)
    await screenshot(citizen, 'reports-citizen-new')

    await citizen.locator('[data-test="submit"]').click()
    await citizen.locator('.van-dialog__confirm').click()
    submittedAt = Date.now()
    await citizen.waitForURL(/\/reports\/[0-9a-f-]{36}$/)
    await citizen.locator('[data-test="state"]', { hasText: '已提交' }).waitFor()
    number = /R\d+/.exec((await citizen.locator('.tp-report-detail__number').textContent()) ?? '')?.[0] ?? ''
    expect(number).toMatch(/^R\d{11,}$/)
    await screenshot(citizen, 'reports-citizen-submitted')
  })

  it("appears on the dispatcher's open console without reload, and is dispatched to the grid officer", async () => {
    const row = dispatcher.locator('[data-test="row-number"]', { hasText: number })
    await row.waitFor({ timeout: 15_000 })
    const seenAfterMs = Date.now() - submittedAt
    console.log(
      `SSE latency submit→dispatcher: ${seenAfterMs} ms (report ${number} on the open console after the citizen's submit returned: SSE + reload of the list)`,
    )
    expect(seenAfterMs).toBeLessThan(10_000)
    await screenshot(dispatcher, 'reports-console-new-report')
    await row.click()
    await dispatcher.locator('[data-test="report-drawer"]').waitFor()
    await dispatcher.locator('[data-test="action-dispatch"]').click()
    // The grid's officer is proposed first.
    await dispatcher.locator('[data-test="officer-select"]', { hasText: '张路警' }).waitFor()
    await dispatcher.locator('[data-test="action-confirm"]').click()
    await dispatcher
      .locator('[data-test="report-drawer"] .tp-state', { hasText: '已派警' })
      .or(dispatcher.locator('[data-test="report-drawer"]', { hasText: '已派警' }))
      .first()
      .waitFor()
    await screenshot(dispatcher, 'reports-console-dispatched')
  })

  it('the officer, on a phone, acknowledges, arrives and records that the owner moved the car', async () => {
    officer = await (await mobileContext(browser)).newPage()
    await staffSignIn(officer, 'officer', '/reports/officer')
    const card = officer.locator('[data-test="officer-card"]', { hasText: number })
    await card.waitFor()
    await card.locator('[data-test="officer-acknowledge"]').click()
    // Acknowledged: the button goes away, the next steps stay.
    await card.locator('[data-test="officer-acknowledge"]').waitFor({ state: 'detached' })
    await card.locator('[data-test="officer-arrive"]').click()
    await confirmDialog(officer)
    // Wait for the card to show the new state before the next step (its buttons re-render).
    await card.getByText('民警到场', { exact: true }).waitFor()
    await card.locator('[data-test="officer-owner_moved"]').waitFor()
    await screenshot(officer, 'reports-officer-on-scene')
    await card.locator('[data-test="officer-owner_moved"]').click()
    await officer.locator('textarea[data-test="officer-note"], [data-test="officer-note"] textarea').first().fill('车主接到电话后已将车辆驶离')
    await confirmDialog(officer)
    await officer.locator('[data-test="officer-card"]', { hasText: number }).waitFor({ state: 'detached' })
    await screenshot(officer, 'reports-officer-done')
  })

  it('the citizen sees every step and rates the handling', async () => {
    await citizen.locator('[data-test="state"]', { hasText: '车主已驶离' }).waitFor({ timeout: 15_000 })
    const timeline = await citizen.locator('.tp-report-detail__timeline').innerText()
    for (const step of ['提交上报', '派警处置', '民警已接单', '民警到场', '车主已驶离']) expect(timeline).toContain(step)
    expect(timeline).toContain('车主接到电话后已将车辆驶离')
    await screenshot(citizen, 'reports-citizen-steps')
    await citizen.locator('[data-test="rate"]').click()
    await citizen.locator('[data-test="rate-stars"] [role="radio"]').nth(4).click()
    await citizen.locator('.tp-report-detail__sheet textarea').fill('处理很及时，谢谢民警')
    await citizen.locator('[data-test="rate-submit"]').click()
    await citizen.getByText('您的评价', { exact: true }).waitFor()
    await citizen.locator('[data-test="state"]', { hasText: '已办结' }).waitFor()
    await screenshot(citizen, 'reports-citizen-rated')

    await citizen.goto('/notifications')
    await citizen.getByText(`您的上报 ${number} 已派警处置`).waitFor()
    await screenshot(citizen, 'reports-citizen-inbox')
  })
})
