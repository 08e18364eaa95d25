import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Reconciliation findings (0011) were unique by (provider, kind, identifier, fingerprint) whatever their
// status, so once the ops unit resolved a finding the same discrepancy, found again in a later report, was
// never raised again. The fingerprint now makes a finding unique among the OPEN ones only: pushing the same
// snapshot twice still raises nothing new while the first finding is open, and a discrepancy that comes back
// after its finding was resolved is a new finding. insertFinding's `on conflict do nothing` takes the
// partial index as it took the full one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index inventory_finding_fingerprint_idx`.execute(db);
  await sql`create unique index inventory_finding_open_fingerprint_idx
    on inventory_finding (provider_id, kind, external_id, fingerprint) where status = 'open'`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
