export { federationLinkRoutes } from './federation.links.routes.ts';
export { federationPruneJob } from './federation.links.ts';
export { federationRoutes } from './federation.routes.ts';
export { FEDERATION_SCHEMAS } from './federation.schemas.ts';
export { deliver, federationSendJob, federationWatchJob } from './federation.sender.ts';
