import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkConsistency } from '@tp/server/backup'
import { loadConfig } from '@tp/server/config'
import { createStorage } from '@tp/server/platform/deps'
import { files } from '@tp/server/platform/platform.tables'
import { localStorage, MissingObjectError, type Storage } from '@tp/server/platform/storage'
import { type S3Settings, s3Storage } from '@tp/server/platform/storage-s3'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp } from '../support/app'
import { citizen } from '../support/client'
import { jpeg, upload } from './reports-support'
import { type FakeS3, startFakeS3 } from './storage-fake-s3'

/**
 * One contract for every file store: the local directory, and an S3-compatible bucket served on
 * loopback by a fake endpoint that checks each request's SigV4 signature (storage-fake-s3.ts).
 */

// A busy machine can slow the app's first request: generous per-test time.
vi.setConfig({ testTimeout: 120_000 })

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tp-storage-'))
  dirs.push(d)
  return d
}

let fake: FakeS3
let s3: S3Settings
let s3Env: Record<string, string>
beforeAll(async () => {
  fake = await startFakeS3()
  const { endpoint, bucket, region, accessKeyId, secretAccessKey } = fake
  s3 = { endpoint, bucket, region, accessKeyId, secretAccessKey, forcePathStyle: true }
  s3Env = {
    S3_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    S3_REGION: region,
    S3_ACCESS_KEY_ID: accessKeyId,
    S3_SECRET_ACCESS_KEY: secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  }
})
afterAll(async () => {
  await fake?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const stores: [string, () => Storage][] = [
  ['local directory', () => localStorage(tempDir())],
  ['S3-compatible bucket', () => s3Storage(s3)],
]

describe.each(stores)('storage contract: %s', (_name, make) => {
  let store: Storage
  beforeAll(() => {
    store = make()
  })

  it('stores bytes under a new key each time, and gives them back', async () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2, 255])
    const a = await store.put(bytes, 'jpg')
    const b = await store.put(bytes, 'jpg')
    expect(a).not.toBe(b)
    expect(a).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}\.jpg$/)
    expect(await store.get(a)).toEqual(bytes)
    expect(await store.exists(a)).toBe(true)
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251)
    // Compared as buffers: a deep equality walks 3 million elements one by one.
    expect(Buffer.from(await store.get(await store.put(big, 'pdf'))).equals(big)).toBe(true)
  })

  it('deletes, and a missing key is a MissingObjectError (deleting it again is not an error)', async () => {
    const key = await store.put(new Uint8Array([1, 2, 3]), 'pdf')
    await store.delete(key)
    expect(await store.exists(key)).toBe(false)
    await expect(store.get(key)).rejects.toBeInstanceOf(MissingObjectError)
    await expect(store.delete(key)).resolves.toBeUndefined()
  })

  it('keeps the extension to a short alphanumeric suffix', async () => {
    const key = await store.put(new Uint8Array([1]), '../../JPG?x=1')
    expect(key).toMatch(/\.jpgx1$/)
    expect(await store.get(key)).toEqual(new Uint8Array([1]))
  })

  it('refuses keys it did not make: traversal, absolute paths, other buckets, queries', async () => {
    const key = await store.put(new Uint8Array([7]), 'jpg')
    for (const bad of ['../secret', '/etc/passwd', `${key}/../../other-bucket/x.jpg`, `${key}?acl`, `../${key}`, `${key.replace('/', '\\')}`, '']) {
      await expect(store.get(bad)).rejects.toThrow('invalid storage key')
      await expect(store.exists(bad)).rejects.toThrow('invalid storage key')
      await expect(store.delete(bad)).rejects.toThrow('invalid storage key')
    }
    expect(await store.get(key)).toEqual(new Uint8Array([7]))
  })
})

describe('S3-compatible bucket', () => {
  it('is refused with a wrong secret: the store checks the signature', async () => {
    const wrong = s3Storage({ ...s3, secretAccessKey: 'not-the-secret' })
    const stored = fake.objects.size
    await expect(wrong.put(new Uint8Array([1]), 'jpg')).rejects.toThrow(/HTTP 403.*SignatureDoesNotMatch/s)
    expect(fake.objects.size).toBe(stored)
    const key = await s3Storage(s3).put(new Uint8Array([1]), 'jpg')
    await expect(wrong.get(key)).rejects.toThrow(/HTTP 403.*SignatureDoesNotMatch/s)
    await expect(s3Storage({ ...s3, region: 'us-east-1' }).get(key)).rejects.toThrow(/HTTP 400.*AuthorizationHeaderMalformed/s)
    // Answered at once: a refusal is not retried.
    expect(fake.log.slice(-3)).toEqual(['PUT 200', 'GET 403', 'GET 400'])
  })

  it('is chosen by S3_BUCKET; the settings are validated together', () => {
    expect(createStorage(loadConfig(s3Env)).where).toBe('s3://portal-files')
    expect(createStorage(loadConfig({ DATA_DIR: '/tmp/x' })).where).toBe('/tmp/x/files')
    expect(() => loadConfig({ ...s3Env, S3_SECRET_ACCESS_KEY: '' })).toThrow('S3_SECRET_ACCESS_KEY required with S3_BUCKET')
    expect(() => loadConfig({ S3_ENDPOINT: s3.endpoint })).toThrow('S3_BUCKET is required')
    expect(() => loadConfig({ ...s3Env, S3_ENDPOINT: 'not a url' })).toThrow('S3_ENDPOINT')
  })

  it('serves the portal: an uploaded photo lands in the bucket, is served back, and db:check sees it there', async () => {
    const t = await createTestApp({ env: s3Env })
    try {
      const me = await citizen(t, '13600000301')
      const res = await upload(me, await jpeg(), 'car.jpg')
      expect(res.status).toBe(201)
      const [row] = await t.deps.database.db.select().from(files).where(eq(files.id, res.body.id))
      const bucket = s3Storage(s3)
      const stored = await bucket.get(row!.storageKey)
      expect(stored.subarray(0, 3)).toEqual(new Uint8Array([0xff, 0xd8, 0xff]))
      const served = await t.app.request(`/api/reports/files/${res.body.id}`, { headers: { cookie: me.cookie, 'x-test-ip': me.ip } })
      expect(served.status).toBe(200)
      expect(Buffer.from(await served.arrayBuffer()).equals(stored)).toBe(true)

      expect((await checkConsistency(t.deps.database, t.deps.storage)).problems).toEqual([])
      await bucket.delete(row!.thumbKey!)
      const { problems } = await checkConsistency(t.deps.database, t.deps.storage)
      expect(problems).toEqual([expect.stringContaining(`stored file missing from s3://portal-files: 1 (${row!.thumbKey})`)])
    } finally {
      await t.close()
    }
  })
})
