export {
  deliveryJob,
  egressPolicyOf,
  MAX_ATTEMPTS,
  NOTIFICATION_DELIVERY_JOB,
  RETRY_DELAYS_MS,
  webhookSignature,
} from './deliver.ts';
export { configureMail, type MailSettings, mailSettings } from './mail.ts';
export { notificationRoutes } from './notifications.routes.ts';
export { NOTIFICATION_SCHEMAS } from './notifications.schemas.ts';
export { setEgressPolicy } from './notifications.service.ts';
export { type Notice, notify, SECRET_PLACEHOLDER, type WebhookBody } from './notify.ts';
export { registerOutboxMetrics } from './outbox.metrics.ts';
