/** ECharts, loaded only when a ratings chart is shown (its own chunk), with just the parts used. */
export async function loadECharts() {
  const [core, charts, components, renderers] = await Promise.all([
    import('echarts/core'),
    import('echarts/charts'),
    import('echarts/components'),
    import('echarts/renderers'),
  ])
  core.use([charts.LineChart, charts.BarChart, components.GridComponent, components.TooltipComponent, components.LegendComponent, renderers.CanvasRenderer])
  return core
}

export interface Series {
  name: string
  values: (number | null)[]
  kind: 'bar' | 'line'
  /** A percentage axis (0–100). */
  percent?: boolean
}

/** The chart option for categories × series (rates shown as percentages). */
export function chartOption(categories: string[], series: Series[]) {
  const percent = series.some((s) => s.percent)
  return {
    animation: false,
    grid: { left: 48, right: 24, top: 36, bottom: 64 },
    tooltip: { trigger: 'axis' as const },
    legend: { top: 0 },
    xAxis: { type: 'category' as const, data: categories, axisLabel: { interval: 0, rotate: categories.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value' as const, ...(percent ? { min: 0, max: 100, axisLabel: { formatter: '{value}%' } } : {}) },
    series: series.map((s) => ({
      name: s.name,
      type: s.kind,
      data: s.values.map((v) => (v === null ? null : s.percent ? Math.round(v * 1000) / 10 : v)),
      connectNulls: true,
      barMaxWidth: 36,
      itemStyle: { color: '#1559c7' },
    })),
  }
}
