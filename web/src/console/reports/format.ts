/** Relative due time at minute precision (response targets are minutes): "剩余 4 分钟" / "超期 2 小时". */
export function dueParts(dueAt: string | null, now: number): { over: boolean; unit: 'm' | 'h' | 'd'; n: number } | null {
  if (!dueAt) return null
  const ms = new Date(dueAt).getTime() - now
  if (Number.isNaN(ms)) return null
  const abs = Math.abs(ms)
  const over = ms < 0
  if (abs < 3_600_000) return { over, unit: 'm', n: Math.max(1, Math.ceil(abs / 60_000)) }
  if (abs < 2 * 86_400_000) return { over, unit: 'h', n: Math.floor(abs / 3_600_000) }
  return { over, unit: 'd', n: Math.floor(abs / 86_400_000) }
}

export function dueLabel(dueAt: string | null, now: number, t: (k: string, p?: Record<string, unknown>) => string): string {
  const p = dueParts(dueAt, now)
  if (!p) return ''
  const span = t(`reports.left.${p.unit}`, { n: p.n })
  return t(p.over ? 'reports.left.over' : 'reports.left.left', { t: span })
}

export const fmtTime = (iso: string | null, locale = 'zh-CN') =>
  iso
    ? new Date(iso).toLocaleString(locale, { timeZone: 'Asia/Shanghai', hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    : ''
