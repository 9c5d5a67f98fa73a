import { readExifGps } from '@tp/shared/reports/index'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { congestion, jpeg, png, pngBomb, upload, webp } from './reports-support'

// A busy machine (other suites, builds) can slow every request: generous per-test time.
vi.setConfig({ testTimeout: 120_000 })

let t: TestApp
let me: Client
beforeAll(async () => {
  t = await createTestApp({ seed: true })
  me = await citizen(t, '13600000201')
}, 240_000)
afterAll(() => t?.close())

describe('photo validation', () => {
  it('refuses a text file named .jpg (415)', async () => {
    const res = await upload(me, new TextEncoder().encode('this is not a photo, just text'), 'car.jpg', 'image/jpeg')
    expect(res.status).toBe(415)
    expect(res.body.error.code).toBe('unsupported_file_type')
  })

  it('refuses an empty file (400)', async () => {
    const res = await upload(me, new Uint8Array(), 'empty.jpg')
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('empty_file')
  })

  it('refuses a 20 MB file (413)', async () => {
    const big = new Uint8Array(20 * 1024 * 1024)
    big.set(await jpeg())
    const res = await upload(me, big, 'huge.jpg')
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('file_too_large')
  })

  it('judges by content, not the declared type: a PDF sent as image/jpeg is refused (415)', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n')
    const res = await upload(me, pdf, 'scan.jpg', 'image/jpeg')
    expect(res.status).toBe(415)
  })

  it('accepts a real PNG declared with a wrong type, and WebP', async () => {
    expect((await upload(me, await png(), 'x.gif', 'application/octet-stream')).status).toBe(201)
    expect((await upload(me, await webp(), 'x.webp', 'image/webp')).status).toBe(201)
  })

  it('refuses a decompression bomb (400 megapixels in a small PNG) with 413', async () => {
    const bomb = pngBomb()
    expect(bomb.byteLength).toBeLessThan(2 * 1024 * 1024)
    const res = await upload(me, bomb, 'bomb.png', 'image/png')
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('image_too_large')
  })

  it('refuses an unreadable HEIC (415)', async () => {
    const fake = new Uint8Array(64)
    fake.set([0, 0, 0, 24], 0)
    fake.set(new TextEncoder().encode('ftypheic'), 4)
    fake.set(new TextEncoder().encode('mif1heic'), 16)
    const res = await upload(me, fake, 'IMG_0001.HEIC', 'image/heic')
    expect(res.status).toBe(415)
  })

  it('offers the EXIF GPS position and strips all metadata before storing', async () => {
    const withGps = await jpeg({ gps: { lat: 30.6702, lng: 104.0601 } })
    expect(readExifGps(withGps)).not.toBeNull()
    const res = await upload(me, withGps)
    expect(res.status).toBe(201)
    expect(res.body.gps.lat).toBeCloseTo(30.6702, 4)
    expect(res.body.gps.lng).toBeCloseTo(104.0601, 4)
    expect(res.body).toMatchObject({ width: 64, height: 48 })
    const stored = await me.request('GET', res.body.url)
    expect(stored.headers.get('content-type')).toBe('image/jpeg')
    const full = await t.app.request(res.body.url, { headers: { cookie: me.cookie } })
    const bytes = new Uint8Array(await full.arrayBuffer())
    expect(bytes[0]).toBe(0xff)
    expect(readExifGps(bytes)).toBeNull()
    expect(Buffer.from(bytes).includes(Buffer.from('Exif\0\0'))).toBe(false)
    const thumb = await t.app.request(res.body.thumbUrl, { headers: { cookie: me.cookie } })
    expect(thumb.status).toBe(200)
  })

  it("keeps photos private: another citizen gets 404; staff see a report's photos in scope", async () => {
    const up = await upload(me, await jpeg())
    const r = await me.post('/api/reports', congestion({ photoIds: [up.body.id] }))
    expect(r.status).toBe(201)
    expect(r.body.photos).toHaveLength(1)
    const other = await citizen(t, '13600000202')
    expect((await other.get(up.body.url)).status).toBe(404)
    const dispatcher = await staffUser(t, 'dispatcher')
    const res = await t.app.request(up.body.url, { headers: { cookie: dispatcher.cookie } })
    expect(res.status).toBe(200)
    const officer2 = await staffUser(t, 'officer2')
    expect((await t.app.request(up.body.url, { headers: { cookie: officer2.cookie } })).status).toBe(404)
  })

  it("refuses someone else's or an already used photo, and more than nine", async () => {
    const other = await citizen(t, '13600000203')
    const theirs = await upload(other, await jpeg())
    const res = await me.post('/api/reports', congestion({ photoIds: [theirs.body.id] }))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_photos')
    const up = await upload(me, await jpeg())
    expect((await me.post('/api/reports', congestion({ photoIds: [up.body.id] }))).status).toBe(201)
    expect((await me.post('/api/reports', congestion({ photoIds: [up.body.id] }))).status).toBe(400)
    const ten = Array.from({ length: 10 }, () => up.body.id)
    expect((await me.post('/api/reports', congestion({ photoIds: ten }))).status).toBe(400)
  })

  it('needs at least one photo for a zombie car', async () => {
    const res = await me.post('/api/reports', {
      kind: 'zombie_car',
      lat: 30.6819,
      lng: 104.0912,
      locationSource: 'gps',
      address: '建设北路',
      description: '车辆长期停放',
      plate: '川A8C5D2',
      attributes: { parked_for: 'gt30d' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.details[0].path).toBe('body.photoIds')
  })
})
