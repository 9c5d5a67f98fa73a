// autocannon ships no types; the bench uses its programmatic API (options in, result out).
declare module 'autocannon' {
  const autocannon: (opts: Record<string, any>) => Promise<any>
  export default autocannon
}
