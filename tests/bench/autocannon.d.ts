// autocannon ships no types; the bench uses its programmatic API (options in, result out).
declare module 'autocannon' {
  /** The run (a promise of its result) that also emits events, e.g. 'response' as each answer arrives. */
  const autocannon: (opts: Record<string, any>) => Promise<any> & { on(event: 'response', listener: (...args: any[]) => void): void }
  export default autocannon
}
