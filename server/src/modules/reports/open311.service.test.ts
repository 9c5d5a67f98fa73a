import { describe, expect, it } from 'vitest'
import { toXml, w3c } from './open311.service'

describe('Open311 formatting', () => {
  it('writes W3C datetimes in China time with the offset', () => {
    expect(w3c(new Date('2026-03-01T16:30:05.123Z'))).toBe('2026-03-02T00:30:05+08:00')
    expect(w3c(null)).toBeNull()
  })

  it('renders XML with escaping, empty elements for null and nested values', () => {
    const xml = toXml('service_requests', 'request', [
      { service_request_id: 'R1', description: '<b>"堵" & \'慢\'</b>', address: null, values: [{ key: 'a', name: 'A' }] },
    ])
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?><service_requests><request><service_request_id>R1</service_request_id>' +
        '<description>&lt;b&gt;&quot;堵&quot; &amp; &apos;慢&apos;&lt;/b&gt;</description><address/>' +
        '<values><value><key>a</key><name>A</name></value></values></request></service_requests>',
    )
  })
})
