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
}
