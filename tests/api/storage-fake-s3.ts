import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'

/**
 * A minimal S3-compatible endpoint on loopback for the storage tests: path-style PUT/GET/HEAD/DELETE
 * of objects in one bucket, kept in memory. Every request must carry a valid AWS Signature V4
 * (recomputed here from the spec with the same secret, independently of the client library) and,
 * when it signs the payload, a body whose SHA-256 matches — otherwise 403 SignatureDoesNotMatch /
 * 400 XAmzContentSHA256Mismatch, as S3 answers.
 */
export interface FakeS3 {
  endpoint: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  region: string
  objects: Map<string, Buffer>
  /** Requests answered, e.g. 'PUT 200'. */
  log: string[]
  close(): Promise<void>
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()

function verifySigV4(req: IncomingMessage, body: Buffer, s: { accessKeyId: string; secretAccessKey: string; region: string }): string | null {
  const auth = req.headers.authorization ?? ''
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth)
  if (!m) return 'AccessDenied'
  const [, keyId, date, region, signedHeaders, signature] = m as unknown as string[]
  if (keyId !== s.accessKeyId) return 'InvalidAccessKeyId'
  const amzDate = String(req.headers['x-amz-date'] ?? '')
  if (region !== s.region || !amzDate.startsWith(date as string)) return 'AuthorizationHeaderMalformed'
  const names = (signedHeaders as string).split(';')
  if (!names.includes('host') || !names.includes('x-amz-date')) return 'AccessDenied'
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '')
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return 'XAmzContentSHA256Mismatch'
  const url = new URL(req.url ?? '/', 'http://x')
  const query = [...url.searchParams]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => (a as string).localeCompare(b as string))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const headers = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('')
  const canonical = [req.method, url.pathname, query, headers, signedHeaders, payloadHash].join('\n')
  const scope = `${date}/${region}/s3/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
  const key = hmac(hmac(hmac(hmac(`AWS4${s.secretAccessKey}`, date as string), region as string), 's3'), 'aws4_request')
  const expected = hmac(key, toSign)
  return timingSafeEqual(expected, Buffer.from(signature as string, 'hex')) ? null : 'SignatureDoesNotMatch'
}

export async function startFakeS3(): Promise<FakeS3> {
  const s = { bucket: 'portal-files', accessKeyId: 'test-key-id', secretAccessKey: 'test-secret-0123456789', region: 'cn-north-1' }
  const objects = new Map<string, Buffer>()
  const log: string[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks)
    const answer = (status: number, code?: string, payload?: Buffer) => {
      log.push(`${req.method} ${status}`)
      const out = payload ?? (code ? Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`) : Buffer.alloc(0))
      res.writeHead(status, { 'content-length': out.length, ...(code ? { 'content-type': 'application/xml' } : {}) })
      res.end(req.method === 'HEAD' ? undefined : out)
    }
    const refused = verifySigV4(req, body, s)
    if (refused) return answer(refused === 'XAmzContentSHA256Mismatch' || refused === 'AuthorizationHeaderMalformed' ? 400 : 403, refused)
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const prefix = `/${s.bucket}/`
    if (!path.startsWith(prefix)) return answer(404, 'NoSuchBucket')
    const key = decodeURIComponent(path.slice(prefix.length))
    if (req.method === 'PUT') {
      objects.set(key, body)
      return answer(200)
    }
    if (req.method === 'DELETE') {
      objects.delete(key)
      return answer(204)
    }
    const object = objects.get(key)
    if (!object) return answer(404, 'NoSuchKey')
    if (req.method === 'GET' || req.method === 'HEAD') return answer(200, undefined, object)
    return answer(405, 'MethodNotAllowed')
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as { port: number }
  return {
    ...s,
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    log,
    close: () => new Promise((ok) => server.close(() => ok())),
  }
}
