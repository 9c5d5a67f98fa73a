/**
 * Relative due times as both shells show them (剩余 3 天 / 今日到期 / 已超期 1 天). Days are China
 * calendar days, like `daysLeft` in @tp/shared/calendar (re-implemented here in a few lines so the
 * citizen bundle does not carry the holiday data).
 */

export type DueLevel = 'ok' | 'soon' | 'overdue' | 'none'

export interface DueInfo {
  level: DueLevel
  /** Days left (≥ 0) or days overdue (≥ 0), in China calendar days. */
  days: number
  overdue: boolean
  /** China calendar date of the due time, 'YYYY-MM-DD'. */
  date: string
}

const CHINA_OFFSET_MS = 8 * 3600_000
const DAY_MS = 86_400_000

/** Due within this many days (or today) is "due soon". */
export const DUE_SOON_DAYS = 3

export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10)
}

function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
}

export function dueInfo(dueAt: string | Date | null | undefined, now: Date = new Date(), soonDays = DUE_SOON_DAYS): DueInfo {
  if (!dueAt) return { level: 'none', days: 0, overdue: false, date: '' }
  const due = typeof dueAt === 'string' ? new Date(dueAt) : dueAt
  if (Number.isNaN(due.getTime())) return { level: 'none', days: 0, overdue: false, date: '' }
  const date = chinaDate(due)
  const diff = dayNumber(date) - dayNumber(chinaDate(now))
  if (due.getTime() < now.getTime()) return { level: 'overdue', days: Math.max(0, -diff), overdue: true, date }
  const days = Math.max(0, diff)
  return { level: days <= soonDays ? 'soon' : 'ok', days, overdue: false, date }
}

/** The i18n key and values for a due info (see `due.*` in the shell messages). */
export function dueText(info: DueInfo, t: (key: string, values: Record<string, unknown>, plural?: number) => string): string {
  if (info.level === 'none') return ''
  if (info.overdue) return info.days === 0 ? t('due.overdueToday', {}) : t('due.overdue', { n: info.days }, info.days)
  return info.days === 0 ? t('due.today', {}) : t('due.daysLeft', { n: info.days }, info.days)
}
