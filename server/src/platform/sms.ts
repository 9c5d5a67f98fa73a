import type { Config } from '../config'
import type { Logger } from './logger'

/** Delivers one-time codes. `dev` logs the code; `http` posts to a gateway selected by configuration. */
export interface SmsProvider {
  readonly name: string
  sendCode(phone: string, code: string): Promise<void>
}

export function createSmsProvider(config: Config, log: Logger): SmsProvider {
  if (config.sms.provider === 'http') {
    const { url, token } = config.sms
    return {
      name: 'http',
      async sendCode(phone, code) {
        const res = await fetch(url as string, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ phone, template: 'otp', params: { code } }),
          signal: AbortSignal.timeout(5000),
        })
        if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`)
      },
    }
  }
  return {
    name: 'dev',
    async sendCode(phone, code) {
      // The development provider's whole job is to show the code to the developer; the number is masked.
      log.info({ to: `${phone.slice(0, 3)}****${phone.slice(-4)}`, otp: code }, 'dev SMS: one-time code')
    },
  }
}
