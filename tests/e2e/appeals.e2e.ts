/// <reference lib="dom" />
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, desktopContext, launch, mobileContext, screenshot } from './browser'

/**
 * The appeal journey end to end in Chromium: a citizen on a phone (375×812) appeals a ticket with
 * a photo; the legal officer accepts and asks for material; the citizen supplies it (the clock
 * pauses and resumes); the officer revokes; the unit head approves; the citizen sees the decision
 * and the reply letter; the ticket shows revoked. The ticket itself comes in through the import
 * API, as the police system would send it.
 */
let browser: Browser
let citizenCtx: BrowserContext
let officerCtx: BrowserContext
let headCtx: BrowserContext
let citizen: Page
let officer: Page
let head: Page

const stamp = String(Date.now())
const phone = `1360001${stamp.slice(-4)}`
const decisionNo = `5101049${stamp.slice(-10)}`
// A fresh plate per run: 川A + one letter + four digits.
const plate = `川AE${stamp.slice(-4)}`
let appealId = ''
let appealNumber = ''

function crc32(buf: Buffer): number {
  let c = ~0
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return ~c >>> 0
}

/** A small real PNG (a "photo" of the parked car), made without image libraries. */
function photo(w = 64, h = 48): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td))
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([60 + x * 2, 90 + y * 2, 160], y * (w * 3 + 1) + 1 + x * 3)
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

async function consoleSignIn(page: Page, username: string) {
  await page.goto('/console/login')
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill('demo12345')
  await page.locator('[data-test="submit"]').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/console/login'))
}

async function confirmMessageBox(page: Page) {
  await page.locator('.el-message-box__btns .el-button--primary').click()
}

const state = (page: Page, test: string) => page.locator(`[data-test="${test}"]`)

beforeAll(async () => {
  browser = await launch()
  citizenCtx = await mobileContext(browser)
  officerCtx = await desktopContext(browser)
  headCtx = await desktopContext(browser)
  citizen = await citizenCtx.newPage()
  officer = await officerCtx.newPage()
  head = await headCtx.newPage()

  // The police system's batch, sent here with an admin session (the API also takes an API key).
  const req = (await desktopContext(browser)).request
  const login = await req.post('/api/auth/staff/login', { data: { username: 'admin', password: 'demo12345' } })
  expect(login.status()).toBe(200)
  const csrf = ((await login.json()) as { csrfToken: string }).csrfToken
  const res = await req.post('/api/tickets/import', {
    headers: { 'x-csrf-token': csrf },
    data: {
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
          evidenceRef: 'CAM-0211-E2E',
        },
      ],
    },
  })
  expect(res.status(), await res.text()).toBe(200)
})

afterAll(async () => {
  await browser?.close()
})

describe('appeal journey', () => {
  it('citizen (375×812) finds the ticket and appeals it with a photo', async () => {
    await citizen.goto('/appeals')
    await citizen.waitForURL(/\/login\?redirect=/)
    await citizen.locator('input[name="phone"]').fill(phone)
    await citizen.locator('[data-test="send-code"]').click()
    const dev = await citizen.locator('[data-test="dev-code"]').textContent()
    await citizen.locator('input[name="code"]').fill(/\d{6}/.exec(dev ?? '')?.[0] as string)
    await citizen.locator('[data-test="submit"]').click()
    await citizen.waitForURL((u) => u.pathname === '/appeals')

    await citizen.locator('[data-test="lookup-decision"] input').fill(decisionNo)
    await citizen.locator('[data-test="lookup-plate"] input').fill(plate)
    await citizen.locator('[data-test="lookup-submit"]').click()
    await citizen.locator('[data-test="lookup-result"]').waitFor()
    await screenshot(citizen, 'appeals-1-citizen-ticket')
    await citizen.locator('[data-test="lookup-result"] [data-test="ticket-appeal"]').click()
    await citizen.waitForURL(/\/appeals\/new\?ticket=/)

    await citizen.locator('[data-test="citation"]').waitFor()
    await citizen.locator('[data-test="grounds-camera_misread"]').click()
    await citizen.locator('[data-test="statement"] textarea').fill('抓拍照片中的车辆不是我的车：我的车是白色轿车，照片里是深色SUV，号牌尾号识别有误。')
    await citizen.locator('[data-test="evidence"] input[type="file"]').setInputFiles({ name: 'my-car.png', mimeType: 'image/png', buffer: photo() })
    await citizen.locator('.van-uploader__preview').first().waitFor()
    await citizen.locator('[data-test="contact-phone"] input').fill(phone)
    await screenshot(citizen, 'appeals-2-citizen-form')
    await citizen.locator('[data-test="submit"]').click()
    await citizen.locator('.van-dialog__confirm').click()
    await citizen.waitForURL(/\/appeals\/[0-9a-f-]{36}$/)
    appealId = citizen.url().split('/').pop() as string
    appealNumber = (await state(citizen, 'case-number').textContent()) as string
    expect(appealNumber).toMatch(/^SS\d{14,}$/)
    expect(await state(citizen, 'state').textContent()).toBe('待受理')
    await state(citizen, 'due-date').waitFor()
    // Nothing wider than the phone.
    const { scroll, inner } = await citizen.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
    expect(scroll).toBeLessThanOrEqual(inner)
    await screenshot(citizen, 'appeals-3-citizen-tracker-submitted')
  })

  it('legal officer sees it in the queue, accepts it and asks for more material', async () => {
    await consoleSignIn(officer, 'legal')
    await officer.goto(`/console/appeals?q=${appealNumber}`)
    await officer.locator('[data-test="queue-counts"]').waitFor()
    await officer.locator('[data-test="row-number"]', { hasText: appealNumber }).waitFor()
    await screenshot(officer, 'appeals-4-console-queue')
    await officer.locator('[data-test="row-number"]', { hasText: appealNumber }).click()
    await officer.waitForURL(`**/console/appeals/${appealId}`)
    await state(officer, 'review-ticket').waitFor()
    // The issuing officer and the evidence are on the review page.
    expect(await state(officer, 'review-ticket').textContent()).toContain('张路警（警号 051234）')
    await state(officer, 'citizen-image').first().waitFor()

    await officer.locator('[data-test="act-accept"] .el-select').click()
    await officer.locator('.el-select-dropdown__item', { hasText: '分派给我' }).click()
    await state(officer, 'accept-submit').click()
    await officer.locator('[data-test="review-state"]', { hasText: '审查中' }).waitFor()
    expect(await state(officer, 'review-assignee').textContent()).toBe('刘法制')

    await officer.locator('textarea[data-test="material-items"]').fill('请补充：违法时段车辆停放位置的证明（如小区物业出入记录截图）。')
    await state(officer, 'material-submit').click()
    await officer.locator('[data-test="review-state"]', { hasText: '待补充材料' }).waitFor()
    await state(officer, 'review-paused').waitFor()
    await screenshot(officer, 'appeals-5-console-material-requested')
  })

  it('citizen supplies the material in the app: the clock pauses, then resumes', async () => {
    await citizen.reload()
    await state(citizen, 'material-request').waitFor()
    await state(citizen, 'paused').waitFor()
    expect(await state(citizen, 'days-left').count()).toBe(0)
    const pausedDue = await state(citizen, 'due-date').textContent()
    await screenshot(citizen, 'appeals-6-citizen-material-requested')
    await citizen.locator('[data-test="supply-note"] textarea').fill('已上传小区物业出具的车辆出入记录截图。')
    await citizen
      .locator('[data-test="supply-files"] input[type="file"]')
      .setInputFiles({ name: 'parking-record.png', mimeType: 'image/png', buffer: photo(80, 60) })
    await citizen.locator('[data-test="supply-files"] .van-uploader__preview').first().waitFor()
    await state(citizen, 'supply-submit').click()
    await state(citizen, 'material-request').waitFor({ state: 'detached' })
    await state(citizen, 'paused').waitFor({ state: 'detached' })
    await state(citizen, 'days-left').waitFor()
    expect(await state(citizen, 'state').textContent()).toBe('审查中')
    // The resumed due date: a pause that starts and ends on one day costs the clock no day.
    expect(await state(citizen, 'due-date').textContent()).toBe(pausedDue)
    await screenshot(citizen, 'appeals-7-citizen-material-supplied')
  })

  it('legal officer revokes, with findings, a legal basis and a reply from the template', async () => {
    await officer.reload()
    await officer.locator('[data-test="review-state"]', { hasText: '审查中' }).waitFor()
    await officer.locator('textarea[data-test="findings"]').fill('经比对抓拍图片与申诉人提供的物业记录，违法时段涉案车辆并非申诉人车辆，系号牌识别错误')
    await officer.locator('[data-test="act-decide"] .el-radio-button', { hasText: '撤销' }).click()
    await officer.locator('.el-form-item', { hasText: '法律依据' }).locator('.el-select').click()
    await officer.locator('.el-select-dropdown__item:visible', { hasText: '第四十条' }).click()
    await officer.keyboard.press('Escape')
    const reply = await officer.locator('textarea[data-test="reply"]').inputValue()
    expect(reply).toContain(decisionNo)
    await screenshot(officer, 'appeals-8-console-decision')
    await state(officer, 'decision-submit').click()
    await confirmMessageBox(officer)
    await officer.locator('[data-test="review-state"]', { hasText: '审批中' }).waitFor()
    // The reviewer cannot approve their own revocation.
    expect(await state(officer, 'approve').count()).toBe(0)
  })

  it('unit head approves the revocation from the approvals page', async () => {
    await consoleSignIn(head, 'head')
    await head.goto('/console/')
    await head.locator('[data-test="appeals-widget"]').waitFor()
    await screenshot(head, 'appeals-9-console-dashboard')
    await head.goto('/console/appeals/approvals')
    await head.locator('[data-test="approvals-decisions"] .el-table__row', { hasText: appealNumber }).click()
    await head.waitForURL(`**/console/appeals/${appealId}`)
    await state(head, 'proposal').waitFor()
    await screenshot(head, 'appeals-10-console-approval')
    await state(head, 'approve').click()
    await head.locator('[data-test="review-state"]', { hasText: '已办结' }).waitFor()
    expect(await state(head, 'review-outcome').textContent()).toBe('撤销原处罚决定')
  })

  it('citizen sees the decision, the reply letter, and the ticket revoked', async () => {
    await citizen.reload()
    await state(citizen, 'outcome').waitFor()
    expect(await state(citizen, 'outcome').textContent()).toBe('撤销原处罚决定')
    expect(await state(citizen, 'state').textContent()).toBe('已办结')
    expect(await citizen.locator('[data-test="ticket-status"]').first().textContent()).toBe('已撤销')
    await screenshot(citizen, 'appeals-11-citizen-decided')
    await state(citizen, 'open-letter').click()
    await citizen.waitForURL(`**/appeals/${appealId}/letter`)
    await state(citizen, 'reply-letter').waitFor()
    const text = (await state(citizen, 'reply-letter').textContent()) ?? ''
    expect(text).toContain('答复告知书')
    expect(text).toContain('撤销原处罚决定')
    expect(text).toContain('60 日内')
    expect(text).toContain('6 个月内')
    await screenshot(citizen, 'appeals-12-citizen-letter')

    // The ticket list shows it revoked too.
    await citizen.goto('/appeals')
    await citizen.locator('[data-test="lookup-decision"] input').fill(decisionNo)
    await citizen.locator('[data-test="lookup-plate"] input').fill(plate)
    await citizen.locator('[data-test="lookup-submit"]').click()
    await citizen.locator('[data-test="lookup-result"] [data-test="ticket-status"]', { hasText: '已撤销' }).waitFor()
  })

  it('prints the reply letter on A4', async () => {
    await head.goto(`/console/appeals/${appealId}/letter`)
    await state(head, 'reply-letter').waitFor()
    await screenshot(head, 'appeals-13-console-letter')
    await head.emulateMedia({ media: 'print' })
    expect(await head.locator('.tp-letter-page__bar').isVisible()).toBe(false)
    const pdf = await head.pdf({ format: 'A4', printBackground: true })
    writeFileSync(join(ARTIFACTS, 'appeals-letter.pdf'), pdf)
    expect(pdf.byteLength).toBeGreaterThan(10_000)
  })
})
