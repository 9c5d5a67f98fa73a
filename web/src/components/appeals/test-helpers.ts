import { APPEAL_TYPES, GROUNDS, LEGAL_BASES, REFUSE_REASONS, REMEDIES, REPLY_TEMPLATES } from '@tp/shared/appeals/config'
import { vi } from 'vitest'
import { api } from '@/api/client'
import citizenAppeals from '@/citizen/appeals/i18n'
import consoleAppeals from '@/console/appeals/i18n'
import { type AppealConfig, appealConfig } from './config'

/** The feature's messages as each shell merges them (under `appeals`). */
export const citizenMessages = { './appeals/i18n.ts': { default: citizenAppeals } }
export const consoleMessages = { './appeals/i18n.ts': { default: consoleAppeals } }

export function answer<T>(data: T, status = 200) {
  return { data, error: undefined, response: new Response(null, { status }) }
}

export function failure(status: number, code: string, extra: Record<string, unknown> = {}) {
  return { data: undefined, error: { error: { code, message: code, ...extra } }, response: new Response(null, { status }) }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'

/** Replaces the API client's calls with a handler keyed by method and path. */
export function mockApi(handler: (method: Method, path: string, init: any) => unknown) {
  const methods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'] as const
  const spies = methods.map((m) => vi.spyOn(api, m).mockImplementation(((path: string, init: unknown) => Promise.resolve(handler(m, path, init))) as never))
  return {
    calls: (method: Method, path: string) =>
      spies
        .flatMap((s, i) => s.mock.calls.map((c) => ({ method: methods[i], path: c[0] as string, init: c[1] as any })))
        .filter((c) => c.method === method && c.path === path),
    restore: () => {
      for (const s of spies) s.mockRestore()
    },
  }
}

/** An EventSource that never delivers (pages subscribe to live updates). */
export class SilentEventSource {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSED = 2
  readyState = 1
  onerror: (() => void) | null = null
  onopen: (() => void) | null = null
  constructor(readonly url: string) {}
  addEventListener() {}
  removeEventListener() {}
  close() {
    this.readyState = 2
  }
}

const ticket = {
  id: 't1',
  decisionNo: '5101041000012345',
  plate: '川A12345',
  occurredAt: '2026-03-01T00:30:00.000Z',
  place: '人民南路与锦江大道交叉口',
  violationCode: '16250',
  violationDesc: '驾驶机动车违反道路交通信号灯通行',
  fineYuan: 200,
  points: 6,
  unitId: 'u1',
  unitName: '城区一大队',
  recordedBy: 'camera' as const,
  status: 'effective' as const,
  correctedFineYuan: null,
  correctedPoints: null,
  openAppeal: null,
  appealTypes: ['camera_objection', 'statement'],
}

/** A citizen's view of an appeal waiting for material (the clock paused). */
export function citizenAppeal(over: Record<string, unknown> = {}) {
  return {
    id: 'a1',
    number: 'SS20260302000123',
    version: 4,
    state: 'awaiting_material',
    stateType: 'open',
    type: 'statement',
    grounds: 'camera_misread',
    statement: '抓拍照片中的车辆不是我的车，号牌尾号识别错误。',
    contactPhoneMasked: '138****8000',
    submittedAt: '2026-03-02T02:00:00.000Z',
    acceptedAt: '2026-03-02T03:00:00.000Z',
    closedAt: null,
    ticket: { ...ticket, openAppeal: { id: 'a1', number: 'SS20260302000123', state: 'awaiting_material' } },
    policy: {
      type: 'statement',
      days: 15,
      unit: 'calendar',
      rollToWorkingDay: true,
      pausable: true,
      maxPausedDays: 15,
      maxExtensionDays: 15,
      citation: { 'zh-CN': '本地执法实践：约 15 日内答复', en: 'Local practice: about 15 days' },
    },
    due: {
      startedAt: '2026-03-02T03:00:00.000Z',
      dueDate: '2026-03-19',
      dueAt: '2026-03-19T15:59:59.999Z',
      daysLeft: 11,
      status: 'paused',
      paused: true,
      pausedDays: 2,
      extensionDays: 0,
      provisional: false,
    },
    evidence: [{ id: 'f1', name: 'photo.jpg', contentType: 'image/jpeg', size: 1000, url: '/api/appeals/files/f1', thumbUrl: '/api/appeals/files/f1?thumb=1' }],
    timeline: [
      { id: 'e1', at: '2026-03-02T02:00:00.000Z', action: 'file', actorRole: 'citizen', fromState: null, toState: 'submitted', note: null, attachments: [] },
      {
        id: 'e2',
        at: '2026-03-02T03:00:00.000Z',
        action: 'accept',
        actorRole: 'legal_officer',
        fromState: 'submitted',
        toState: 'accepted',
        note: null,
        attachments: [],
      },
      {
        id: 'e3',
        at: '2026-03-05T03:00:00.000Z',
        action: 'request_material',
        actorRole: 'legal_officer',
        fromState: 'in_review',
        toState: 'awaiting_material',
        note: '请补充行驶证照片',
        attachments: [],
      },
    ],
    materialRequests: [{ id: 'm1', items: '请补充行驶证照片', requestedAt: '2026-03-05T03:00:00.000Z', answeredAt: null, answerNote: null, files: [] }],
    extensions: [],
    decision: null,
    refusal: null,
    letterAvailable: false,
    actions: ['supply_material', 'withdraw'],
    ...over,
  }
}

/** The same appeal, decided (revoked) with its letter available. */
export function decidedAppeal() {
  return citizenAppeal({
    state: 'decided',
    stateType: 'fixed',
    version: 9,
    due: { ...citizenAppeal().due, status: 'none', paused: false },
    materialRequests: [
      { id: 'm1', items: '请补充行驶证照片', requestedAt: '2026-03-05T03:00:00.000Z', answeredAt: '2026-03-06T03:00:00.000Z', answerNote: '已上传', files: [] },
    ],
    decision: {
      outcome: 'revoked',
      effective: true,
      findings: '号牌识别有误',
      legalBasis: ['apl_40'],
      replyText: '经复核，您提出的申诉理由成立，原处罚决定予以撤销。',
      correctedFineYuan: null,
      correctedPoints: null,
      decidedAt: '2026-03-10T03:00:00.000Z',
    },
    ticket: { ...ticket, status: 'revoked', appealTypes: [] },
    letterAvailable: true,
    actions: [],
  })
}

export function staffAppeal(over: Record<string, unknown> = {}) {
  const base = citizenAppeal({
    state: 'in_review',
    actions: ['assign', 'request_material', 'save_findings', 'uphold', 'correct', 'revoke', 'request_extension'],
    ...over,
  })
  return {
    ...base,
    ticket: {
      ...base.ticket,
      officerName: '张路警',
      officerNo: '051234',
      evidenceRef: 'CAM-1',
      evidence: [],
      source: 'api',
      importedAt: '2026-03-01T05:00:00.000Z',
    },
    timeline: base.timeline.map((e) => ({ ...e, actorName: null })),
    unit: { id: 'u1', name: '城区一大队' },
    citizen: { nameMasked: '张*', phoneMasked: '138****8000' },
    assignee: { id: 'me', name: '刘法制' },
    proposedBy: null,
    approvedBy: null,
    earlierAppeals: [],
    ...over,
  }
}

export const letter = {
  kind: 'decision' as const,
  letterNo: 'DF20260302000123',
  appealNumber: 'SS20260302000123',
  issuedAt: '2026-03-10T03:00:00.000Z',
  unitName: '城区一大队',
  citizenName: '张三',
  ticket: {
    decisionNo: '5101041000012345',
    plate: '川A12345',
    occurredAt: '2026-03-01T00:30:00.000Z',
    place: '人民南路与锦江大道交叉口',
    violationDesc: '驾驶机动车违反道路交通信号灯通行',
    fineYuan: 200,
    points: 6,
  },
  submittedAt: '2026-03-02T02:00:00.000Z',
  acceptedAt: '2026-03-02T03:00:00.000Z',
  grounds: 'camera_misread' as const,
  findings: '号牌识别有误',
  outcome: 'revoked' as const,
  correctedFineYuan: null,
  correctedPoints: null,
  legalBasis: [{ key: 'apl_40', label: '《中华人民共和国行政处罚法》第四十条' }],
  replyText: '经复核，您提出的申诉理由成立，原处罚决定予以撤销。',
  refusalReason: null,
  remedies: {
    reconsiderationDays: 60,
    reconsiderationBody: '本级人民政府',
    litigationMonths: 6,
    court: '有管辖权的人民法院',
    citation: '《中华人民共和国行政复议法》',
  },
}

const configured = <T extends object>(list: readonly T[]) => list.map((o, position) => ({ ...o, retired: false, position }))

/** The configuration the server publishes with the built-in defaults, plus `extra` entries per list. */
export function configFixture(extra: Partial<Record<'types' | 'grounds' | 'refuseReasons' | 'legalBases' | 'templates', unknown[]>> = {}): AppealConfig {
  return {
    types: [...APPEAL_TYPES.map((x) => ({ ...x, retired: false })), ...(extra.types ?? [])],
    grounds: [...configured(GROUNDS), ...(extra.grounds ?? [])],
    refuseReasons: [...configured(REFUSE_REASONS), ...(extra.refuseReasons ?? [])],
    legalBases: [...configured(LEGAL_BASES), ...(extra.legalBases ?? [])],
    templates: [...configured(REPLY_TEMPLATES), ...(extra.templates ?? [])],
    remedies: REMEDIES,
    limits: { maxFiles: 9, maxTotalBytes: 20 * 1024 * 1024, statementMin: 10, statementMax: 2000 },
  } as AppealConfig
}

/** Makes `config` the loaded configuration (what labels and forms read) without a request. */
export function useConfig(config: AppealConfig = configFixture()) {
  appealConfig.value = config
}
