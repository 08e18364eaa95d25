export {
  type DriverAck,
  type DriverDelivery,
  type DriverRequest,
  type DriverScope,
  type ProvisioningDriver,
  registerDriver,
} from './drivers/index.ts';
export {
  closeSessions as closeLibvirtSessions,
  libvirtFulfilmentJob,
  libvirtReconcileJob,
  libvirtRoutes,
  libvirtSampleJob,
  syncLibvirtDrivers,
} from './drivers/libvirt/index.ts';
export { backupDeadlineJob, sweepBackupDeadlines } from './provisioning.backup.ts';
export {
  type DeadlineRun,
  DISPUTE_ROLE,
  FINDING_ROLE,
  provisioningDeadlineJob,
  sweepProvisioningDeadlines,
} from './provisioning.deadlines.ts';
export { disputeWorkingDays } from './provisioning.delivery-receipts.ts';
// issue 17 (efficiency evaluation): disputes and reconciliation findings against each provider
export { type ProviderDisputeFacts, providerDisputes } from './provisioning.evaluation.repository.ts';
export { expiryJob, sweepExpiries } from './provisioning.expiry.ts';
export { registerFulfilment } from './provisioning.orders.ts';
export { type ProviderResponseFacts, providerResponse, servedPairs } from './provisioning.repository.ts';
export { provisioningRoutes } from './provisioning.routes.ts';
export { PROVISIONING_SCHEMAS } from './provisioning.schemas.ts';
export { seedDemoDeliveries } from './provisioning.seed.ts';
export { deliver, type FulfilmentContext, openWorkOrders } from './provisioning.service.ts';
