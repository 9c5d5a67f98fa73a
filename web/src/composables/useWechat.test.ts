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
