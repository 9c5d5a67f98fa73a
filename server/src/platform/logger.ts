import pino from 'pino'

/** Keys whose values are personal data or secrets, redacted at the top level and one level down. */
const SENSITIVE = ['phone', 'contactPhone', 'name', 'idNumber', 'idCard', 'plate', 'vin', 'vinLast6', 'address', 'password', 'code']

/**
 * Structured JSON logs (to stdout, or `destination` — tests read them there). Personal data is
 * redacted by key wherever it appears.
 */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    serializers: { err: safeError },
    redact: { paths: [...SENSITIVE, ...SENSITIVE.map((k) => `*.${k}`), 'req.headers.cookie'], censor: '[redacted]' },
  }
  return destination ? pino(options, destination) : pino(options)
}
export type Logger = ReturnType<typeof createLogger>

/** Query errors carry their parameters (phone numbers, ID numbers): log the statement, never the values. */
function safeError(err: unknown) {
  const e = pino.stdSerializers.err(err as Error)
  const strip = (s: unknown) => (typeof s === 'string' ? s.replace(/\nparams:[^\n]*/g, '\nparams: [redacted]') : s)
  return { ...e, message: strip(e.message), stack: strip(e.stack) }
}
