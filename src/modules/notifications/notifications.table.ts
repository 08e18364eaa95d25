import type { ColumnType, Generated, Selectable } from 'kysely';

export interface NotificationTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  user_id: string;
  event_id: string;
  kind: string;
  title_zh: string;
  title_en: string;
  body_zh: string | null;
  body_en: string | null;
  link: string | null;
  entity_type: string | null;
  entity_id: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  read_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface WebhookSubscriptionTable {
  id: Generated<string>;
  jurisdiction_id: string;
  name: string;
  url: string;
  event_kinds: string[];
  secret_sealed: string;
  active: Generated<boolean>;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface WebhookEgressPolicyTable {
  jurisdiction_id: string;
  allowed_hosts: string[];
  allowed_networks: string[];
  updated_by: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type DeliveryChannel = 'email' | 'webhook';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface NotificationDeliveryTable {
  id: Generated<string>;
  channel: DeliveryChannel;
  jurisdiction_id: string;
  event_id: string;
  kind: string;
  subscription_id: string | null;
  user_id: string | null;
  recipient: string | null;
  payload: ColumnType<unknown, string, string>;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  delivered_at: Date | null;
  /** set while an instance is sending it; an expired claim may be taken again (migration 0050) */
  claimed_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface NotificationDeliveryAttemptTable {
  id: Generated<string>;
  delivery_id: string;
  attempt: number;
  attempted_at: Date;
  target: string | null;
  status_code: number | null;
  duration_ms: number;
  outcome: 'delivered' | 'retry' | 'failed';
  error: string | null;
}

export interface NotificationTables {
  notification: NotificationTable;
  webhook_subscription: WebhookSubscriptionTable;
  webhook_egress_policy: WebhookEgressPolicyTable;
  notification_delivery: NotificationDeliveryTable;
  notification_delivery_attempt: NotificationDeliveryAttemptTable;
}

export type NotificationRecord = Selectable<NotificationTable>;
export type SubscriptionRecord = Selectable<WebhookSubscriptionTable>;
export type DeliveryRecord = Selectable<NotificationDeliveryTable>;
export type AttemptRecord = Selectable<NotificationDeliveryAttemptTable>;
