import { readonly, ref } from 'vue'
import type { Router } from 'vue-router'
import { api } from '@/api/client'

/**
 * WeChat awareness for the citizen H5. Detects the WeChat webview and the mini-program `web-view`;
 * inside WeChat, `setupWechat` loads the JS-SDK and configures it with a server-signed config
 * (GET /api/wechat/js-config), and location and photos then go through it. Whenever it is not
 * configured, not there or failing, the browser's own APIs are used, which also work inside
 * WeChat. Coordinates are WGS-84 in both cases.
 */

/** jweixin served from the portal's own origin (the CSP allows only 'self' scripts). */
const SDK_URL = (import.meta.env.VITE_WECHAT_JSSDK_URL as string | undefined) || '/wechat/jweixin-1.6.0.js'

interface WxConfig {
  appId: string
  timestamp: number
  nonceStr: string
  signature: string
}

interface WxSdk {
  config(c: WxConfig & { debug?: boolean; jsApiList: string[] }): void
  ready(fn: () => void): void
  error(fn: (e: unknown) => void): void
  getLocation(o: {
    type: 'wgs84' | 'gcj02'
    success: (r: { latitude: number; longitude: number; accuracy?: number }) => void
    fail: (e: unknown) => void
    cancel?: () => void
  }): void
  chooseImage(o: {
    count: number
    sizeType: string[]
    sourceType: string[]
    success: (r: { localIds: string[] }) => void
    fail: (e: unknown) => void
    cancel?: () => void
  }): void
  getLocalImgData(o: { localId: string; success: (r: { localData: string }) => void; fail: (e: unknown) => void }): void
}

declare global {
  interface Window {
    wx?: WxSdk
    __wxjs_environment?: string
  }
}

export function isWechat(ua: string = typeof navigator === 'undefined' ? '' : navigator.userAgent): boolean {
  return /MicroMessenger/i.test(ua)
}

export function isMiniProgram(ua: string = typeof navigator === 'undefined' ? '' : navigator.userAgent): boolean {
  return (typeof window !== 'undefined' && window.__wxjs_environment === 'miniprogram') || /miniProgram/i.test(ua)
}

const sdkReady = ref(false)

const scripts = new Map<string, Promise<void>>()

/** Loads a script once (a failed load is not retried: the browser APIs serve meanwhile). */
function loadScript(src: string): Promise<void> {
  const loaded = scripts.get(src)
  if (loaded) return loaded
  const loading = new Promise<void>((resolve, reject) => {
    const s = document.createElement('script')
    s.src = src
    s.async = true
    s.onload = () => resolve()
    s.onerror = () => reject(new Error(`failed to load ${src}`))
    document.head.appendChild(s)
  })
  scripts.set(src, loading)
  return loading
}

/**
 * Turns the JS-SDK on with a server-signed config. `sdkUrl` must be allowed by the page's CSP
 * (serve a copy of jweixin from the portal's own origin). Resolves false when anything fails; the
 * browser APIs are then used.
 */
export async function configureWechat(config: WxConfig, sdkUrl = SDK_URL): Promise<boolean> {
  if (!isWechat()) return false
  sdkReady.value = false
  try {
    if (!window.wx) await loadScript(sdkUrl)
    const wx = window.wx
    if (!wx) return false
    return await new Promise<boolean>((resolve) => {
      wx.config({ ...config, jsApiList: ['getLocation', 'chooseImage', 'getLocalImgData'] })
      wx.ready(() => {
        sdkReady.value = true
        resolve(true)
      })
      wx.error(() => resolve(false))
    })
  } catch {
    return false
  }
}

const pageUrl = () => location.href.split('#')[0] as string

/**
 * Inside WeChat: signs and configures the JS-SDK for the page, once per URL that WeChat checks —
 * iOS checks the URL the H5 was entered with, Android the current one (so again after each
 * navigation there). Not in WeChat, or WeChat not configured on the server: nothing happens.
 */
export function setupWechat(router: Router): void {
  if (!isWechat()) return
  const entryUrl = pageUrl()
  const ios = /iPhone|iPad|iPod/i.test(navigator.userAgent)
  let signedFor = ''
  router.afterEach(async () => {
    const url = ios ? entryUrl : pageUrl()
    if (url === signedFor) return
    signedFor = url
    const { data } = await api.GET('/api/wechat/js-config', { params: { query: { url } } }).catch(() => ({ data: undefined }))
    if (data && signedFor === url) await configureWechat(data)
  })
}

export interface GeoPoint {
  lat: number
  lng: number
  accuracy: number | null
  source: 'wechat' | 'browser'
}

export type LocationErrorCode = 'denied' | 'unavailable' | 'timeout' | 'unsupported' | 'cancelled'

export class LocationError extends Error {
  constructor(readonly code: LocationErrorCode) {
    super(`location ${code}`)
    this.name = 'LocationError'
  }
}

/** Through the JS-SDK when it is ready (the browser's location if WeChat fails), else the browser's. */
export function getLocation(options: { timeoutMs?: number } = {}): Promise<GeoPoint> {
  const wx = window.wx
  if (sdkReady.value && wx) {
    return new Promise((resolve, reject) =>
      wx.getLocation({
        type: 'wgs84',
        success: (r) => resolve({ lat: r.latitude, lng: r.longitude, accuracy: r.accuracy ?? null, source: 'wechat' }),
        fail: () => browserLocation(options).then(resolve, reject),
        cancel: () => reject(new LocationError('cancelled')),
      }),
    )
  }
  return browserLocation(options)
}

function browserLocation(options: { timeoutMs?: number }): Promise<GeoPoint> {
  const timeout = options.timeoutMs ?? 10_000
  if (typeof navigator === 'undefined' || !navigator.geolocation) return Promise.reject(new LocationError('unsupported'))
  return new Promise((resolve, reject) =>
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy ?? null, source: 'browser' }),
      (e) => reject(new LocationError(e.code === 1 ? 'denied' : e.code === 3 ? 'timeout' : 'unavailable')),
      { enableHighAccuracy: true, timeout, maximumAge: 60_000 },
    ),
  )
}

function dataUrlToFile(data: string, name: string): File {
  const base64 = data.includes(',') ? data.slice(data.indexOf(',') + 1) : data
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  return new File([bytes], name, { type: 'image/jpeg' })
}

/**
 * Lets the citizen pick or take photos; resolves with Files ready for upload (empty when
 * cancelled). Call it from a tap handler. Most forms use Vant's Uploader instead, which relies on
 * the same browser file input.
 */
export function choosePhotos(max = 9, options: { camera?: boolean } = {}): Promise<File[]> {
  const wx = window.wx
  if (sdkReady.value && wx) {
    return new Promise((resolve) =>
      wx.chooseImage({
        count: max,
        sizeType: ['compressed'],
        sourceType: options.camera ? ['camera'] : ['album', 'camera'],
        success: async ({ localIds }) => {
          const files = await Promise.all(
            localIds.map(
              (localId, i) =>
                new Promise<File | null>((ok) =>
                  wx.getLocalImgData({ localId, success: (r) => ok(dataUrlToFile(r.localData, `photo-${i + 1}.jpg`)), fail: () => ok(null) }),
                ),
            ),
          )
          resolve(files.filter((f): f is File => f !== null))
        },
        fail: () => browserPhotos(max, options).then(resolve),
        cancel: () => resolve([]),
      }),
    )
  }
  return browserPhotos(max, options)
}

function browserPhotos(max: number, options: { camera?: boolean }): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input')
    input.type = 'file'
    input.accept = 'image/*'
    input.multiple = max > 1
    if (options.camera) input.setAttribute('capture', 'environment')
    input.style.display = 'none'
    input.addEventListener('change', () => {
      resolve(Array.from(input.files ?? []).slice(0, max))
      input.remove()
    })
    input.addEventListener('cancel', () => {
      resolve([])
      input.remove()
    })
    document.body.appendChild(input)
    input.click()
  })
}

export function useWechat() {
  return {
    inWechat: isWechat(),
    inMiniProgram: isMiniProgram(),
    sdkReady: readonly(sdkReady),
    getLocation,
    choosePhotos,
  }
}
