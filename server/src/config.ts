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
  return {
    env: e.NODE_ENV,
    production,
    /** Development conveniences (OTP code in the response) are on only here. */
    development: e.NODE_ENV === 'development',
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
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
    /** WeChat sign-in (网页授权 snsapi_base) is off unless both the AppID and the secret are set. */
    wechat:
      e.WECHAT_APPID && e.WECHAT_SECRET
        ? { appId: e.WECHAT_APPID, secret: e.WECHAT_SECRET, oauthBase: e.WECHAT_OAUTH_BASE.replace(/\/+$/, ''), apiBase: e.WECHAT_API_BASE.replace(/\/+$/, '') }
        : null,
  }
}
