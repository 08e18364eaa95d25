// What other modules may import from projects (contract: see the common brief).

export { approveDeclaredProject, assertReviewed, setProjectReviewPassed } from './projects.lifecycle.ts';
export { projectRoutes } from './projects.routes.ts';
export {
  assertSystemMayGoLive,
  assertSystemMayUseCloud,
  cloudRefusal,
  DIMENSIONS,
  type Dimension,
  dimensionsOfLine,
  isDimension,
  reviewRefusal,
} from './projects.rules.ts';
export { PROJECT_SCHEMAS } from './projects.schemas.ts';
export { seedDemoProjects } from './projects.seed.ts';
export {
  createProject,
  getProject,
  getSystem,
  listProjects,
  listSystems,
  type ProjectFacts,
  projectQuotaAt,
  type SystemFacts,
  systemsOfJurisdictions,
  unitProjectsQuotaTotal,
} from './projects.service.ts';
export type { ProjectTables } from './projects.table.ts';
