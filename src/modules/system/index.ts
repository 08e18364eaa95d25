export { SystemInfoSchema, systemRoutes } from './system.routes.ts';
