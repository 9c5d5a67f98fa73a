import type { GridGeometry } from '@tp/shared/reports/index'

/**
 * The demo jurisdiction: a fictional city centred near 30.66°N 104.06°E, split into six grids
 * (two rows of three) owned by the two city brigades, each with its roads and landmarks.
 * The boundaries follow a river bend on the north row and a ring road on the south row,
 * so they are not plain rectangles; neighbouring grids share their edges exactly.
 */

type Pt = [number, number]
const ring = (pts: Pt[]): Pt[] => [...pts, pts[0] as Pt]
const poly = (pts: Pt[]): GridGeometry => ({ type: 'Polygon', coordinates: [ring(pts)] })

// Shared boundary lines (lng, lat).
const W = 104.02
const X1 = 104.047
const X2 = 104.073
const E = 104.1
const N = 30.69
const S = 30.63
// The east–west boundary between the rows bends with the river.
const mid: Pt[] = [
  [W, 30.6605],
  [104.033, 30.6622],
  [X1, 30.661],
  [104.06, 30.6588],
  [X2, 30.6596],
  [104.087, 30.6612],
  [E, 30.6601],
]
const midBetween = (from: number, to: number) => mid.filter(([x]) => x >= from && x <= to)

export interface SeedGrid {
  code: string
  name: string
  brigade: 0 | 1
  officer: 'officer' | 'officer2'
  assistants: string[]
  roads: { name: string; lat: number; lng: number; kind: 'road' | 'landmark' }[]
  geometry: GridGeometry
}

export const SEED_GRIDS: SeedGrid[] = [
  {
    code: 'JC-01',
    name: '滨江网格',
    brigade: 0,
    officer: 'officer',
    assistants: ['刘路员', '何路员'],
    roads: [
      { name: '滨江西路', lat: 30.6712, lng: 104.0305, kind: 'road' },
      { name: '锦里中路', lat: 30.6788, lng: 104.0389, kind: 'road' },
      { name: '青羊正街', lat: 30.6845, lng: 104.0281, kind: 'road' },
      { name: '滨江公园东门', lat: 30.6695, lng: 104.0433, kind: 'landmark' },
    ],
    geometry: poly([[W, N], [X1, N], ...midBetween(W, X1).reverse()]),
  },
  {
    code: 'JC-02',
    name: '春熙网格',
    brigade: 0,
    officer: 'officer',
    assistants: ['陈路员'],
    roads: [
      { name: '春熙路', lat: 30.6702, lng: 104.0601, kind: 'road' },
      { name: '东大街', lat: 30.6648, lng: 104.0655, kind: 'road' },
      { name: '红星路三段', lat: 30.6761, lng: 104.0578, kind: 'road' },
      { name: '总府路', lat: 30.6733, lng: 104.0642, kind: 'road' },
      { name: '天府广场', lat: 30.6638, lng: 104.0521, kind: 'landmark' },
    ],
    geometry: poly([[X1, N], [X2, N], ...midBetween(X1, X2).reverse()]),
  },
  {
    code: 'JC-03',
    name: '东湖网格',
    brigade: 0,
    officer: 'officer',
    assistants: ['吴路员'],
    roads: [
      { name: '东湖大道', lat: 30.6725, lng: 104.0851, kind: 'road' },
      { name: '建设北路', lat: 30.6819, lng: 104.0912, kind: 'road' },
      { name: '双林路', lat: 30.6688, lng: 104.0954, kind: 'road' },
      { name: '东湖公园', lat: 30.6662, lng: 104.0808, kind: 'landmark' },
    ],
    geometry: poly([[X2, N], [E, N], ...midBetween(X2, E).reverse()]),
  },
  {
    code: 'JC-04',
    name: '高新网格',
    brigade: 1,
    officer: 'officer2',
    assistants: ['郑路员', '冯路员'],
    roads: [
      { name: '天府大道北段', lat: 30.6452, lng: 104.0362, kind: 'road' },
      { name: '科华南路', lat: 30.6385, lng: 104.0291, kind: 'road' },
      { name: '高新南三路', lat: 30.6521, lng: 104.0418, kind: 'road' },
      { name: '高新体育中心', lat: 30.6412, lng: 104.0401, kind: 'landmark' },
    ],
    geometry: poly([...midBetween(W, X1), [X1, S], [W, S]]),
  },
  {
    code: 'JC-05',
    name: '锦华网格',
    brigade: 1,
    officer: 'officer2',
    assistants: ['褚路员'],
    roads: [
      { name: '锦华路一段', lat: 30.6475, lng: 104.0598, kind: 'road' },
      { name: '人民南路四段', lat: 30.6402, lng: 104.0539, kind: 'road' },
      { name: '一环路南三段', lat: 30.6551, lng: 104.0662, kind: 'road' },
      { name: '锦华万达广场', lat: 30.6441, lng: 104.0683, kind: 'landmark' },
    ],
    geometry: poly([...midBetween(X1, X2), [X2, S], [X1, S]]),
  },
  {
    code: 'JC-06',
    name: '科创网格',
    brigade: 1,
    officer: 'officer2',
    assistants: ['卫路员'],
    roads: [
      { name: '科创大道', lat: 30.6462, lng: 104.0855, kind: 'road' },
      { name: '龙舟路', lat: 30.6378, lng: 104.0921, kind: 'road' },
      { name: '三环路东五段', lat: 30.6529, lng: 104.0963, kind: 'road' },
      { name: '东站西广场', lat: 30.6417, lng: 104.0789, kind: 'landmark' },
    ],
    geometry: poly([...midBetween(X2, E), [E, S], [X2, S]]),
  },
]

/** A point of a named road or landmark, nudged by metres east/north (for distinct report spots). */
export function near(road: string, dxM = 0, dyM = 0) {
  for (const g of SEED_GRIDS) {
    const r = g.roads.find((x) => x.name === road)
    if (r) return { lat: r.lat + dyM / 110_540, lng: r.lng + dxM / (111_320 * Math.cos((r.lat * Math.PI) / 180)), roadName: r.name }
  }
  throw new Error(`unknown seed road ${road}`)
}
