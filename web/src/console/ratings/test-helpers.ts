import ratingsConsole from './i18n'

export { answer, failure, mockApi } from '@/citizen/ratings/test-helpers'

/** This feature's console messages as the shell merges them (under `ratings`). */
export const ratingsConsoleI18n = { './ratings/i18n.ts': { default: ratingsConsole } }
