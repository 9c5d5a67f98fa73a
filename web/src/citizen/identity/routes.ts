import type { RouteRecordRaw } from 'vue-router'

/** 我的 → 个人资料 / 我的车辆 / 隐私与账号. */
export default [
  { path: '/me/profile', name: 'identity-profile', component: () => import('./ProfilePage.vue'), meta: { auth: true, titleKey: 'identity.title.profile' } },
  { path: '/me/vehicles', name: 'identity-vehicles', component: () => import('./VehiclesPage.vue'), meta: { auth: true, titleKey: 'identity.title.vehicles' } },
  { path: '/me/privacy', name: 'identity-privacy', component: () => import('./PrivacyPage.vue'), meta: { auth: true, titleKey: 'identity.title.privacy' } },
] satisfies RouteRecordRaw[]
