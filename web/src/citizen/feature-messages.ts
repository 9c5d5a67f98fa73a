/**
 * Every citizen feature's messages (`./<feature>/i18n.ts`, placed under the folder's name), in one
 * chunk of their own: the home renders with the shell's messages alone, and main.ts loads these
 * before any other page renders (web/build/common-chunk-preload.ts asks for them beside the entry).
 */
export default import.meta.glob('./*/i18n.ts', { eager: true })
