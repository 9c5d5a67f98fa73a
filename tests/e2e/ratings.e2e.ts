import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { baseUrl, chinaDate, desktopContext, HALL_JOURNEY_TIMEOUT_MS, launch, mobileContext, screenshot, untilTodaysSlotsRemain } from './browser'

/**
 * 好差评 end to end in Chromium. After a window completes a service, the citizen (375×812) rates
 * it 不满意 with a tag and a comment; the evaluator tablet at the window serves the next citizens;
 * the unit head sees the follow-up case, verifies it, records the call-back and the fix, and
 * closes it; the citizen sees the outcome; the dashboards count it.
 *
 * The server runs on the real clock: the test sets up its own hall, open around the clock today
 * and tomorrow, and drives booking, check-in, call and completion through the API.
 */
let browser: Browser
const phone = `136${String(Date.now()).slice(-8)}`
const OFFICE = `E2E 评价大厅 ${String(Date.now()).slice(-5)}`

type Api = Awaited<ReturnType<typeof session>>
async function session(req: APIRequestContext, login: () => Promise<{ csrfToken: string }>) {
  const { csrfToken } = await login()
  const send = async (method: 'POST' | 'PUT' | 'PATCH', path: string, data: unknown = {}, status?: number) => {
    const r = await req.fetch(path, { method, data, headers: { 'x-csrf-token': csrfToken } })
    if (r.status() >= 400 && r.status() !== status) throw new Error(`${method} ${path}: ${r.status()} ${await r.text()}`)
    return r.json()
  }
  return { get: async (path: string) => (await req.get(path)).json(), send }
}
const staffSession = (req: APIRequestContext, username: string) =>
  session(req, async () => (await req.post('/api/auth/staff/login', { data: { username, password: 'demo12345' } })).json())

let adminCtx: BrowserContext
let admin: Api
let clerk: Api
let office: { id: string }
let licence: string
let windowId: string
let policy: Record<string, unknown>

/** The window calls the next number, starts and completes it: the completed ticket. */
async function completeNext(): Promise<{ id: string; number: string }> {
  await clerk.send('POST', `/api/console/bookings/windows/${windowId}/sign-in`, { takeOver: true })
  const { ticket } = await clerk.send('POST', `/api/console/bookings/windows/${windowId}/call-next`)
  expect(ticket).not.toBeNull()
  await clerk.send('POST', `/api/console/bookings/tickets/${ticket.id}/start`)
  return clerk.send('POST', `/api/console/bookings/tickets/${ticket.id}/complete`)
}

async function walkInServed() {
  await clerk.send('POST', '/api/console/bookings/walk-ins', { officeId: office.id, serviceId: licence })
  return completeNext()
}

beforeAll(async () => {
  browser = await launch()
  adminCtx = await desktopContext(browser)
  admin = await staffSession(adminCtx.request, 'admin')
  clerk = await staffSession((await desktopContext(browser)).request, 'window')
  const units = (await admin.get('/api/console/units')).items as { id: string; kind: string }[]
  const unitId = units.find((u) => u.kind === 'vehicle_office')?.id as string
  licence = ((await admin.get('/api/console/bookings/services')).items as { id: string; code: string }[]).find((s) => s.code === 'licence')?.id as string
  const allDay = [{ from: '00:00', to: '24:00' }]
  office = await admin.send('POST', '/api/console/bookings/offices', {
    unitId,
    name: OFFICE,
    kind: 'branch_hall',
    address: '测试大道 2 号',
    position: { lat: 30.57, lng: 104.06 },
    hours: [allDay, allDay, allDay, allDay, allDay, allDay, allDay],
  })
  await admin.send('PUT', `/api/console/bookings/offices/${office.id}/services`, { serviceIds: [licence] })
  windowId = (await admin.send('POST', `/api/console/bookings/offices/${office.id}/windows`, { number: 1, label: '驾驶证业务', serviceIds: [licence] })).id
  for (const d of [0, 1]) {
    const date = chinaDate(new Date(Date.now() + d * 86_400_000))
    await admin.send('PUT', `/api/console/bookings/offices/${office.id}/day-overrides`, { date, closed: false, hours: allDay, reason: '端到端测试' })
  }
  policy = await admin.get('/api/console/bookings/policy')
  await admin.send('PUT', '/api/console/bookings/policy', { ...policy, minLeadMinutes: 0 })
})

afterAll(async () => {
  if (policy) await admin.send('PUT', '/api/console/bookings/policy', policy).catch(() => {})
  await browser?.close()
})

describe('好差评 journey', () => {
  let citizen: Page
  let citizenApi: Api
  let booking: { id: string }
  let ticket: { id: string; number: string }
  let followUpNumber = ''
  let head: Page

  it('a window completes a booked citizen’s service', { timeout: HALL_JOURNEY_TIMEOUT_MS }, async () => {
    const ctx = await mobileContext(browser)
    citizenApi = await session(ctx.request, async () => {
      const { devCode } = await (await ctx.request.post('/api/auth/otp', { data: { phone } })).json()
      return (await ctx.request.post('/api/auth/otp/verify', { data: { phone, code: devCode } })).json()
    })
    await untilTodaysSlotsRemain()
    let slot: { id: string } | undefined
    for (const d of [0, 1]) {
      const date = chinaDate(new Date(Date.now() + d * 86_400_000))
      const slots = (await citizenApi.get(`/api/slots?officeId=${office.id}&serviceId=${licence}&date=${date}`)).items as {
        id: string
        bookable: boolean
      }[]
      slot = slots.find((s) => s.bookable)
      if (slot) break
    }
    expect(slot).toBeDefined()
    booking = await citizenApi.send('POST', '/api/bookings', { slotId: slot?.id, name: '评价市民', idNumber: '11010519491231002X' })
    await citizenApi.send('POST', `/api/bookings/${booking.id}/check-in`)
    ticket = await completeNext()
    citizen = await ctx.newPage()
  })

  it('the citizen rates it 不满意 with a tag and a comment on a phone', async () => {
    // From the booking (the bookings page links to the rate page) or the notification's link.
    await citizen.goto(`/bookings/${booking.id}`)
    const rate = citizen.locator('[data-test="rate"]')
    if (await rate.isVisible({ timeout: 5000 }).catch(() => false)) await rate.click()
    else await citizen.goto(`/ratings/${ticket.id}`)
    await citizen.waitForURL(`**/ratings/${ticket.id}`)
    await citizen.locator('[data-level="dissatisfied"]').waitFor()
    expect(await citizen.locator('[role="radio"]').allInnerTexts()).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意'])
    await screenshot(citizen, 'ratings-1-rate-page')
    await citizen.locator('[data-level="dissatisfied"]').click()
    await citizen.locator('[data-tag="long_wait"]').click()
    await citizen.locator('textarea[name="comment"]').fill('叫号后等了二十分钟才开始办理。')
    const { scroll, inner } = await citizen.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
    expect(scroll).toBeLessThanOrEqual(inner)
    await screenshot(citizen, 'ratings-2-dissatisfied-with-tag')
    await citizen.locator('[data-test="submit"]').click()
    await citizen.locator('.van-dialog__confirm').click()
    await citizen.locator('[data-test="my-level"]').waitFor()
    expect(await citizen.locator('[data-test="my-level"]').innerText()).toBe('不满意')
    expect(await citizen.locator('[data-test="follow-up-state"]').innerText()).toBe('已受理')
    followUpNumber = /HF\d{14}/.exec(await citizen.locator('[data-test="follow-up"]').innerText())?.[0] ?? ''
    expect(followUpNumber).toMatch(/^HF\d{14}$/)
    await screenshot(citizen, 'ratings-3-follow-up-opened')
  })

  it('the evaluator tablet at the window works for the next citizens', async () => {
    const device = await clerk.send('POST', '/api/console/ratings/devices', { windowId, label: 'E2E 平板' })
    const tabletCtx = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 }, locale: 'zh-CN', hasTouch: true })
    const tablet = await tabletCtx.newPage()
    await tablet.goto(device.setupPath)
    // The token moves out of the URL into the device's storage.
    await tablet.locator('[data-test="idle"]').waitFor()
    expect(tablet.url()).not.toContain('token=')
    expect(await tablet.locator('[data-test="staff-name"]').innerText()).toBe('李窗口')
    await screenshot(tablet, 'ratings-4-evaluator-idle')

    for (const [i, level] of (['very_satisfied', 'satisfied'] as const).entries()) {
      const next = await walkInServed()
      await tablet.locator('[data-test="rating"]').waitFor({ timeout: 15_000 })
      expect(await tablet.locator('[data-test="ticket"]').innerText()).toContain(next.number)
      if (i === 0) await screenshot(tablet, 'ratings-5-evaluator-rating')
      await tablet.locator(`[data-level="${level}"]`).click()
      await tablet.locator('[data-tag="warm"]').click()
      await tablet.locator('[data-test="submit"]').click()
      await tablet.locator('[data-test="thanks"]').waitFor()
      if (i === 0) await screenshot(tablet, 'ratings-6-evaluator-thanks')
      // Back to idle by itself after a few seconds, ready for the next citizen.
      await tablet.locator('[data-test="idle"]').waitFor({ timeout: 20_000 })
    }
    await tabletCtx.close()
  })

  it('the unit head sees the follow-up case, records the call-back and the fix, and closes it', async () => {
    head = await (await desktopContext(browser)).newPage()
    await head.goto('/console/login?redirect=/ratings/followups')
    await head.locator('input[name="username"], #login-username').first().fill('head')
    await head.locator('input[type="password"]').fill('demo12345')
    await head.locator('button[type="submit"]').click()
    await head.waitForURL('**/console/ratings/followups**')
    await head.goto(`/console/ratings/followups?view=open&q=${followUpNumber}`)
    const row = head.locator('.el-table__row', { hasText: followUpNumber })
    await row.waitFor()
    await screenshot(head, 'ratings-7-head-follow-ups')
    await row.click()
    await head.waitForURL(/\/console\/ratings\/followups\/[0-9a-f-]{36}/)
    expect(await head.locator('[data-test="state"]').innerText()).toBe('待核实')
    expect(await head.locator('[data-test="comment"]').innerText()).toContain('等了二十分钟')

    await head.locator('textarea[name="note"]').fill('调取窗口录音录像核实：叫号后民警离开窗口约 15 分钟，情况属实。')
    await head.locator('[data-test="do-verify"]').click()
    await head.locator('[data-test="form-call-back"]').waitFor()
    expect(await head.locator('[data-test="state"]').innerText()).toBe('已核实')
    await head.locator('textarea[name="callNote"]').fill('电话回访，已向当事人致歉，当事人表示理解。')
    await head.locator('[data-test="do-call-back"]').click()
    await head.locator('[data-test="form-rectify"]').waitFor()
    await head.locator('[data-test="callbacks"]').waitFor()
    await head.locator('textarea[name="measures"]').fill('对当事民警批评教育；窗口离岗须放置暂停服务牌并由他人顶岗。')
    await head.locator('[data-test="do-rectify"]').click()
    await head.locator('[data-test="form-close"]').waitFor()
    await head.locator('textarea[name="outcome"]').fill('经核实，您反映的问题属实。我们已对相关民警批评教育，并完善窗口离岗顶岗制度。感谢您的监督！')
    await screenshot(head, 'ratings-8-head-before-close')
    await head.locator('[data-test="do-close"]').click()
    await head.locator('.el-message-box__btns .el-button--primary').click()
    await head.locator('[data-test="no-actions"]').waitFor()
    expect(await head.locator('[data-test="state"]').innerText()).toBe('已办结')
    await screenshot(head, 'ratings-9-head-closed')
  })

  it('the citizen sees the outcome', async () => {
    await citizen.goto(`/ratings/${ticket.id}`)
    await citizen.locator('[data-test="outcome"]').waitFor()
    expect(await citizen.locator('[data-test="outcome"]').innerText()).toContain('完善窗口离岗顶岗制度')
    expect(await citizen.locator('[data-test="follow-up-state"]').innerText()).toBe('已办结')
    const steps = await citizen.locator('.tp-timeline').innerText()
    expect(steps).toContain('回访')
    expect(steps).not.toContain('录音录像核实')
    await screenshot(citizen, 'ratings-10-citizen-outcome')
  })

  it('the dashboards count it', async () => {
    await head.goto('/console/ratings/dashboard')
    const row = head.locator('[data-test="satisfaction-table"] .el-table__row', { hasText: OFFICE })
    await row.waitFor()
    // One 不满意 (app) and two good ratings (evaluator): 2 of 3 satisfied.
    const cells = await row.locator('td').allInnerTexts()
    expect(cells.map((c) => c.trim())).toEqual([OFFICE, '1', '1', '0', '1', '0', '3', '66.7%'])
    await head.locator('[data-test="chart"] canvas').waitFor()
    await screenshot(head, 'ratings-11-dashboard-satisfaction')
    await head.locator('[data-test="tabs"] label', { hasText: '示范窗口排名' }).click()
    const rankRow = head.locator('[data-test="ranking-table"] .el-table__row', { hasText: OFFICE })
    await rankRow.waitFor()
    expect(await rankRow.innerText()).toContain('样本不足')
    await screenshot(head, 'ratings-12-dashboard-ranking')
    await head.locator('[data-test="tabs"] label', { hasText: '差评整改' }).click()
    await head.locator('[data-test="fu-open"]').waitFor()
    await screenshot(head, 'ratings-13-dashboard-follow-ups')
    // The console home shows the widgets.
    await head.goto('/console/')
    await head.locator('[data-test="ratings-satisfaction-widget"] [data-test="rate"]').waitFor()
    await head.locator('[data-test="ratings-followups-widget"] [data-test="open"]').waitFor()
    await screenshot(head, 'ratings-14-console-home')
  })
})
