import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { z } from '@hono/zod-openapi'
import { CaseSummary } from '@tp/shared'
import { compress } from 'hono/compress'
import { modules } from './modules'
import { sessionMiddleware } from './modules/identity/sessions'
import { CITIZEN, PUBLIC } from './platform/access'
import type { AppDeps } from './platform/context'
import { apiNotFound, errorHandler, requestContext, requestLimits, securityHeaders } from './platform/http'
import { createRouter, jsonContent, route } from './platform/openapi'
import { notReadyReason } from './platform/readiness'
import { eventsHandler } from './platform/sse'

const DOCS_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Traffic portal API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script><script src="/api/docs/assets/init.js"></script></body></html>`
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui', deepLinking: true })`

const API_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Traffic police citizen-service portal API',
    version: '1.0.0',
    description:
      'Errors: `{"error":{"code","message","details"}}`. Staff and citizens authenticate with a session cookie; state-changing requests send `x-csrf-token`.',
  },
}

/** Builds the whole app without listening: tests call `app.request()`. */
export function createApp(deps: AppDeps) {
  const app = createRouter()
  app.onError(errorHandler(deps))
  app.use('*', requestContext(deps))
  app.use('*', securityHeaders(deps.config.frameAncestors))
  app.use('/api/*', ...requestLimits(deps.config))
  app.use('/open311/*', ...requestLimits(deps.config))
  app.use('/api/*', sessionMiddleware(deps))
  app.use('/open311/*', sessionMiddleware(deps))

  app.openapi(
    route({
      method: 'get',
      path: '/api/health',
      tags: ['System'],
      access: PUBLIC,
      summary: 'Process is up',
      responses: { 200: jsonContent(z.object({ status: z.literal('ok') })) },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  )
  app.openapi(
    route({
      method: 'get',
      path: '/api/ready',
      tags: ['System'],
      access: PUBLIC,
      summary: 'Database reachable and migrated up to this build',
      responses: {
        200: jsonContent(z.object({ status: z.literal('ready'), database: z.string() })),
        503: jsonContent(z.object({ status: z.literal('not_ready'), reason: z.string() })),
      },
    }),
    async (c) => {
      const reason = await notReadyReason(deps.database)
      return reason ? c.json({ status: 'not_ready' as const, reason }, 503) : c.json({ status: 'ready' as const, database: deps.database.kind }, 200)
    },
  )
  app.get('/api/events', eventsHandler(deps))
  app.openapi(
    route({
      method: 'get',
      path: '/api/me/cases',
      tags: ['Identity'],
      access: CITIZEN,
      summary: 'All my cases across features (我的办事)',
      responses: { 200: jsonContent(z.object({ items: z.array(CaseSummary) })) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const citizenId = ctx.actor.kind === 'citizen' ? ctx.actor.id : ''
      const lists = await Promise.all(modules.map((m) => m.myCases?.(ctx, citizenId) ?? []))
      const items = lists.flat().sort((a, b) => (a.stateType === 'open' ? 0 : 1) - (b.stateType === 'open' ? 0 : 1) || b.updatedAt.localeCompare(a.updatedAt))
      return c.json({ items }, 200)
    },
  )
  for (const m of modules) app.route('/', m.routes)

  // Generated on first request and kept (about a second of CPU): the routes cannot change while the process runs.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined
  app.get('/api/openapi.json', (c) => {
    document ??= app.getOpenAPI31Document(API_INFO)
    return c.json(document)
  })
  mountDocs(app)
  app.all('/api/*', apiNotFound)
  app.all('/open311/*', apiNotFound)
  mountWeb(app, deps.config.webDist)
  return app
}

export type App = ReturnType<typeof createApp>

function mountDocs(app: App) {
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  app.get('/api/docs', (c) => c.html(DOCS_HTML))
  app.get('/api/docs/assets/init.js', (c) => c.body(DOCS_INIT, 200, { 'content-type': 'text/javascript' }))
  app.get(
    '/api/docs/assets/:file{swagger-ui\\.css|swagger-ui-bundle\\.js}',
    serveStatic({ root: dist, rewriteRequestPath: (p) => p.replace('/api/docs/assets', '') }),
  )
}

/** The built citizen H5 at `/` and console at `/console/`, each with its SPA fallback. */
function mountWeb(app: App, webDist: string) {
  if (!existsSync(webDist)) return
  const page = (file: string) => {
    const path = join(webDist, file)
    return existsSync(path) ? readFileSync(path, 'utf8') : null
  }
  const citizenHtml = page('index.html')
  const consoleHtml = page('console/index.html')
  app.use('/assets/*', compress(), serveStatic({ root: webDist, onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }))
  app.use('*', serveStatic({ root: webDist }))
  app.get('/console/*', (c) => (consoleHtml ? c.html(consoleHtml) : c.notFound()))
  app.get('*', (c) => (citizenHtml ? c.html(citizenHtml) : c.notFound()))
}
