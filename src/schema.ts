import type { Kysely, Transaction } from 'kysely';
import type { CalendarTables } from './modules/calendar/calendar.table.ts';
import type { CatalogueTables } from './modules/catalogue/catalogue.table.ts';
import type { DataCentreTables } from './modules/datacentres/datacentres.table.ts';
import type { EvaluationTables } from './modules/evaluation/evaluation.table.ts';
import type { FederationTables } from './modules/federation/federation.table.ts';
import type { IdentityTables } from './modules/identity/identity.table.ts';
import type { InventoryTables } from './modules/inventory/inventory.table.ts';
import type { ItProjectTables } from './modules/itprojects/itprojects.table.ts';
import type { MeteringTables } from './modules/metering/metering.table.ts';
import type { MonitoringTables } from './modules/monitoring/monitoring.table.ts';
import type { NotificationTables } from './modules/notifications/notifications.table.ts';
import type { OperationsTables } from './modules/operations/operations.table.ts';
import type { OrderTables } from './modules/orders/orders.table.ts';
import type { PolicyTables } from './modules/policy/policy.table.ts';
import type { ProjectTables } from './modules/projects/projects.table.ts';
import type { LibvirtTables } from './modules/provisioning/drivers/libvirt/libvirt.table.ts';
import type { ProvisioningTables } from './modules/provisioning/provisioning.table.ts';
import type { RequestFormTables } from './modules/requestforms/requestforms.table.ts';
import type { SharedDataTables } from './modules/shareddata/shareddata.table.ts';
import type { TenancyTables } from './modules/tenancy/tenancy.table.ts';
import type { AuditTables } from './platform/audit/audit.table.ts';

/** Every table, composed from the platform's and each module's table types. */
export interface DB
  extends AuditTables,
    TenancyTables,
    IdentityTables,
    CalendarTables,
    CatalogueTables,
    RequestFormTables,
    PolicyTables,
    InventoryTables,
    MeteringTables,
    ProvisioningTables,
    MonitoringTables,
    NotificationTables,
    OrderTables,
    ProjectTables,
    SharedDataTables,
    DataCentreTables,
    EvaluationTables,
    OperationsTables,
    ItProjectTables,
    FederationTables,
    LibvirtTables {}

export type Db = Kysely<DB>;
export type Trx = Transaction<DB>;
