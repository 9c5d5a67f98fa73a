/// <reference lib="dom" />
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { baseUrl, desktopContext, launch, mobileContext, screenshot } from './browser'

/**
 * Stored XSS: a citizen files a report and an appeal whose free-text fields carry script payloads,
 * a dispatcher adds an internal note carrying one, and the pages that show them are opened in
 * Chromium — the citizen H5 (report detail and list, appeal detail, profile) and the console (the
 * report drawer, the appeal review page). Nothing may execute (no `window.__xss`, no dialog), no
 * payload may become an element (no `img[src=x]`, no injected `<script>`/`<svg>` — checked in the
 * DOM, because the CSP alone would already stop inline script), and the payloads are shown as text.
 *
 * Framing: a page on another origin cannot frame the console (CSP frame-ancestors), while the
 * portal's own origin can.
 */

const IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
const SCRIPT = '<script>window.__xss=2;alert(2)</script>'
const SVG = '<svg onload="window.__xss=3">'
const stamp = String(Date.now())
const phone = `1360009${stamp.slice(-4)}`
const decisionNo = `5101049${stamp.slice(-10)}`
const plate = `川AX${stamp.slice(-4)}`

let browser: Browser
let citizenCtx: BrowserContext
let staffCtx: BrowserContext
let legalCtx: BrowserContext
let reportId = ''
let reportNumber = ''
let appealId = ''
const dialogs: string[] = []

async function api(req: APIRequestContext, csrf: string, method: string, path: string, data?: unknown) {
  const r = await req.fetch(path, { method, data, headers: { 'x-csrf-token': csrf } })
  const body = await r.json().catch(() => null)
  return { status: r.status(), body }
}

async function staffLogin(ctx: BrowserContext, username: string) {
  const r = await ctx.request.post('/api/auth/staff/login', { data: { username, password: 'demo12345' } })
  expect(r.status()).toBe(200)
  return ((await r.json()) as { csrfToken: string }).csrfToken
}

/** Watches a context: any dialog or any `window.__xss` counts as an executed payload. */
async function guard(ctx: BrowserContext) {
  await ctx.addInitScript(() => {
    ;(window as unknown as { __xss: unknown }).__xss = 0
  })
  ctx.on('page', (p) =>
    p.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    }),
  )
}

/** Nothing ran and nothing became markup; the payload text is visible as text. */
async function assertInert(page: Page, visible: string[]) {
  await page.waitForLoadState('networkidle')
  const state = await page.evaluate(() => ({
    xss: (window as unknown as { __xss: unknown }).__xss,
    imgX: document.querySelectorAll('img[src="x"]').length,
    handlers: document.querySelectorAll('[onerror],[onload]').length,
    scripts: [...document.scripts].filter((s) => s.textContent?.includes('__xss')).length,
    svgs: [...document.querySelectorAll('svg[onload]')].length,
    text: document.body.innerText,
  }))
  expect(state.xss, page.url()).toBe(0)
  expect(dialogs, page.url()).toEqual([])
  expect({ imgX: state.imgX, handlers: state.handlers, scripts: state.scripts, svgs: state.svgs }, page.url()).toEqual({
    imgX: 0,
    handlers: 0,
    scripts: 0,
    svgs: 0,
  })
  for (const v of visible) expect(state.text, `${page.url()} shows ${v} as text`).toContain(v)
}

beforeAll(async () => {
  browser = await launch()
  citizenCtx = await mobileContext(browser)
  staffCtx = await desktopContext(browser)
  legalCtx = await desktopContext(browser)
  for (const c of [citizenCtx, staffCtx, legalCtx]) await guard(c)

  // The citizen signs in through the API of their browser context (the cookie is the browser's).
  const sent = await citizenCtx.request.post('/api/auth/otp', { data: { phone } })
  expect(sent.status()).toBe(200)
  const verified = await citizenCtx.request.post('/api/auth/otp/verify', { data: { phone, code: ((await sent.json()) as { devCode: string }).devCode } })
  expect(verified.status()).toBe(200)
  const csrf = ((await verified.json()) as { csrfToken: string }).csrfToken

  // A name with markup is refused outright; one with quotes, an ampersand and an RTL mark is kept.
  expect((await api(citizenCtx.request, csrf, 'PATCH', '/api/me/profile', { name: IMG })).status).toBe(400)
  expect((await api(citizenCtx.request, csrf, 'PATCH', '/api/me/profile', { name: `张"三'&\u200F李` })).status).toBe(200)

  const report = await api(citizenCtx.request, csrf, 'POST', '/api/reports', {
    kind: 'congestion',
    lat: 30.6702,
    lng: 104.0601,
    locationSource: 'gps',
    address: `春熙路 ${SVG}`,
    roadName: '春熙路',
    description: `路口拥堵 ${IMG} ${SCRIPT}`,
  })
  expect(report.status, JSON.stringify(report.body)).toBe(201)
  reportId = report.body.id
  reportNumber = report.body.number

  const adminCsrf = await staffLogin(staffCtx, 'admin')
  const imported = await api(staffCtx.request, adminCsrf, 'POST', '/api/tickets/import', {
    tickets: [
      {
        decisionNo,
        plate,
        occurredAt: '2026-03-01 08:30',
        place: '人民南路与锦江大道交叉口',
        violationCode: '16250',
        violationDesc: '驾驶机动车违反道路交通信号灯通行',
        fineYuan: 200,
        points: 6,
        unit: '城区一大队',
        officerName: '张路警',
        officerNo: '051234',
        recordedBy: 'camera',
      },
    ],
  })
  expect(imported.status, JSON.stringify(imported.body)).toBe(200)
  const form = {
    decisionNo,
    plate,
    grounds: 'camera_misread',
    statement: `抓拍照片中的车辆不是我的车 ${IMG} ${SCRIPT}`,
    contactPhone: phone,
  }
  const appeal = await citizenCtx.request.post('/api/appeals', { multipart: form, headers: { 'x-csrf-token': csrf } })
  expect(appeal.status(), await appeal.text()).toBe(201)
  appealId = ((await appeal.json()) as { id: string }).id

  const dispatcherCsrf = await staffLogin(staffCtx, 'dispatcher')
  const note = await api(staffCtx.request, dispatcherCsrf, 'POST', `/api/console/reports/${reportId}/notes`, { text: `内部备注 ${IMG}` })
  expect(note.status, JSON.stringify(note.body)).toBe(200)
  await staffLogin(legalCtx, 'legal')
}, 120_000)

afterAll(async () => {
  await browser?.close()
})

describe('stored XSS', () => {
  it('citizen H5: report detail and list, appeal detail and profile show the payloads as text', async () => {
    const page = await citizenCtx.newPage()
    await page.goto(`/reports/${reportId}`)
    await page.getByText('路口拥堵', { exact: false }).first().waitFor()
    await assertInert(page, [IMG, SCRIPT])
    await screenshot(page, 'xss-citizen-report')
    await page.goto('/reports')
    await page.getByText(reportNumber, { exact: false }).first().waitFor()
    await assertInert(page, [])
    await page.goto(`/appeals/${appealId}`)
    await page.getByText('抓拍照片中的车辆不是我的车', { exact: false }).first().waitFor()
    await assertInert(page, [IMG])
    await screenshot(page, 'xss-citizen-appeal')
    await page.goto('/me/profile')
    await page.waitForLoadState('networkidle')
    await assertInert(page, [])
    await page.close()
  })

  it('console: the report drawer (with the internal note) and the appeal review page', async () => {
    const page = await staffCtx.newPage()
    await page.goto('/console/reports')
    const row = page.locator('[data-test=row-number]', { hasText: reportNumber })
    await row.first().waitFor({ timeout: 30_000 })
    await row.first().click()
    await page.getByText('路口拥堵', { exact: false }).first().waitFor()
    await assertInert(page, [IMG, SCRIPT])
    await screenshot(page, 'xss-console-report')
    const legal = await legalCtx.newPage()
    await legal.goto(`/console/appeals/${appealId}`)
    await legal.getByText('抓拍照片中的车辆不是我的车', { exact: false }).first().waitFor({ timeout: 30_000 })
    await assertInert(legal, [IMG])
    await screenshot(legal, 'xss-console-appeal')
    await page.close()
    await legal.close()
  })
})

describe('framing', () => {
  it('another origin cannot frame the console; the portal itself can', async () => {
    const ctx = await desktopContext(browser)
    const base = baseUrl()
    const frameHtml = `<!doctype html><title>frame</title><iframe id="f" src="${base}/console/" width="800" height="600"></iframe>`
    // A page on a foreign origin, and one on the portal's own origin, both served by the browser.
    await ctx.route('http://evil.example/**', (r) => r.fulfill({ contentType: 'text/html', body: frameHtml }))
    await ctx.route(`${base}/__frame-test`, (r) => r.fulfill({ contentType: 'text/html', body: frameHtml }))
    const foreign = await ctx.newPage()
    await foreign.goto('http://evil.example/')
    await foreign.waitForTimeout(1500)
    const foreignFrame = foreign.frames().find((f) => f !== foreign.mainFrame())
    const foreignLoaded = foreignFrame ? await foreignFrame.evaluate(() => document.querySelector('#app') !== null).catch(() => false) : false
    // Blocked: Chromium shows its error page in the frame instead of the console.
    expect(foreignFrame).toBeDefined()
    expect(foreignLoaded).toBe(false)

    const own = await ctx.newPage()
    await own.goto(`${base}/__frame-test`)
    const ownFrame = own.frameLocator('#f')
    await ownFrame.locator('body').waitFor()
    expect(await ownFrame.locator('#app').count()).toBeGreaterThan(0)
    await ctx.close()
  })
})
