import { describe, expect, it } from 'vitest'
import { buildRegistry, menuFor, normalisePath } from './registry'

const Page = { template: '<div />' }

describe('console feature registry', () => {
  const reg = buildRegistry(
    {
      './appeals/routes.ts': {
        default: {
          routes: [
            { path: '/appeals', component: Page, meta: { roles: ['legal_officer'] } },
            { path: '/console/appeals/:id', component: Page },
          ],
          menu: [{ path: '/appeals', titleKey: 'appeals.menu', roles: ['legal_officer', 'unit_head'], order: 20 }],
        },
      },
      './bookings/routes.ts': {
        default: {
          routes: [{ path: '/hall/:officeId', component: Page, meta: { bare: true, public: true } }],
          menu: [{ path: '/console/queue', titleKey: 'bookings.menu', roles: ['window_staff'], order: 10 }],
        },
      },
    },
    { './appeals/dashboard.ts': { default: [{ roles: ['legal_officer'], component: async () => ({ default: Page }) }] } },
  )

  it('puts bare pages outside the layout', () => {
    expect(reg.bareRoutes.map((r) => r.path)).toEqual(['/hall/:officeId'])
    expect(reg.layoutRoutes.map((r) => r.path)).toEqual(['/appeals', '/appeals/:id'])
  })

  it('orders the menu and filters it by role', () => {
    expect(reg.menu.map((m) => m.path)).toEqual(['/queue', '/appeals'])
    expect(menuFor(reg.menu, 'legal_officer').map((m) => m.feature)).toEqual(['appeals'])
    expect(menuFor(reg.menu, 'window_staff').map((m) => m.feature)).toEqual(['bookings'])
    expect(menuFor(reg.menu, 'dispatcher')).toEqual([])
    expect(menuFor(reg.menu, undefined)).toEqual([])
  })

  it('collects dashboard widgets with their feature', () => {
    expect(menuFor(reg.widgets, 'legal_officer').map((w) => w.feature)).toEqual(['appeals'])
    expect(menuFor(reg.widgets, 'admin')).toEqual([])
  })

  it('tolerates a /console prefix', () => {
    expect(normalisePath('/console/hall/1')).toBe('/hall/1')
    expect(normalisePath('/console')).toBe('/')
    expect(normalisePath('/appeals')).toBe('/appeals')
  })
})
