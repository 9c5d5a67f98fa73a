import type { TestApp } from './app'

export interface Res<T = any> {
  status: number
  body: T
  headers: Headers
}

/**
 * A user agent against `app.request()`: keeps the session cookie, sends the CSRF token, and
 * signs in as a citizen (by OTP, using the development `devCode`) or a staff member.
 */
export class Client {
  cookie = ''
  csrf = ''
  constructor(
    readonly t: TestApp,
    readonly ip = '127.0.0.1',
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const h: Record<string, string> = { 'x-test-ip': this.ip, ...headers }
    if (this.cookie) h.cookie = this.cookie
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf
    let payload: RequestInit['body']
    if (body instanceof FormData) payload = body
    else if (typeof body === 'string') {
      payload = body
      h['content-type'] ??= 'application/json'
    } else if (body !== undefined) {
      payload = JSON.stringify(body)
      h['content-type'] = 'application/json'
    }
    const res = await this.t.app.request(path, { method, headers: h, body: payload })
    const setCookie = res.headers.get('set-cookie')
    if (setCookie?.startsWith('tp_sid=')) {
      const v = setCookie.split(';')[0] as string
      this.cookie = v === 'tp_sid=' ? '' : v
    }
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, body: parsed as T, headers: res.headers }
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers)
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers)
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body ?? {}, headers)
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body ?? {}, headers)
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers)
  }

  async signInCitizen(phone: string): Promise<this> {
    const sent = await this.post('/api/auth/otp', { phone })
    if (sent.status !== 200) throw new Error(`otp request failed: ${sent.status} ${JSON.stringify(sent.body)}`)
    const res = await this.post('/api/auth/otp/verify', { phone, code: sent.body.devCode })
    if (res.status !== 200) throw new Error(`otp verify failed: ${res.status} ${JSON.stringify(res.body)}`)
    this.csrf = res.body.csrfToken
    return this
  }

  async signInStaff(username: string, password = 'demo12345'): Promise<this> {
    const res = await this.post('/api/auth/staff/login', { username, password })
    if (res.status !== 200) throw new Error(`staff login failed: ${res.status} ${JSON.stringify(res.body)}`)
    this.csrf = res.body.csrfToken
    return this
  }
}

/** A new client per user; distinct IPs keep per-IP rate limits from colliding between users. */
let nextIp = 10
export const newClient = (t: TestApp) => new Client(t, `10.0.0.${nextIp++ % 250}`)

export async function citizen(t: TestApp, phone = '13800138000') {
  return newClient(t).signInCitizen(phone)
}

export async function staffUser(t: TestApp, username: string) {
  return newClient(t).signInStaff(username)
}
