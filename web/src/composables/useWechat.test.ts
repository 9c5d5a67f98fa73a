import { afterEach, describe, expect, it, vi } from 'vitest'
import { getLocation, isMiniProgram, isWechat, LocationError } from './useWechat'

const WECHAT_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50 NetType/WIFI Language/zh_CN'

describe('useWechat', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('detects the WeChat webview and the mini-program web-view', () => {
    expect(isWechat(WECHAT_UA)).toBe(true)
    expect(isWechat('Mozilla/5.0 (iPhone) Safari/605.1')).toBe(false)
    expect(isMiniProgram(`${WECHAT_UA} miniProgram`)).toBe(true)
    expect(isMiniProgram(WECHAT_UA)).toBe(false)
  })

  it('uses the browser location when the JS-SDK is not configured', async () => {
    const getCurrentPosition = vi.fn((ok: PositionCallback) => ok({ coords: { latitude: 30.1, longitude: 104.2, accuracy: 12 } } as GeolocationPosition))
    vi.stubGlobal('navigator', { userAgent: WECHAT_UA, geolocation: { getCurrentPosition } })
    await expect(getLocation()).resolves.toEqual({ lat: 30.1, lng: 104.2, accuracy: 12, source: 'browser' })
  })

  it('explains a refused location', async () => {
    vi.stubGlobal('navigator', {
      userAgent: '',
      geolocation: { getCurrentPosition: (_ok: PositionCallback, fail: PositionErrorCallback) => fail({ code: 1 } as GeolocationPositionError) },
    })
    const err = await getLocation().catch((e) => e)
    expect(err).toBeInstanceOf(LocationError)
    expect(err.code).toBe('denied')
  })

  it('says when there is no location at all', async () => {
    vi.stubGlobal('navigator', { userAgent: '' })
    await expect(getLocation()).rejects.toMatchObject({ code: 'unsupported' })
  })
})

describe('the WeChat JS-SDK', () => {
  const SIGNED = { appId: 'wx00aa11bb22cc33dd', timestamp: 1741572000, nonceStr: 'abc123', signature: 'f'.repeat(40) }
  const ANDROID_UA = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.50'

  /** A fresh copy of the composable (its SDK state is per page) with a fake `wx` and a fake API. */
  async function load(ua: string, opts: { signed?: boolean; wxLocation?: 'ok' | 'fail' } = {}) {
    vi.resetModules()
    const geolocation = {
      getCurrentPosition: vi.fn((ok: PositionCallback) => ok({ coords: { latitude: 30.1, longitude: 104.2, accuracy: 12 } } as GeolocationPosition)),
    }
    vi.stubGlobal('navigator', { userAgent: ua, geolocation })
    let onReady = () => {}
    const wx = {
      config: vi.fn(() => setTimeout(() => onReady())),
      ready: vi.fn((fn: () => void) => {
        onReady = fn
      }),
      error: vi.fn(),
      getLocation: vi.fn((o: { success: (r: { latitude: number; longitude: number; accuracy: number }) => void; fail: (e: unknown) => void }) =>
        opts.wxLocation === 'fail' ? o.fail({ errMsg: 'getLocation:fail' }) : o.success({ latitude: 30.5, longitude: 104.5, accuracy: 30 }),
      ),
      chooseImage: vi.fn(),
      getLocalImgData: vi.fn(),
    }
    window.wx = wx
    const { api } = await import('@/api/client')
    const get = vi
      .spyOn(api, 'GET')
      .mockImplementation((async () =>
        opts.signed === false ? { error: { error: { code: 'not_found' } }, response: new Response(null, { status: 404 }) } : { data: SIGNED }) as never)
    const mod = await import('./useWechat')
    const { createMemoryHistory, createRouter } = await import('vue-router')
    const Page = { render: () => null }
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', component: Page },
        { path: '/reports/new', component: Page },
      ],
    })
    mod.setupWechat(router)
    return { mod, wx, get, router, geolocation }
  }
  const settle = () => new Promise((r) => setTimeout(r, 10))
  const signedUrls = (get: { mock: { calls: unknown[][] } }) => get.mock.calls.map((c) => (c[1] as { params: { query: { url: string } } }).params.query.url)

  afterEach(() => {
    window.wx = undefined
  })

  it('is configured with the server-signed config and then used for location', async () => {
    const { mod, wx, get, router } = await load(WECHAT_UA)
    await router.push('/')
    await settle()
    expect(get).toHaveBeenCalledWith('/api/wechat/js-config', { params: { query: { url: location.href.split('#')[0] } } })
    expect(wx.config).toHaveBeenCalledWith(expect.objectContaining({ ...SIGNED, jsApiList: expect.arrayContaining(['getLocation', 'chooseImage']) }))
    expect(mod.useWechat().sdkReady.value).toBe(true)
    await expect(mod.getLocation()).resolves.toEqual({ lat: 30.5, lng: 104.5, accuracy: 30, source: 'wechat' })
  })

  it('falls back to the browser location when WeChat fails', async () => {
    const { mod, wx, router, geolocation } = await load(WECHAT_UA, { wxLocation: 'fail' })
    await router.push('/')
    await settle()
    await expect(mod.getLocation()).resolves.toMatchObject({ source: 'browser' })
    expect(wx.getLocation).toHaveBeenCalled()
    expect(geolocation.getCurrentPosition).toHaveBeenCalled()
  })

  it('stays on the browser APIs when the server has no WeChat config, or outside WeChat', async () => {
    const off = await load(WECHAT_UA, { signed: false })
    await off.router.push('/')
    await settle()
    expect(off.get).toHaveBeenCalled()
    expect(off.wx.config).not.toHaveBeenCalled()
    await expect(off.mod.getLocation()).resolves.toMatchObject({ source: 'browser' })

    const browser = await load('Mozilla/5.0 (iPhone) Safari/605.1')
    await browser.router.push('/')
    await settle()
    expect(browser.get).not.toHaveBeenCalled()
    await expect(browser.mod.getLocation()).resolves.toMatchObject({ source: 'browser' })
  })

  it('signs once on iOS (the entry URL) and again after each navigation on Android', async () => {
    const ios = await load(WECHAT_UA)
    await ios.router.push('/')
    await ios.router.push('/reports/new')
    await settle()
    expect(signedUrls(ios.get)).toHaveLength(1)

    const android = await load(ANDROID_UA)
    await android.router.push('/')
    await settle()
    history.pushState({}, '', '/reports/new')
    await android.router.push('/reports/new')
    await settle()
    expect(signedUrls(android.get)).toEqual([expect.stringMatching(/\/$/), expect.stringMatching(/\/reports\/new$/)])
    expect(android.wx.config).toHaveBeenCalledTimes(2)
  })
})
