import { DEFAULT_KINDS } from '@tp/shared/reports/kinds'
import { describe, expect, it } from 'vitest'
import type { Kind } from './api'
import { emptyForm, formProblems, toRequestBody } from './rules'

const zombie = DEFAULT_KINDS.find((k) => k.code === 'zombie_car') as Kind
const congestion = DEFAULT_KINDS.find((k) => k.code === 'congestion') as Kind

describe('new report form rules', () => {
  it('asks for location, address and description on an empty form', () => {
    expect(Object.keys(formProblems(emptyForm(), congestion)).sort()).toEqual(['address', 'description', 'location'])
  })

  it('asks a zombie car for its plate, a valid one, a photo and how long it has been there', () => {
    const f = { ...emptyForm(), location: { lat: 30.66, lng: 104.06, source: 'gps' as const }, address: '建设北路', description: '停了很久的车' }
    expect(formProblems(f, zombie)).toMatchObject({
      plate: { key: 'plateRequired' },
      photos: { key: 'photosRequired', params: { n: 1 } },
      'attr.parked_for': { key: 'fieldRequired' },
    })
    expect(formProblems({ ...f, plate: '川AO1234' }, zombie).plate).toEqual({ key: 'plateInvalid' })
    const ok = { ...f, plate: '川a12345', photos: [{ id: 'p1', thumbUrl: null, name: 'a.jpg' }], attributes: { parked_for: 'gt30d' } }
    expect(formProblems(ok, zombie)).toEqual({})
    expect(toRequestBody(ok, zombie)).toMatchObject({
      kind: 'zombie_car',
      plate: '川A12345',
      photoIds: ['p1'],
      attributes: { parked_for: 'gt30d' },
      locationSource: 'gps',
    })
  })

  it('drops attributes that are not fields of the kind', () => {
    const f = {
      ...emptyForm(),
      location: { lat: 1, lng: 2, source: 'map' as const },
      address: '某路',
      description: '很堵很堵很堵',
      attributes: { severity: 'jammed', parked_for: 'gt30d' },
    }
    expect(toRequestBody(f, congestion).attributes).toEqual({ severity: 'jammed' })
  })

  it('gives each draft its own idempotency key', () => {
    expect(emptyForm().key).not.toBe(emptyForm().key)
  })
})
