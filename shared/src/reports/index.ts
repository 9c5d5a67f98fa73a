// Road reports (capability 1): import as '@tp/shared/reports/index'.
export * from './due'
export * from './exif'
export * from './geo'
export * from './kind-name'
export * from './kinds'
export * from './machine'
export * from './privacy'
export * from './schemas'
