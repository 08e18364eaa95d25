export { AdminApprovalSchema, approvalRoutes } from './approvals.routes.ts';
export { authRoutes, MeSchema } from './auth.routes.ts';
export { identityAuthenticator } from './authenticator.ts';
export { demoUser } from './identity.demo.ts';
export { DEMO_PASSWORD, DEMO_USERS, seedDemoIdentity } from './identity.seed.ts';
export { displayNames, roleHolders } from './people.repository.ts';
export { ADMIN_ROLES, ROLES, type Role } from './roles.ts';
export { ApiTokenSchema, tokenRoutes } from './tokens.routes.ts';
export { UserSchema, userRoutes } from './users.routes.ts';
