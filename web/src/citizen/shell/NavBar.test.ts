import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import NavBar from './NavBar.vue'

describe('citizen nav bar', () => {
  it('is a banner with the page title and no back button on a tab page', () => {
    const w = mount(NavBar, { props: { title: '我的办事' } })
    expect(w.element.tagName).toBe('HEADER')
    expect(w.find('.tp-navbar__title').text()).toBe('我的办事')
    expect(w.find('button').exists()).toBe(false)
  })

  it('offers a labelled back button below the tab pages', async () => {
    const w = mount(NavBar, { props: { title: '通知', backLabel: '返回' } })
    const back = w.get('button')
    expect(back.attributes('type')).toBe('button')
    expect(back.text()).toBe('返回')
    expect(back.get('svg').attributes('aria-hidden')).toBe('true')
    await back.trigger('click')
    expect(w.emitted('back')).toHaveLength(1)
  })
})
