import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const CHROMIUM = '/usr/bin/chromium'

export interface LighthouseScore {
  page: string
  performance: number | null
  accessibility: number | null
  /** Key metrics (ms) of the mobile run, for the record. */
  metrics: Record<string, number>
  /** Accessibility audits that failed (id: title). */
  failedA11y: string[]
  /** Performance score of every run; the figures above are those of the median run. */
  runs?: (number | null)[]
  error?: string
}

/** Runs per page (BENCH_LIGHTHOUSE_RUNS, default 3): simulated throttling scales the main-thread work it observes, which swings on a shared machine. */
const RUNS = Math.max(1, Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3))
/** The full report of each page's median run, for its opportunities and diagnostics. */
const REPORTS = join(import.meta.dirname, '../.artifacts/bench/lighthouse')

/**
 * Lighthouse (npm `lighthouse`, its default mobile emulation and simulated throttling) on Debian
 * Chromium launched by chrome-launcher (the copy lighthouse depends on) with --headless and
 * --no-sandbox. `headers` go with every request of the page (e.g. a session cookie). Each page
 * is measured RUNS times and its median run (by performance score) reported; that run's full
 * report is written to tests/.artifacts/bench/lighthouse/.
 *
 * Lighthouse lives in its own npm project (bench/lighthouse/package.json, installed here on first
 * use): added to @tp/tests it makes pnpm resolve drizzle-orm's optional peer @opentelemetry/api
 * for that package only, so tests and server get two drizzle-orm copies whose types clash.
 */
export async function lighthouseRun(urls: { page: string; url: string; headers?: Record<string, string> }[]): Promise<LighthouseScore[]> {
  const dir = join(import.meta.dirname, 'lighthouse')
  if (!existsSync(join(dir, 'node_modules/lighthouse/package.json')))
    execFileSync('npm', ['install', '--no-package-lock', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit', timeout: 600_000 })
  const req = createRequire(join(dir, 'package.json'))
  const lhEntry = req.resolve('lighthouse')
  const { default: lighthouse } = (await import(pathToFileURL(lhEntry).href)) as { default: (url: string, flags: Record<string, unknown>) => Promise<any> }
  const launcherPath = createRequire(lhEntry).resolve('chrome-launcher')
  const { launch } = (await import(pathToFileURL(launcherPath).href)) as {
    launch: (o: Record<string, unknown>) => Promise<{ port: number; kill(): Promise<void> | void }>
  }
  const chrome = await launch({ chromePath: CHROMIUM, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  const out: LighthouseScore[] = []
  try {
    for (const u of urls) {
      try {
        const run = () =>
          lighthouse(u.url, {
            port: chrome.port,
            output: 'json',
            logLevel: 'error',
            onlyCategories: ['performance', 'accessibility'],
            ...(u.headers ? { extraHeaders: u.headers } : {}),
          })
        const lhrs = []
        for (let i = 0; i < RUNS; i++) {
          let r = await run()
          // A trace that failed to record (NO_NAVSTART, NO_FCP on a busy machine) is worth one more try.
          if (r.lhr.runtimeError) r = await run()
          lhrs.push(r.lhr)
        }
        const perf = (l: any): number | null => (l.categories.performance?.score == null ? null : Math.round(l.categories.performance.score * 100))
        const lhr = [...lhrs].sort((a, b) => (perf(a) ?? -1) - (perf(b) ?? -1))[Math.floor(lhrs.length / 2)]
        mkdirSync(REPORTS, { recursive: true })
        writeFileSync(join(REPORTS, `${u.page.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home'}.json`), JSON.stringify(lhr))
        const metric = (id: string) => Math.round(Number(lhr.audits[id]?.numericValue ?? 0))
        const a11y = lhr.categories.accessibility
        out.push({
          page: u.page,
          performance: perf(lhr),
          accessibility: a11y?.score == null ? null : Math.round(a11y.score * 100),
          metrics: {
            fcp: metric('first-contentful-paint'),
            lcp: metric('largest-contentful-paint'),
            tbt: metric('total-blocking-time'),
            cls: Math.round(Number(lhr.audits['cumulative-layout-shift']?.numericValue ?? 0) * 1000) / 1000,
            si: metric('speed-index'),
          },
          failedA11y: (a11y?.auditRefs ?? [])
            .map((ref: { id: string }) => lhr.audits[ref.id])
            .filter((a: { score: number | null; scoreDisplayMode: string }) => a && a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary')
            .map((a: { id: string; title: string }) => `${a.id}: ${a.title}`),
          runs: lhrs.map(perf),
          ...(lhr.runtimeError ? { error: `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` } : {}),
        })
      } catch (err) {
        out.push({ page: u.page, performance: null, accessibility: null, metrics: {}, failedA11y: [], error: String(err) })
      }
    }
  } finally {
    await chrome.kill()
  }
  return out
}
