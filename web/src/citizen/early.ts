declare global {
  interface Window {
    /** GETs the preload script (web/build/common-chunk-preload.ts) started before the entry ran, by path; null if it failed. */
    __tpEarly?: Record<string, Promise<Response | null>>
  }
}

/**
 * A `fetch` for one API call (openapi-fetch's per-request option): the first call for `path` gets
 * the response the preload script already asked for, so the page does not wait for the entry to
 * run before its data is requested. A later call, one with no early request, or one whose early
 * request failed or was not a success asks the server itself (errors then come from a fresh answer).
 */
export function earlyFetch(path: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const early = window.__tpEarly?.[path]
    if (early) delete window.__tpEarly?.[path]
    const response = early ? await early : null
    return response?.ok ? response : fetch(request)
  }
}
