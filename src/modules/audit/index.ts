export { AuditEventSchema, auditRoutes } from './audit.routes.ts';
