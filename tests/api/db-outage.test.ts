import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import { openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import { describe, expect, it } from 'vitest'
import { freshDatabase, TEST_DB } from '../support/database'
import { tcpProxy } from '../support/tcp-proxy'

// The outage is simulated on PostgreSQL (a network database can go away); the embedded store
// lives in the process and cannot become unreachable on its own.
if (TEST_DB === 'pg')
  describe('database unreachable for a while', () => {
    it('fails fast with 503, reports not ready, and recovers by itself', async () => {
      const real = await freshDatabase()
      const target = new URL(real.url ?? '')
      const proxy = await tcpProxy(target.hostname, Number(target.port || 5432))
      const viaProxy = new URL(target)
      viaProxy.port = String(proxy.port)
      const database = await openDatabase({ url: viaProxy.toString(), maxConnections: 4 })
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WEB_DIST: '/nonexistent' })
      const deps = await createDeps(config, { database, log: createLogger('silent') })
      const app = createApp(deps)
      try {
        expect((await app.request('/api/ready')).status).toBe(200)

        proxy.cut()
        const t0 = performance.now()
        const ready = await app.request('/api/ready')
        expect(ready.status).toBe(503)
        expect(await ready.json()).toMatchObject({ status: 'not_ready' })
        const res = await app.request('/api/auth/otp', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-test-ip': '10.1.1.1' },
          body: JSON.stringify({ phone: '13800138000' }),
        })
        const failMs = performance.now() - t0
        expect(res.status).toBe(503)
        expect(res.headers.get('retry-after')).toBeTruthy()
        expect((await res.json()).error.code).toBe('service_unavailable')
        expect(failMs).toBeLessThan(15_000)

        proxy.restore()
        const t1 = performance.now()
        let recovered = false
        while (performance.now() - t1 < 20_000) {
          if ((await app.request('/api/ready')).status === 200) {
            recovered = true
            break
          }
          await new Promise((r) => setTimeout(r, 200))
        }
        expect(recovered).toBe(true)
        console.log(`db outage: failed in ${Math.round(failMs)} ms, recovered ${Math.round(performance.now() - t1)} ms after the database returned`)
      } finally {
        await deps.bus.close().catch(() => {})
        await database.close().catch(() => {})
        await proxy.close()
        await real.close()
      }
    }, 60_000)
  })

if (TEST_DB === 'pglite')
  describe('embedded database closed underneath the app', () => {
    it('answers 503 with a clear message instead of crashing', async () => {
      const database = await freshDatabase()
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WEB_DIST: '/nonexistent' })
      const deps = await createDeps(config, { database, log: createLogger('silent') })
      const app = createApp(deps)
      expect((await app.request('/api/ready')).status).toBe(200)
      await database.close()
      expect((await app.request('/api/ready')).status).toBe(503)
      const res = await app.request('/api/auth/otp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-test-ip': '10.1.1.2' },
        body: JSON.stringify({ phone: '13800138000' }),
      })
      expect(res.status).toBe(503)
      expect((await res.json()).error.code).toBe('service_unavailable')
      await deps.bus.close()
    })
  })
