import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { inject } from 'vitest'

export const ARTIFACTS = resolve(import.meta.dirname, '../.artifacts')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const baseUrl = () => inject('baseUrl')

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
}

/** A phone: 375×812, touch, a WeChat-like user agent, Chinese locale. */
export async function mobileContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: baseUrl(),
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50 NetType/WIFI Language/zh_CN',
  })
}

export async function desktopContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl(), viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** Reads the development sign-in code the API returns (never returned in production). */
export async function requestDevCode(phone: string): Promise<string> {
  const res = await fetch(`${baseUrl()}/api/auth/otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': phone },
    body: JSON.stringify({ phone }),
  })
  const body = (await res.json()) as { devCode?: string }
  if (!body.devCode) throw new Error(`no devCode: ${res.status} ${JSON.stringify(body)}`)
  return body.devCode
}

/** The China wall-clock date (YYYY-MM-DD) of an instant. */
export const chinaDate = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10)

/** How long the hall journeys may wait for midnight (see `untilTodaysSlotsRemain`), plus their own run. */
export const HALL_JOURNEY_TIMEOUT_MS = 35 * 60_000

/**
 * The hall journeys book the next half-hour slot and check in at once, on the real clock. From 23:30
 * China time the next slot is tomorrow's, and check-in takes only today's bookings (the queue is per
 * day): wait for midnight then — at most 30 minutes, and only in that half hour.
 */
export async function untilTodaysSlotsRemain(): Promise<void> {
  const china = new Date(Date.now() + 8 * 3600_000)
  if (china.getUTCHours() !== 23 || china.getUTCMinutes() < 30) return
  const midnight = Date.UTC(china.getUTCFullYear(), china.getUTCMonth(), china.getUTCDate() + 1) - 8 * 3600_000
  await new Promise((r) => setTimeout(r, midnight - Date.now() + 5_000))
}
