import { createHash } from 'node:crypto'
import { AwsClient } from 'aws4fetch'
import { checkKey, MissingObjectError, newKey, type Storage } from './storage'

export interface S3Settings {
  /** e.g. https://s3.example.internal:9000 or https://s3.cn-north-1.amazonaws.com.cn */
  endpoint: string
  bucket: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** https://endpoint/bucket/key (MinIO and most self-hosted stores) instead of https://bucket.endpoint/key. */
  forcePathStyle: boolean
}

const TIMEOUT_MS = 30_000

/** An S3-compatible bucket, requests signed with SigV4 by aws4fetch (retried on 5xx and throttling). */
export function s3Storage(s: S3Settings): Storage {
  const client = new AwsClient({ accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region, service: 's3', retries: 3 })
  const endpoint = new URL(s.endpoint)
  const base = s.forcePathStyle
    ? `${endpoint.origin}${endpoint.pathname.replace(/\/+$/, '')}/${encodeURIComponent(s.bucket)}`
    : `${endpoint.protocol}//${s.bucket}.${endpoint.host}${endpoint.pathname.replace(/\/+$/, '')}`
  const urlOf = (key: string) => `${base}/${checkKey(key)}`
  const call = async (method: string, key: string, init: { body?: Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {}) => {
    const res = await client.fetch(urlOf(key), { method, ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
    if (res.status === 404 && method !== 'PUT') {
      await res.body?.cancel()
      throw new MissingObjectError(key)
    }
    if (!res.ok) {
      const text = (await res.text()).slice(0, 300)
      throw new Error(`S3 ${method} ${key}: HTTP ${res.status} ${text}`)
    }
    return res
  }
  return {
    where: `s3://${s.bucket}`,
    async put(bytes, ext) {
      const key = newKey(ext)
      // The payload's hash is signed, so the store refuses bytes altered on the way.
      const sha = createHash('sha256').update(bytes).digest('hex')
      // A view on the same memory (fetch's body type rules out a shared buffer, which uploads never are).
      const body = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength)
      const res = await call('PUT', key, { body, headers: { 'x-amz-content-sha256': sha } })
      await res.body?.cancel()
      return key
    },
    async get(key) {
      const res = await call('GET', key)
      return new Uint8Array(await res.arrayBuffer())
    },
    async exists(key) {
      try {
        await call('HEAD', key)
        return true
      } catch (err) {
        if (err instanceof MissingObjectError) return false
        throw err
      }
    },
    async delete(key) {
      try {
        const res = await call('DELETE', key)
        await res.body?.cancel()
      } catch (err) {
        if (!(err instanceof MissingObjectError)) throw err
      }
    },
  }
}
