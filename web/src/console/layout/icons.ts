import {
  Bell,
  Calendar,
  DataAnalysis,
  Document,
  Files,
  House,
  List,
  Location,
  Monitor,
  OfficeBuilding,
  Setting,
  Star,
  Tickets,
  Timer,
  User,
  Van,
  Warning,
} from '@element-plus/icons-vue'
import type { Component } from 'vue'

/** Icons a feature may name in its menu entry (`icon: 'Warning'`); any other name shows Document. */
export const MENU_ICONS: Record<string, Component> = {
  Bell,
  Calendar,
  DataAnalysis,
  Document,
  Files,
  House,
  List,
  Location,
  Monitor,
  OfficeBuilding,
  Setting,
  Star,
  Tickets,
  Timer,
  User,
  Van,
  Warning,
}

export function menuIcon(icon: string | Component | undefined): Component {
  if (!icon) return Document
  if (typeof icon === 'string') return MENU_ICONS[icon] ?? Document
  return icon
}
