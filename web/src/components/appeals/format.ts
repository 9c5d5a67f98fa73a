import type { Localized, Option } from '@tp/shared/appeals/config'
import { ApiError, errorKey } from '@/api/client'
import { currentAppealConfig } from './config'

/** Pure helpers both shells use on appeal pages. */

const TZ = 'Asia/Shanghai'

export function lang(locale: string): 'zh-CN' | 'en' {
  return locale === 'en' ? 'en' : 'zh-CN'
}

export function localized(l: Localized | undefined, locale: string): string {
  return l ? l[lang(locale)] : ''
}

function optionLabel(list: readonly Option[], key: string | null | undefined, locale: string): string {
  if (!key) return ''
  return localized(list.find((o) => o.key === key)?.label, locale) || key
}

/** Labels from the configuration the server publishes (retired entries included, so old cases keep theirs). */
export const groundsLabel = (key: string | null | undefined, locale: string) => optionLabel(currentAppealConfig()?.grounds ?? [], key, locale)
export const refuseLabel = (key: string | null | undefined, locale: string) => optionLabel(currentAppealConfig()?.refuseReasons ?? [], key, locale)
export const basisLabel = (key: string, locale: string) => optionLabel(currentAppealConfig()?.legalBases ?? [], key, locale)
export const typeLabel = (key: string | null | undefined, locale: string) => optionLabel(currentAppealConfig()?.types ?? [], key, locale)

/** The clock rule in words: a type whose clock starts on filing counts from the day the appeal is made, not from acceptance. */
export function clockRule(
  t: (key: string, params: Record<string, unknown>) => string,
  clock: { days: number; unit: 'calendar' | 'working'; startsOn?: 'filing' | 'acceptance' },
): string {
  return t(clock.startsOn === 'filing' ? 'appeals.clock.ruleFromFiling' : 'appeals.clock.rule', { days: clock.days, unit: t(`appeals.unit.${clock.unit}`, {}) })
}

/** 2026年3月17日 / Mar 17, 2026 (China date of an instant or a 'YYYY-MM-DD'). */
export function formatDate(value: string | Date | null | undefined, locale: string): string {
  if (!value) return ''
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00+08:00`) : new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return new Intl.DateTimeFormat(lang(locale), { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric' }).format(d)
}

/** 2026-03-01 08:30 in China time. */
export function formatDateTime(value: string | Date | null | undefined, locale: string): string {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return new Intl.DateTimeFormat(lang(locale), {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d)
}

/**
 * The i18n key for an API error: the appeal's own message (`appeals.errors.<code>`) first, then
 * the shell's (`errors.<code>`), then a generic one.
 */
export function appealErrorKey(err: unknown, te: (key: string) => boolean): string {
  if (err instanceof ApiError && te(`appeals.errors.${err.code}`)) return `appeals.errors.${err.code}`
  return errorKey(err, te)
}

/** The link to an existing open appeal that a 409 `appeal_exists` carries, if it is the caller's. */
export function existingAppealLink(err: unknown): { number: string; link?: string } | null {
  if (!(err instanceof ApiError) || err.code !== 'appeal_exists') return null
  const a = err.extra.appeal as { number?: string; link?: string } | undefined
  return a?.number ? { number: a.number, link: a.link } : null
}

/** Sum of file sizes, and whether they fit the 20 MB evidence limit. */
export function evidenceFits(
  files: readonly { size: number }[],
  maxBytes: number,
  maxFiles: number,
): { ok: boolean; total: number; reason?: 'count' | 'size' } {
  const total = files.reduce((n, f) => n + f.size, 0)
  if (files.length > maxFiles) return { ok: false, total, reason: 'count' }
  if (total > maxBytes) return { ok: false, total, reason: 'size' }
  return { ok: true, total }
}

export function megabytes(bytes: number): string {
  return (bytes / 1048576).toFixed(1)
}

export function isImage(contentType: string): boolean {
  return contentType.startsWith('image/')
}
