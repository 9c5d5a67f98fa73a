import type { Module } from '../../platform/module'
import { createRouter } from '../../platform/openapi'
import { consoleRoutes } from './console.routes'
import { reportJobs } from './jobs'
import { myReportCases } from './my-cases'
import { open311Routes } from './open311.routes'
import { citizenRoutes } from './reports.routes'
import { seedReports } from './reports.seed'

const routes = createRouter()
routes.route('/', citizenRoutes)
routes.route('/', consoleRoutes)
routes.route('/', open311Routes)

/** Road reports (capability 1): citizen H5, command-centre console, Open311 GeoReport v2. */
export const reportsModule: Module = { name: 'reports', routes, myCases: myReportCases, seed: seedReports, jobs: reportJobs }
