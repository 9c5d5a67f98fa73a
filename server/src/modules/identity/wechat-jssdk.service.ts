import { createHash, randomBytes } from 'node:crypto'
import type { WechatJsConfig } from '@tp/shared'
import type { Ctx } from '../../platform/context'
import { AppError, notFound, unprocessable } from '../../platform/errors'
import { type WechatConfig, WechatError, wechatGet } from './wechat.service'

/**
 * The WeChat JS-SDK config (`wx.config`) for one page of the H5: the server holds the official
 * account's access_token and jsapi_ticket (each valid ~2 h, fetched at most once per expiry per
 * process and renewed 5 minutes early) and signs the page URL with the ticket, as WeChat documents:
 * sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…"). Off unless WECHAT_APPID/SECRET are set.
 */

const RENEW_EARLY_MS = 5 * 60_000
/** errcodes meaning "this access_token is no longer valid" (another process may have renewed it). */
const STALE_TOKEN = new Set([40001, 40014, 42001])

interface Expiring {
  value: string
  expiresAt: number
}

interface Answer {
  errcode?: number
  errmsg?: string
  expires_in?: number
}

/** Per API base and AppID: the current (or in-flight) access_token and jsapi_ticket. */
const tokens = new Map<string, Promise<Expiring>>()
const tickets = new Map<string, Promise<Expiring>>()

/** The cached value while it is fresh, else one fetch shared by everyone asking meanwhile. */
async function cached(map: Map<string, Promise<Expiring>>, key: string, now: number, fetch: () => Promise<Expiring>): Promise<string> {
  for (;;) {
    const hit = map.get(key)
    if (!hit) break
    const entry = await hit.catch(() => null)
    if (map.get(key) !== hit) continue
    if (entry && entry.expiresAt > now) return entry.value
    break
  }
  const pending = fetch()
  map.set(key, pending)
  pending.catch(() => map.get(key) === pending && map.delete(key))
  return (await pending).value
}

function expiring(value: string | undefined, answer: Answer, now: number): Expiring {
  if (!value) throw new WechatError(answer.errcode ? `errcode_${answer.errcode}` : 'empty_answer')
  return { value, expiresAt: now + (answer.expires_in ?? 7200) * 1000 - RENEW_EARLY_MS }
}

async function jsapiTicket(cfg: WechatConfig, now: number): Promise<string> {
  const key = `${cfg.apiBase} ${cfg.appId}`
  const token = () =>
    cached(tokens, key, now, async () => {
      const a = await wechatGet<Answer & { access_token?: string }>(
        `${cfg.apiBase}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(cfg.appId)}&secret=${encodeURIComponent(cfg.secret)}`,
      )
      return expiring(a.access_token, a, now)
    })
  const getTicket = async (accessToken: string) =>
    wechatGet<Answer & { ticket?: string }>(`${cfg.apiBase}/cgi-bin/ticket/getticket?access_token=${encodeURIComponent(accessToken)}&type=jsapi`)
  return cached(tickets, key, now, async () => {
    let a = await getTicket(await token())
    if (a.errcode && STALE_TOKEN.has(a.errcode)) {
      tokens.delete(key)
      a = await getTicket(await token())
    }
    return expiring(a.errcode ? undefined : a.ticket, a, now)
  })
}

export function jsSdkSignature(ticket: string, nonceStr: string, timestamp: number, url: string): string {
  return createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`).digest('hex')
}

export async function wechatJsConfig(ctx: Ctx, pageUrl: string): Promise<WechatJsConfig> {
  const cfg = ctx.deps.config.wechat
  if (!cfg) throw notFound('WeChat JS-SDK')
  const url = pageUrl.split('#')[0] as string
  const origin = ctx.deps.config.publicUrl
  if (origin && new URL(url).origin !== origin)
    throw unprocessable('url_not_allowed', 'Only pages of this portal can be signed', [{ path: 'query.url', message: `Must start with ${origin}/` }])
  const now = ctx.now().getTime()
  let ticket: string
  try {
    ticket = await jsapiTicket(cfg, now)
  } catch (err) {
    const reason = err instanceof WechatError ? err.reason : 'failed'
    ctx.deps.log.warn({ reason, requestId: ctx.requestId }, 'wechat jsapi_ticket unavailable')
    throw new AppError(503, 'wechat_unavailable', 'WeChat is not answering; please try again shortly', undefined, undefined, { 'Retry-After': '30' })
  }
  const nonceStr = randomBytes(12).toString('hex')
  const timestamp = Math.floor(now / 1000)
  return { appId: cfg.appId, timestamp, nonceStr, signature: jsSdkSignature(ticket, nonceStr, timestamp, url) }
}
