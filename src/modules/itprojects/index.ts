// What other modules and app.ts may use of the IT-project lifecycle (issue 19).

export { goLiveRefusal } from './itprojects.delivery.ts';
export { itProjectRoutes } from './itprojects.routes.ts';
export { ITPROJECT_SCHEMAS } from './itprojects.schemas.ts';
export { seedDemoItProjects } from './itprojects.seed.ts';
export type { ItProjectTables } from './itprojects.table.ts';
