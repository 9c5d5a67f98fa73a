import { ErrorBody, WechatJsConfig, WechatJsConfigQuery } from '@tp/shared'
import { PUBLIC } from '../../platform/access'
import { createRouter, jsonContent, route } from '../../platform/openapi'
import { wechatJsConfig } from './wechat-jssdk.service'

/** The WeChat JS-SDK for the citizen H5 (location and photos inside WeChat). */
export const wechatRoutes = createRouter().openapi(
  route({
    method: 'get',
    path: '/api/wechat/js-config',
    tags: ['Identity'],
    access: PUBLIC,
    summary: 'Signed WeChat JS-SDK config (wx.config) for one page URL',
    description: '404 when WeChat is not configured; 503 while WeChat does not answer.',
    request: { query: WechatJsConfigQuery },
    responses: { 200: jsonContent(WechatJsConfig), 503: jsonContent(ErrorBody, 'WeChat is not answering') },
  }),
  async (c) => c.json(await wechatJsConfig(c.get('ctx'), c.req.valid('query').url), 200),
)
