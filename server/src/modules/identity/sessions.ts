import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { type Actor, ANONYMOUS, type AppDeps, type AppEnv, type Ctx } from '../../platform/context'
import type { Db } from '../../platform/db'
import { AppError } from '../../platform/errors'
import { prepared } from '../../platform/prepared'
import { citizens, sessions, staff } from './identity.tables'
import { sessionCache, sessionsChanged } from './session-cache'
import { unitScope } from './units'

export const SESSION_COOKIE = 'tp_sid'
export const CSRF_HEADER = 'x-csrf-token'
const TOUCH_EVERY_MS = 60_000

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export interface NewSession {
  token: string
  csrfToken: string
  expiresAt: Date
}

export async function createSession(db: Db, subject: { type: 'citizen' | 'staff'; id: string }, lifetimeMs: number, now: Date): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url')
  const csrfToken = randomBytes(18).toString('base64url')
  const expiresAt = new Date(now.getTime() + lifetimeMs)
  await db.insert(sessions).values({
    tokenHash: hashToken(token),
    csrfToken,
    subjectType: subject.type,
    subjectId: subject.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
  })
  return { token, csrfToken, expiresAt }
}

export function setSessionCookie(c: Context, deps: AppDeps, s: NewSession): void {
  setCookie(c, SESSION_COOKIE, s.token, {
    httpOnly: true,
    secure: deps.config.production,
    sameSite: 'Lax',
    path: '/',
    expires: s.expiresAt,
  })
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' })
}

/**
 * Signs a subject in: revokes whatever session the browser presented (so a token planted before
 * sign-in is worthless — no session fixation), issues a new random token and sets the cookie.
 */
export async function startSession(c: Context<AppEnv>, ctx: Ctx, subject: { type: 'citizen' | 'staff'; id: string }): Promise<NewSession> {
  const previous = getCookie(c, SESSION_COOKIE)
  if (previous) {
    const revoked = await ctx.db
      .update(sessions)
      .set({ revokedAt: ctx.now() })
      .where(and(eq(sessions.tokenHash, hashToken(previous)), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id })
    for (const { id } of revoked) sessionsChanged(ctx, { sessionId: id })
  }
  const lifetime = subject.type === 'staff' ? ctx.deps.config.staffIdleMs : ctx.deps.config.citizenSessionMs
  const s = await createSession(ctx.db, subject, lifetime, ctx.now())
  setSessionCookie(c, ctx.deps, s)
  return s
}

/** Sign-out: the session is refused at once, on every process. */
export async function revokeSession(ctx: Ctx, sessionId: string): Promise<void> {
  await ctx.db.update(sessions).set({ revokedAt: ctx.now() }).where(eq(sessions.id, sessionId))
  sessionsChanged(ctx, { sessionId })
}

/** Revokes every session of a subject (password reset, deactivation, account deletion); `ctx.db` may be the change's transaction. */
export async function revokeAllSessions(ctx: Ctx, type: 'citizen' | 'staff', id: string): Promise<void> {
  await ctx.db
    .update(sessions)
    .set({ revokedAt: ctx.now() })
    .where(and(eq(sessions.subjectType, type), eq(sessions.subjectId, id), isNull(sessions.revokedAt)))
  sessionsChanged(ctx, { subjectType: type, subjectId: id })
}

/** Drops sessions that ended more than a day ago. */
export async function pruneSessions(db: Db, now: Date): Promise<void> {
  const dayAgo = new Date(now.getTime() - 86_400_000)
  await db.delete(sessions).where(or(lt(sessions.expiresAt, dayAgo), lt(sessions.revokedAt, dayAgo)))
}

interface ResolvedSession {
  actor: Actor
  csrfToken: string
  mustChangePassword: boolean
}

/**
 * The session with what decides whether its subject may still act; cached per process
 * (session-cache.ts). Read on every cache miss (a citizen's first request to this process): prepared.
 */
async function loadSession(db: Db, tokenHash: string) {
  const [row] = await sessionByToken(db).execute({ tokenHash })
  return row
}

const sessionByToken = prepared((db) =>
  db
    .select({
      id: sessions.id,
      csrfToken: sessions.csrfToken,
      subjectType: sessions.subjectType,
      subjectId: sessions.subjectId,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      revokedAt: sessions.revokedAt,
      staffRole: staff.role,
      staffName: staff.name,
      staffUnit: staff.unitId,
      staffActive: staff.active,
      mustChangePassword: staff.mustChangePassword,
      citizenDeletedAt: citizens.deletedAt,
      citizenExists: citizens.id,
    })
    .from(sessions)
    .leftJoin(staff, and(eq(sessions.subjectType, 'staff'), eq(staff.id, sessions.subjectId)))
    .leftJoin(citizens, and(eq(sessions.subjectType, 'citizen'), eq(citizens.id, sessions.subjectId)))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .prepare('session_by_token'),
)
type SessionRow = NonNullable<Awaited<ReturnType<typeof loadSession>>>

function usable(row: SessionRow, now: Date): boolean {
  if (row.revokedAt || row.expiresAt <= now) return false
  if (row.subjectType === 'citizen') return !!row.citizenExists && !row.citizenDeletedAt
  return !!row.staffRole && !!row.staffUnit && !!row.staffActive
}

/**
 * The session behind a token, from this process's cache when it holds it (revocations reach every
 * process's cache through the event bus), else from the database. A cached row that looks expired
 * is read again: another process may have extended it since.
 */
async function resolve(deps: AppDeps, token: string): Promise<ResolvedSession | null> {
  const db = deps.database.db
  const now = deps.clock()
  const tokenHash = hashToken(token)
  const cache = sessionCache<SessionRow>(deps)
  let row = cache.get(tokenHash)
  if (!row || !usable(row, now)) {
    const mark = cache.mark()
    row = await loadSession(db, tokenHash)
    if (!row || !usable(row, now)) {
      cache.delete(tokenHash)
      return null
    }
    cache.set(tokenHash, row, mark)
  }
  if (row.subjectType === 'citizen') {
    return {
      actor: { kind: 'citizen', role: 'citizen', id: row.subjectId, sessionId: row.id },
      csrfToken: row.csrfToken,
      mustChangePassword: false,
    }
  }
  const staffUnit = row.staffUnit as string
  // Staff sessions slide: each use extends the idle window (written at most once a minute).
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    const expiresAt = new Date(now.getTime() + deps.config.staffIdleMs)
    await db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, row.id))
    row.lastSeenAt = now
    row.expiresAt = expiresAt
  }
  return {
    actor: {
      kind: 'staff',
      role: row.staffRole as NonNullable<SessionRow['staffRole']>,
      id: row.subjectId,
      sessionId: row.id,
      name: row.staffName ?? '',
      unitId: staffUnit,
      unitScope: await unitScope(deps, staffUnit),
    },
    csrfToken: row.csrfToken,
    mustChangePassword: !!row.mustChangePassword,
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Sign-in requests do not act with the presented session, they replace it (and revoke it): a
 * browser holding a stale or planted cookie, but no token for it, must still be able to sign in.
 */
const SIGN_IN_PATHS = new Set(['/api/auth/otp', '/api/auth/otp/verify', '/api/auth/staff/login'])

/** What a staff member with a temporary password may still do: see who they are, change it, leave. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['GET /api/me', 'POST /api/auth/staff/password', 'POST /api/auth/logout', 'GET /api/auth/providers'])

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Resolves the session cookie to an actor and, for state-changing requests made with a session,
 * requires the session's CSRF token in the `x-csrf-token` header. A staff member whose password
 * was reset by an admin can do nothing else until they change it.
 */
export function sessionMiddleware(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE)
    const resolved = token ? await resolve(deps, token) : null
    const actor = resolved?.actor ?? ANONYMOUS
    c.set('actor', actor)
    c.set('ctx', { ...c.get('ctx'), actor })
    if (resolved && !SAFE_METHODS.has(c.req.method) && !SIGN_IN_PATHS.has(c.req.path)) {
      const sent = c.req.header(CSRF_HEADER)
      if (!sent || !sameToken(sent, resolved.csrfToken)) {
        throw new AppError(403, 'csrf_failed', 'Missing or invalid CSRF token; reload the page and try again')
      }
    }
    if (resolved?.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(`${c.req.method} ${c.req.path}`)) {
      throw new AppError(403, 'password_change_required', 'Please change your temporary password first')
    }
    await next()
  }
}

export async function csrfTokenOf(db: Db, sessionId: string): Promise<string> {
  const [row] = await db.select({ csrf: sessions.csrfToken }).from(sessions).where(eq(sessions.id, sessionId))
  return row?.csrf ?? ''
}
