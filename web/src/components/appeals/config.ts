import { shallowRef } from 'vue'
import { api, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'

/** The appeals configuration as the server has it: types, grounds, refusal reasons, legal bases, templates. */
export type AppealConfig = paths['/api/appeals/config']['get']['responses'][200]['content']['application/json']
export type ConfiguredOption = AppealConfig['grounds'][number]

/** The configuration once loaded (reactive: labels re-render when it arrives). */
export const appealConfig = shallowRef<AppealConfig | null>(null)
let pending: Promise<AppealConfig> | null = null

/** Fetches the configuration once per page load (again after a failure, or when `fresh`, e.g. after an admin edit). */
export function loadAppealConfig(fresh = false): Promise<AppealConfig> {
  if (!fresh && appealConfig.value) return Promise.resolve(appealConfig.value)
  if (fresh || !pending) {
    const request = (async () => unwrap(api.GET('/api/appeals/config')))()
    pending = request
    request.then(
      (c) => {
        if (pending === request) appealConfig.value = c
      },
      () => {
        if (pending === request) pending = null
      },
    )
  }
  return pending
}

/** The configuration if loaded; starts loading it otherwise (labels show keys until it arrives). */
export function currentAppealConfig(): AppealConfig | null {
  if (!appealConfig.value && !pending) loadAppealConfig().catch(() => {})
  return appealConfig.value
}

/** Entries a new filing or decision may use: retired ones only label old cases. */
export const active = <T extends { retired: boolean }>(list: readonly T[] | undefined): T[] => (list ?? []).filter((o) => !o.retired)
