import { readFileSync } from 'node:fs'
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { baseUrl, chinaDate, desktopContext, HALL_JOURNEY_TIMEOUT_MS, launch, mobileContext, screenshot, untilTodaysSlotsRemain } from './browser'

/**
 * The booking journey end to end in Chromium: a citizen books at 375×812, downloads the .ics and
 * checks in; the window console calls the number with one key; the hall display shows (and
 * speaks) it; staff complete; the citizen's booking page shows it done.
 *
 * The server runs on the real clock, so the test sets up its own hall open around the clock
 * today and tomorrow (special hours, even on a holiday) and books the next slot.
 */
let browser: Browser
const phone = `136${String(Date.now()).slice(-8)}`

async function signInStaff(req: APIRequestContext, username: string) {
  const res = await req.post('/api/auth/staff/login', { data: { username, password: 'demo12345' } })
  expect(res.status()).toBe(200)
  const csrf = ((await res.json()) as { csrfToken: string }).csrfToken
  return {
    get: async (path: string) => (await req.get(path)).json(),
    send: async (method: 'POST' | 'PUT' | 'PATCH', path: string, data: unknown = {}) => {
      const r = await req.fetch(path, { method, data, headers: { 'x-csrf-token': csrf } })
      if (r.status() >= 400) throw new Error(`${method} ${path}: ${r.status()} ${await r.text()}`)
      return r.json()
    },
  }
}

let admin: BrowserContext
let office: { id: string; name: string }
let windowId: string
let policy: Record<string, unknown>
let adminApi: Awaited<ReturnType<typeof signInStaff>>

beforeAll(async () => {
  browser = await launch()
  admin = await desktopContext(browser)
  adminApi = await signInStaff(admin.request, 'admin')
  const units = (await adminApi.get('/api/console/units')).items as { id: string; kind: string }[]
  const unitId = units.find((u) => u.kind === 'vehicle_office')?.id as string
  const services = (await adminApi.get('/api/console/bookings/services')).items as { id: string; code: string }[]
  const licence = services.find((s) => s.code === 'licence')?.id as string
  const allDay = [{ from: '00:00', to: '24:00' }]
  office = await adminApi.send('POST', '/api/console/bookings/offices', {
    unitId,
    name: 'E2E 测试大厅',
    kind: 'branch_hall',
    address: '测试大道 1 号',
    position: { lat: 30.57, lng: 104.06 },
    directions: '地铁 1 号线测试站 A 口',
    hours: [allDay, allDay, allDay, allDay, allDay, allDay, allDay],
  })
  await adminApi.send('PUT', `/api/console/bookings/offices/${office.id}/services`, { serviceIds: [licence] })
  windowId = (await adminApi.send('POST', `/api/console/bookings/offices/${office.id}/windows`, { number: 1, label: '驾驶证业务', serviceIds: [licence] })).id
  await adminApi.send('POST', `/api/console/bookings/offices/${office.id}/windows`, { number: 2, label: '驾驶证业务', serviceIds: [licence] })
  for (const d of [0, 1]) {
    const date = chinaDate(new Date(Date.now() + d * 86_400_000))
    await adminApi.send('PUT', `/api/console/bookings/offices/${office.id}/day-overrides`, { date, closed: false, hours: allDay, reason: '端到端测试' })
  }
  // The next half-hour slot must be bookable and open for check-in right away.
  policy = await adminApi.get('/api/console/bookings/policy')
  await adminApi.send('PUT', '/api/console/bookings/policy', { ...policy, minLeadMinutes: 0 })
})

afterAll(async () => {
  if (policy) await adminApi.send('PUT', '/api/console/bookings/policy', policy).catch(() => {})
  await browser?.close()
})

describe('booking journey', () => {
  let citizen: Page
  let hall: Page
  let staff: Page
  let code = ''
  let number = ''
  const spoken: string[] = []

  it('a citizen books on a phone: service, office, day, time, name and ID', { timeout: HALL_JOURNEY_TIMEOUT_MS }, async () => {
    const ctx = await mobileContext(browser)
    const sent = await ctx.request.post('/api/auth/otp', { data: { phone } })
    const { devCode } = (await sent.json()) as { devCode: string }
    expect((await ctx.request.post('/api/auth/otp/verify', { data: { phone, code: devCode } })).status()).toBe(200)
    citizen = await ctx.newPage()
    await citizen.goto('/bookings/new')
    await citizen.locator('[data-test="service-licence"]').click()
    await citizen.locator(`[data-test="office-${office.name}"]`).click()
    await untilTodaysSlotsRemain()
    const day = chinaDate(new Date())
    await citizen.locator(`.tp-day-${day}`).waitFor()
    await screenshot(citizen, 'bookings-1-calendar')
    await citizen.locator(`.tp-day-${day}`).click()
    const slot = citizen.locator('.tp-slot:not([disabled])').first()
    await slot.waitFor()
    await screenshot(citizen, 'bookings-2-slots')
    await slot.click()
    await citizen.locator('#booking-name').fill('测试市民')
    await citizen.locator('#booking-id-number').fill('11010519491231002X')
    await screenshot(citizen, 'bookings-3-confirm')
    await citizen.locator('[data-test="submit-booking"]').click()
    await citizen.locator('.van-dialog__confirm').click()
    await citizen.waitForURL(/\/bookings\/[0-9a-f-]{36}\?created=1/)
    const codeText = await citizen.locator('[data-test="booking-code"]').innerText()
    code = codeText.replace(/\s/g, '')
    expect(code).toMatch(/^[2-9A-Z]{8}$/)
    await expect(citizen.locator('.tp-bk__qr').getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml/)
    await expect(citizen.locator('[data-test="state"]').innerText()).resolves.toBe('待办理')
    const { scroll, inner } = await citizen.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
    expect(scroll).toBeLessThanOrEqual(inner)
    await screenshot(citizen, 'bookings-4-booked')
  })

  it('downloads the .ics calendar file with an alarm', async () => {
    const [download] = await Promise.all([citizen.waitForEvent('download'), citizen.locator('[data-test="ics"]').click()])
    expect(download.suggestedFilename()).toBe(`booking-${code}.ics`)
    const text = readFileSync((await download.path()) as string, 'utf8')
    expect(text).toContain('BEGIN:VCALENDAR')
    expect(text).toContain('BEGIN:VALARM')
    expect(text).toContain(code)
  })

  it('opens the hall display for the office (dark 16:9 TV, no sign-in)', async () => {
    const tv = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })
    // Record what the TV says instead of depending on a speech engine in headless Chromium.
    await tv.exposeFunction('__tpSpoken', (text: string) => spoken.push(text))
    await tv.addInitScript(() => {
      const w = window as unknown as { speechSynthesis: unknown; __tpSpoken: (t: string) => void }
      Object.defineProperty(window, 'speechSynthesis', {
        value: { speak: (u: { text: string }) => w.__tpSpoken(u.text), getVoices: () => [], cancel: () => {} },
        configurable: true,
      })
    })
    hall = await tv.newPage()
    await hall.goto(`/console/hall/${office.id}`)
    await hall.locator('[data-test="hall-office"]').filter({ hasText: office.name }).waitFor()
  })

  it('the citizen checks in at the hall and gets a queue number', async () => {
    await citizen.locator('[data-test="check-in"]').click()
    const ticket = citizen.locator('[data-test="ticket-number"]')
    await ticket.waitFor()
    number = await ticket.innerText()
    expect(number).toMatch(/^C\d{3}$/)
    await expect(citizen.locator('[data-test="state"]').innerText()).resolves.toBe('已签到')
    await screenshot(citizen, 'bookings-5-checked-in')
  })

  it('the window console calls the number with one key, and the hall display shows and speaks it', async () => {
    const ctx = await desktopContext(browser)
    const api = await signInStaff(ctx.request, 'window')
    await api.send('POST', `/api/console/bookings/windows/${windowId}/sign-in`, { takeOver: true })
    staff = await ctx.newPage()
    await staff.goto('/console/bookings/window')
    await staff.locator('[data-test="window-sign-out"]').waitFor()
    await expect(staff.locator('[data-test="waiting-count"]').innerText()).resolves.toBe('1')
    await screenshot(staff, 'bookings-6-window-console')
    // Keys go to the page, not to a focused control.
    await staff.locator('.tp-win h1').click()
    await staff.keyboard.press('n')
    const current = staff.locator('[data-test="current-number"]')
    await current.waitFor()
    await expect(current.innerText()).resolves.toBe(number)
    await screenshot(staff, 'bookings-7-called')

    const row = hall.locator('[data-test="hall-window-1"]')
    await hall.waitForFunction((n) => document.querySelector('[data-test="hall-window-1"]')?.textContent?.includes(n), number)
    await expect(row.innerText()).resolves.toContain(number)
    await hall.locator('[data-test="hall-banner"]').waitFor()
    await expect(hall.locator('[data-test="hall-banner"]').innerText()).resolves.toContain(number)
    expect(await row.getAttribute('class')).toContain('tp-hall__row--new')
    await hall.waitForFunction(() => true)
    expect(spoken).toContain(`请${number}号到1号窗口办理`)
    const bg = await hall.evaluate(() => getComputedStyle(document.querySelector('.tp-hall') as Element).backgroundColor)
    expect(bg).toBe('rgb(7, 17, 31)')
    await screenshot(hall, 'bookings-8-hall-display')

    // The citizen's page follows live.
    await citizen.locator('[data-test="ticket-status"]').filter({ hasText: '1 号窗口' }).waitFor()
  })

  it('staff complete, and the citizen sees the booking done', async () => {
    await staff.keyboard.press('Enter')
    await staff.locator('.tp-win__none').waitFor()
    await expect(staff.locator('[data-test="call-next"]').isEnabled()).resolves.toBe(true)
    await citizen.locator('[data-test="state"]').filter({ hasText: '已办结' }).waitFor()
    await expect(citizen.locator('[data-test="ticket-status"]').innerText()).resolves.toContain('已办结')
    await expect(citizen.locator('[data-test="rate"]').isVisible()).resolves.toBe(true)
    await screenshot(citizen, 'bookings-9-done')
    await citizen.goto('/bookings')
    await citizen.locator(`[data-test="booking-${code}"]`).waitFor()
    await expect(citizen.locator(`[data-test="booking-${code}"]`).innerText()).resolves.toContain('已办结')
    await screenshot(citizen, 'bookings-10-my-bookings')
  })
})
