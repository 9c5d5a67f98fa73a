import pino from 'pino'

/** Structured JSON logs. Personal data is redacted by key wherever it appears. */
export function createLogger(level: string) {
  return pino({
    level,
    base: undefined,
    serializers: { err: safeError },
    redact: {
      paths: ['phone', 'idNumber', 'idCard', 'password', 'code', '*.phone', '*.idNumber', '*.password', '*.code', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  })
}
export type Logger = ReturnType<typeof createLogger>

/** Query errors carry their parameters (phone numbers, ID numbers): log the statement, never the values. */
function safeError(err: unknown) {
  const e = pino.stdSerializers.err(err as Error)
  const strip = (s: unknown) => (typeof s === 'string' ? s.replace(/\nparams:[^\n]*/g, '\nparams: [redacted]') : s)
  return { ...e, message: strip(e.message), stack: strip(e.stack) }
}
