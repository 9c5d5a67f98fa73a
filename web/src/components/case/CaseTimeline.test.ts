import type { TimelineEvent } from '@tp/shared/cases'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { testI18n } from '@/i18n/testing'
import CaseTimeline from './CaseTimeline.vue'

const features = {
  './reports/i18n.ts': {
    default: { 'zh-CN': { action: { submit: '提交上报', accept: '受理' }, state: { submitted: '已提交', accepted: '已受理' } } },
  },
}

const events: TimelineEvent[] = [
  { id: 'e1', at: '2026-03-01T01:00:00Z', action: 'submit', actorRole: 'citizen', fromState: null, toState: 'submitted', note: null, attachments: [] },
  {
    id: 'e2',
    at: '2026-03-02T06:30:00Z',
    action: 'accept',
    actorRole: 'dispatcher',
    fromState: 'submitted',
    toState: 'accepted',
    note: '已派网格民警前往',
    attachments: [{ id: 'f1', url: '/files/f1', thumbUrl: '/files/f1/thumb', name: '现场照片' }],
  },
]

const mountTimeline = (props: { events: TimelineEvent[]; namespace?: string; newestFirst?: boolean }) =>
  mount(CaseTimeline, { props, global: { plugins: [testI18n('zh-CN', features)] } })

describe('CaseTimeline', () => {
  it('lists the steps newest first with role, time, states and note', () => {
    const w = mountTimeline({ events, namespace: 'reports' })
    const items = w.findAll('li.tp-timeline__item')
    expect(items).toHaveLength(2)
    expect(items[0]?.text()).toContain('受理')
    expect(items[0]?.text()).toContain('指挥中心')
    expect(items[0]?.text()).toContain('已提交 → 已受理')
    expect(items[0]?.text()).toContain('已派网格民警前往')
    expect(items[0]?.find('time').attributes('datetime')).toBe('2026-03-02T06:30:00Z')
    expect(items[0]?.text()).toContain('14:30')
    expect(items[0]?.attributes('aria-current')).toBe('step')
    expect(items[1]?.text()).toContain('提交上报')
    expect(items[1]?.text()).toContain('群众')
  })

  it('can show the oldest step first', () => {
    const w = mountTimeline({ events, namespace: 'reports', newestFirst: false })
    expect(w.findAll('.tp-timeline__action').map((a) => a.text())).toEqual(['提交上报', '受理'])
  })

  it('shows attachment thumbnails with alt text', () => {
    const img = mountTimeline({ events, namespace: 'reports' }).find('img')
    expect(img.attributes('src')).toBe('/files/f1/thumb')
    expect(img.attributes('alt')).toBe('现场照片')
  })

  it('falls back to raw action names without a namespace', () => {
    expect(mountTimeline({ events }).find('.tp-timeline__action').text()).toBe('accept')
  })

  it('says so when there are no steps', () => {
    expect(mountTimeline({ events: [] }).text()).toContain('暂无办理记录')
  })
})
