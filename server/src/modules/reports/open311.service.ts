import { createHash, randomBytes } from 'node:crypto'
import { PlateNumber } from '@tp/shared'
import { type KindConfig, publicLocation, publicText, ReportCreate } from '@tp/shared/reports/index'
import { and, desc, eq, gte, inArray, isNull, lte, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff, SYSTEM } from '../../platform/context'
import { AppError, notFound } from '../../platform/errors'
import { hit } from '../../platform/rate-limit'
import { searchPlaces } from './grids.service'
import { getKind, listKinds } from './kinds.service'
import { insertReport } from './reports.service'
import { open311Keys, reports } from './reports.tables'
import { type ReportJoined, selectReports } from './reports.view'

/** An Open311 failure: rendered as `[{"code","description"}]` (JSON) or `<errors>` (XML). */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 429 | 500,
    readonly description: string,
  ) {
    super(description)
  }
}

export type Lang = 'zh-CN' | 'en'

/** A W3C datetime in China time: 2026-03-02T10:00:00+08:00. */
export function w3c(d: Date | null | undefined): string | null {
  if (!d) return null
  return `${new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`
}

const STATE_NOTES: Record<string, { 'zh-CN': string; en: string }> = {
  submitted: { 'zh-CN': '已提交，等待受理', en: 'Submitted, awaiting acceptance' },
  accepted: { 'zh-CN': '已受理', en: 'Accepted' },
  dispatched: { 'zh-CN': '已派警处置', en: 'Officer dispatched' },
  on_scene: { 'zh-CN': '民警已到场', en: 'Officer on scene' },
  resolved: { 'zh-CN': '已处置', en: 'Resolved' },
  verified: { 'zh-CN': '已现场核实', en: 'Verified on site' },
  notice_posted: { 'zh-CN': '已张贴限期驶离告知', en: 'Notice to move posted' },
  towed: { 'zh-CN': '已拖移', en: 'Towed' },
  public_notice: { 'zh-CN': '公告招领中', en: 'Public notice to the owner' },
  moved: { 'zh-CN': '车辆已驶离', en: 'Moved by the owner' },
  returned: { 'zh-CN': '已发还车主', en: 'Returned to the owner' },
  disposed: { 'zh-CN': '已依法处置', en: 'Disposed of' },
  closed: { 'zh-CN': '已办结', en: 'Closed' },
  rejected: { 'zh-CN': '不予受理', en: 'Rejected' },
  withdrawn: { 'zh-CN': '上报人已撤回', en: 'Withdrawn by the reporter' },
  merged: { 'zh-CN': '重复上报，已合并', en: 'Duplicate, merged' },
}

export function toService(k: KindConfig, lang: Lang) {
  return {
    service_code: k.code,
    service_name: k.name[lang],
    description: k.description[lang],
    metadata: k.fields.length > 0,
    type: 'realtime' as const,
    keywords: k.keywords.join(','),
    group: k.group,
  }
}

export async function services(ctx: Ctx, lang: Lang) {
  return (await listKinds(ctx, { activeOnly: true })).map((k) => toService(k, lang))
}

export async function serviceDefinition(ctx: Ctx, code: string, lang: Lang) {
  const kind = (await listKinds(ctx, { activeOnly: true })).find((k) => k.code === code)
  if (!kind) throw new Open311Error(404, `service_code ${code} not found`)
  return {
    service_code: kind.code,
    attributes: kind.fields.map((f) => ({
      variable: true,
      code: f.code,
      datatype: f.type === 'plate' ? ('string' as const) : f.type === 'number' ? ('number' as const) : f.type,
      required: f.required,
      datatype_description: f.type === 'plate' ? (lang === 'en' ? 'Plate number, e.g. 川H12345 or 渝AD12345' : '号牌号码，如 川H12345、渝AD12345') : null,
      order: f.order,
      description: f.label[lang],
      ...(f.options ? { values: f.options.map((o) => ({ key: o.key, name: o[lang] })) } : {}),
    })),
  }
}

/** The public face of a report: no reporter, no photos, coarse location for open zombie cars. */
export function toRequest(r: ReportJoined, kinds: readonly KindConfig[], lang: Lang) {
  const kind = kinds.find((k) => k.code === r.kind)
  const loc = publicLocation(r.course, r.state, r)
  const open = r.stateType === 'open'
  const note = STATE_NOTES[r.state]?.[lang] ?? r.state
  return {
    service_request_id: r.number,
    status: open ? ('open' as const) : ('closed' as const),
    status_notes: r.statusNote && (r.state === 'rejected' || r.state === 'merged') ? `${note}: ${publicText(r.statusNote, r.plate)}` : note,
    service_name: kind?.name[lang] ?? r.kind,
    service_code: r.kind,
    description: publicText(r.description, r.plate).slice(0, 4000),
    agency_responsible: r.unitName ?? null,
    service_notice: null,
    requested_datetime: w3c(r.createdAt) as string,
    updated_datetime: w3c(r.updatedAt),
    expected_datetime: open ? w3c(r.dueAt) : null,
    address: loc.coarsened ? (r.roadName ?? null) : r.address,
    address_id: null,
    zipcode: null,
    lat: loc.lat,
    long: loc.lng,
    media_url: null,
  }
}

export interface RequestsQuery {
  service_request_id?: string
  service_code?: string
  start_date?: string
  end_date?: string
  status?: string
}

const list = (s?: string) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean) ?? []

function parseDate(s: string | undefined, name: string): Date | undefined {
  if (!s) return undefined
  const d = new Date(s)
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(s)) throw new Open311Error(400, `${name} must be a W3C datetime, e.g. 2026-03-01T00:00:00+08:00`)
  return d
}

/** GET requests: the standard filters; by default the last 90 days, at most 1000 rows. */
export async function findRequests(ctx: Ctx, q: RequestsQuery, lang: Lang) {
  const kinds = await listKinds(ctx)
  const ids = list(q.service_request_id)
  const codes = list(q.service_code)
  const statuses = list(q.status)
  for (const s of statuses) if (s !== 'open' && s !== 'closed') throw new Open311Error(400, 'status must be open or closed')
  const end = parseDate(q.end_date, 'end_date') ?? ctx.now()
  const start = parseDate(q.start_date, 'start_date') ?? new Date(end.getTime() - 90 * 86_400_000)
  if (start > end) throw new Open311Error(400, 'start_date is after end_date')
  const typeFilter = statuses.length === 1 ? (statuses[0] === 'open' ? eq(reports.stateType, 'open') : sql`${reports.stateType} <> 'open'`) : undefined
  const rows = await selectReports(ctx.db)
    .where(
      and(
        ids.length ? inArray(reports.number, ids.slice(0, 100)) : and(gte(reports.createdAt, start), lte(reports.createdAt, end)),
        codes.length ? inArray(reports.kind, codes) : undefined,
        typeFilter,
      ),
    )
    .orderBy(desc(reports.createdAt))
    .limit(1000)
  return rows.map((r) => toRequest(r, kinds, lang))
}

export async function findRequest(ctx: Ctx, id: string, lang: Lang) {
  const [r] = await selectReports(ctx.db).where(eq(reports.number, id))
  if (!r) throw new Open311Error(404, `service_request_id ${id} not found`)
  return [toRequest(r, await listKinds(ctx), lang)]
}

export async function findToken(ctx: Ctx, token: string) {
  const [r] = await ctx.db.select({ number: reports.number }).from(reports).where(eq(reports.open311Token, token))
  if (!r) throw new Open311Error(404, `token ${token} not found`)
  return [{ service_request_id: r.number, token }]
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')

async function checkKey(ctx: Ctx, apiKey: string | undefined) {
  if (!apiKey) throw new Open311Error(403, 'api_key is required')
  const [k] = await ctx.db
    .update(open311Keys)
    .set({ lastUsedAt: ctx.now(), requests: sql`${open311Keys.requests} + 1` })
    .where(and(eq(open311Keys.keyHash, hashKey(apiKey)), isNull(open311Keys.revokedAt)))
    .returning()
  if (!k) throw new Open311Error(403, 'Invalid api_key')
  try {
    await hit(ctx.db, { bucket: `open311:${k.id}`, max: 600, windowMs: 3_600_000 }, ctx.now())
  } catch {
    throw new Open311Error(429, 'Too many requests for this api_key; try again later')
  }
  return k
}

/**
 * POST requests (form-encoded as the spec says). Personal fields (email, phone, names, device_id)
 * are accepted and dropped: Open311 reports carry no reporter. `media_url` is not fetched.
 */
export async function postRequest(ctx: Ctx, form: Record<string, string>) {
  const key = await checkKey(ctx, form.api_key)
  const code = form.service_code
  if (!code) throw new Open311Error(400, 'service_code is required')
  let kind: KindConfig
  try {
    kind = await getKind(ctx, code)
  } catch {
    throw new Open311Error(404, `service_code ${code} not found`)
  }
  const attributes: Record<string, string> = {}
  for (const [k, v] of Object.entries(form)) {
    const m = /^attribute\[([a-z][a-z0-9_]{0,39})\]$/.exec(k)
    if (m?.[1] && m[1] !== 'plate') attributes[m[1]] = v
  }
  let lat = form.lat !== undefined ? Number(form.lat) : Number.NaN
  let lng = form.long !== undefined ? Number(form.long) : Number.NaN
  let address = form.address_string?.trim() ?? ''
  let locationSource: 'map' | 'place' = 'map'
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) {
    if (!address) throw new Open311Error(400, 'lat and long, or address_string, are required')
    const place = (await searchPlaces(ctx, address, 1))[0]
    if (!place) throw new Open311Error(400, 'address_string is not a known road or landmark; send lat and long')
    lat = place.lat
    lng = place.lng
    locationSource = 'place'
  }
  if (!address) address = `${lat.toFixed(5)}, ${lng.toFixed(5)}`
  const rawPlate = form['attribute[plate]'] ?? form.plate
  const plate = rawPlate ? PlateNumber.safeParse(rawPlate) : null
  if (plate && !plate.success) throw new Open311Error(400, 'attribute[plate] is not a valid plate number')
  const parsed = ReportCreate.safeParse({
    kind: code,
    lat,
    lng,
    locationSource,
    address: address.slice(0, 200),
    description: form.description ?? '',
    ...(plate?.success ? { plate: plate.data } : {}),
    attributes,
    photoIds: [],
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue?.path[0] === 'lng' ? 'long' : issue?.path[0] === 'address' ? 'address_string' : String(issue?.path[0] ?? 'request')
    throw new Open311Error(400, `${field}: ${issue?.message ?? 'invalid'}`)
  }
  const token = randomBytes(12).toString('base64url')
  // Open311 clients cannot upload photos (media_url is not fetched), so the photo minimum does not apply.
  const input = { ...parsed.data, photoIds: [] }
  const relaxed = { ...kind, minPhotos: 0 }
  try {
    const { report, mergedInto } = await insertReport(
      { ...ctx, actor: SYSTEM },
      input,
      { source: 'open311', citizenId: null, open311KeyId: key.id, open311Token: token },
      relaxed,
    )
    return [
      {
        service_request_id: report.number,
        token,
        service_notice: mergedInto ? `Duplicate of ${mergedInto.number}` : null,
        account_id: null,
      },
    ]
  } catch (err) {
    if (err instanceof AppError && err.status === 400)
      throw new Open311Error(400, err.details?.map((d) => `${d.path.replace(/^body\./, '')}: ${d.message}`).join('; ') || err.message)
    throw err
  }
}

export async function listKeys(ctx: Ctx) {
  const actor = requireStaff(ctx.actor)
  const rows = await ctx.db
    .select()
    .from(open311Keys)
    .where(inArray(open311Keys.unitId, [...actor.unitScope]))
    .orderBy(desc(open311Keys.createdAt))
  return rows.map((k) => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    requests: k.requests,
  }))
}

/** Issues a key; the plaintext is shown once, only its hash is stored. */
export async function createKey(ctx: Ctx, name: string) {
  const actor = requireStaff(ctx.actor)
  const apiKey = `o311_${randomBytes(24).toString('base64url')}`
  const [k] = await ctx.db
    .insert(open311Keys)
    .values({ name, prefix: apiKey.slice(0, 9), keyHash: hashKey(apiKey), unitId: actor.unitId, createdBy: actor.id, createdAt: ctx.now() })
    .returning()
  if (!k) throw new Error('insert failed')
  await audit(ctx, { entityType: 'open311_key', entityId: k.id, action: 'open311_key.create', after: { name, prefix: k.prefix } })
  return { id: k.id, name: k.name, prefix: k.prefix, createdAt: k.createdAt.toISOString(), lastUsedAt: null, revokedAt: null, requests: 0, apiKey }
}

export async function revokeKey(ctx: Ctx, id: string) {
  const actor = requireStaff(ctx.actor)
  const [k] = await ctx.db
    .update(open311Keys)
    .set({ revokedAt: ctx.now() })
    .where(and(eq(open311Keys.id, id), isNull(open311Keys.revokedAt), inArray(open311Keys.unitId, [...actor.unitScope])))
    .returning()
  if (!k) throw notFound('API key')
  await audit(ctx, { entityType: 'open311_key', entityId: id, action: 'open311_key.revoke', before: { name: k.name } })
  return { ok: true as const }
}

/** A minimal XML rendering of Open311 JSON answers (arrays of flat objects). */
export function toXml(root: string, item: string, rows: readonly Record<string, unknown>[]): string {
  const esc = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string)
  const field = (k: string, v: unknown): string => {
    if (v === null || v === undefined) return `<${k}/>`
    if (Array.isArray(v))
      return `<${k}>${v.map((x) => (typeof x === 'object' ? `<value>${obj(x as Record<string, unknown>)}</value>` : `<value>${esc(String(x))}</value>`)).join('')}</${k}>`
    if (typeof v === 'object') return `<${k}>${obj(v as Record<string, unknown>)}</${k}>`
    return `<${k}>${esc(String(v))}</${k}>`
  }
  const obj = (o: Record<string, unknown>) =>
    Object.entries(o)
      .map(([k, v]) => field(k, v))
      .join('')
  return `<?xml version="1.0" encoding="utf-8"?><${root}>${rows.map((r) => `<${item}>${obj(r)}</${item}>`).join('')}</${root}>`
}
