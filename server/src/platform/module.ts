import type { OpenAPIHono } from '@hono/zod-openapi'
import type { CaseSummary } from '@tp/shared'
import type { AppEnv, Ctx } from './context'

/** What the demo seed of the identity module hands to the other features' seeds. */
export interface DemoRefs {
  units: {
    detachment: string
    brigades: string[]
    /** 车管所 */
    vehicleOffice: string
    stations: string[]
    legalOffice: string
    commandCentre: string
  }
  staff: Record<'admin' | 'dispatcher' | 'legal' | 'head' | 'window' | 'officer' | 'officer2' | 'legal2' | 'window2', string>
  citizens: { id: string; phone: string; name: string; plate: string }[]
}

export interface Job {
  name: string
  everyMs: number
  /** Also run once when the process starts (cheap, idempotent jobs: catch up after downtime). */
  runOnStart?: boolean
  run(ctx: Ctx): Promise<void>
}

/**
 * A feature, self-contained: its routes (full paths, under /api or /open311), the citizen's cases
 * it contributes to "我的办事", its demo data and its periodic jobs (reminders, overdue scans).
 */
export interface Module {
  name: string
  routes: OpenAPIHono<AppEnv>
  myCases?: (ctx: Ctx, citizenId: string) => Promise<CaseSummary[]>
  seed?: (ctx: Ctx, refs: DemoRefs) => Promise<void>
  jobs?: Job[]
  /**
   * Personal-data hooks used by the identity module (all optional):
   * - `citizenInScope`: does the citizen have a case in one of these units? A staff member may open
   *   a citizen's unmasked personal data (GET /api/console/citizens/:id) only then.
   * - `exportCitizen`: this feature's data about the citizen, for their JSON data export.
   * - `anonymiseCitizen`: on account deletion, remove personal data this feature copied (contact
   *   names, phone numbers); the cases themselves are kept. Runs in the deletion's transaction.
   */
  citizenInScope?: (ctx: Ctx, citizenId: string, unitIds: readonly string[]) => Promise<boolean>
  exportCitizen?: (ctx: Ctx, citizenId: string) => Promise<unknown>
  anonymiseCitizen?: (ctx: Ctx, citizenId: string) => Promise<void>
}
