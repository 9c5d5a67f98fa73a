import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

/** The repository root: relative paths in configuration are resolved against it. */
export const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((v) => v === 'true' || v === '1')
  .optional()

const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().default('./data'),
  WEB_DIST: z.string().default('./web/dist'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seed demo data into an empty database (default on, except in production). */
  SEED_DEMO: bool,
  DEMO_PASSWORD: z.string().min(8).default('demo12345'),
  STAFF_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  CITIZEN_SESSION_DAYS: z.coerce.number().int().min(1).default(30),
  BODY_LIMIT_MB: z.coerce.number().min(1).default(25),
  /** Origins allowed to frame the pages (the WeChat mini-program web-view). */
  FRAME_ANCESTORS: z.string().default('https://servicewechat.com'),
  SMS_PROVIDER: z.enum(['dev', 'http']).default('dev'),
  SMS_HTTP_URL: z.string().url().optional(),
  SMS_HTTP_TOKEN: z.string().optional(),
  WECHAT_APPID: z.string().optional(),
  WECHAT_SECRET: z.string().optional(),
  WECHAT_OAUTH_BASE: z.string().url().default('https://open.weixin.qq.com'),
  WECHAT_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  /** Behind a reverse proxy: take the client address from the last X-Forwarded-For hop (rate limits, audit). */
  TRUST_PROXY: bool,
  /** The portal's public origin (e.g. https://jj.example.gov.cn), used for the WeChat redirect_uri. */
  PUBLIC_URL: z.string().url().optional(),
  /** Read-only PostgreSQL replica for console reports and statistics (default: the primary). */
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** Uploaded files in an S3-compatible bucket instead of DATA_DIR/files (all of S3_* but the region and path style are then required). */
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** https://endpoint/bucket/key (MinIO, most self-hosted stores) instead of https://bucket.endpoint/key. */
  S3_FORCE_PATH_STYLE: bool,
})

export type Config = ReturnType<typeof loadConfig>

/** Reads and validates the environment once; nothing else reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // An empty variable (e.g. `DATABASE_URL=`) means unset.
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')))
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  const production = e.NODE_ENV === 'production'
  if (e.SMS_PROVIDER === 'http' && !e.SMS_HTTP_URL) throw new Error('Invalid configuration: SMS_HTTP_URL is required with SMS_PROVIDER=http')
  if (e.DATABASE_REPLICA_URL && !e.DATABASE_URL) throw new Error('Invalid configuration: DATABASE_REPLICA_URL needs DATABASE_URL (a replica of PostgreSQL)')
  const s3Missing = (['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((k) => !e[k])
  if (e.S3_BUCKET && s3Missing.length) throw new Error(`Invalid configuration: ${s3Missing.join(', ')} required with S3_BUCKET`)
  if (!e.S3_BUCKET && s3Missing.length < 3) throw new Error('Invalid configuration: S3_BUCKET is required with the other S3_* settings')
  return {
    env: e.NODE_ENV,
    production,
    /** Development conveniences (OTP code in the response) are on only here. */
    development: e.NODE_ENV === 'development',
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databaseReplicaUrl: e.DATABASE_REPLICA_URL,
    dataDir: resolve(ROOT_DIR, e.DATA_DIR),
    webDist: resolve(ROOT_DIR, e.WEB_DIST),
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO ?? !production,
    demoPassword: e.DEMO_PASSWORD,
    staffIdleMs: e.STAFF_IDLE_MINUTES * 60_000,
    citizenSessionMs: e.CITIZEN_SESSION_DAYS * 86_400_000,
    bodyLimitBytes: Math.round(e.BODY_LIMIT_MB * 1024 * 1024),
    frameAncestors: e.FRAME_ANCESTORS.split(/[\s,]+/).filter(Boolean),
    sms: { provider: e.SMS_PROVIDER, url: e.SMS_HTTP_URL, token: e.SMS_HTTP_TOKEN },
    trustProxy: e.TRUST_PROXY ?? false,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    /** Uploaded files in an S3-compatible bucket; null: in DATA_DIR/files. */
    s3:
      e.S3_BUCKET && e.S3_ENDPOINT && e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? {
            endpoint: e.S3_ENDPOINT,
            bucket: e.S3_BUCKET,
            region: e.S3_REGION,
            accessKeyId: e.S3_ACCESS_KEY_ID,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY,
            forcePathStyle: e.S3_FORCE_PATH_STYLE ?? false,
          }
        : null,
    /** WeChat sign-in (网页授权 snsapi_base) is off unless both the AppID and the secret are set. */
    wechat:
      e.WECHAT_APPID && e.WECHAT_SECRET
        ? { appId: e.WECHAT_APPID, secret: e.WECHAT_SECRET, oauthBase: e.WECHAT_OAUTH_BASE.replace(/\/+$/, ''), apiBase: e.WECHAT_API_BASE.replace(/\/+$/, '') }
        : null,
  }
}
