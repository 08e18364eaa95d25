import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Federation between separate installations (issue 22; SH 8, 12, 13, 15; NB 10-11): a district installation
// reports to the city's. Both sides have an identity (an SM2 key pair), links to peers, and:
// - on the reporting side, an outbox filled by triggers on the reported tables, in the same transaction as
//   the change, and the sealed, signed batches cut from it (kept until acknowledged, then as a trail);
// - on the receiving side, the reported records (summary level: what the district sends and nothing else),
//   the batches applied (one row per sequence number: nothing is applied twice) and the refusals.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('federation_identity')
    .addColumn('installation_id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('singleton', 'boolean', (c) => c.notNull().defaultTo(true).unique().check(sql`singleton`))
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // direction 'district': a district reporting to this installation (the city side); 'city': the city this
  // installation reports to (the district side).
  await db.schema
    .createTable('federation_peer')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('district', 'city')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('peer_installation_id', 'uuid')
    .addColumn('peer_public_key', 'text')
    .addColumn('url', 'text')
    .addColumn('allowed_networks', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`state in ('pending', 'active', 'revoked')`),
    )
    .addColumn('enrolment_code_hash', 'text')
    .addColumn('enrolment_expires_at', 'timestamptz')
    // receiving side
    .addColumn('applied_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_applied_at', 'timestamptz')
    .addColumn('last_lag_ms', 'bigint')
    .addColumn('silence_minutes', 'integer', (c) => c.notNull().defaultTo(15).check(sql`silence_minutes > 0`))
    .addColumn('silent_since', 'timestamptz')
    // sending side
    .addColumn('sealed_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('acked_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('last_delivered_at', 'timestamptz')
    // the catalogue version the district runs (as reported on the city side, as accepted on the district side)
    .addColumn('catalogue_version', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index federation_peer_installation_idx on federation_peer (direction, peer_installation_id)
    where peer_installation_id is not null`.execute(db);
  await sql`create unique index federation_peer_district_idx on federation_peer (direction, district_code)
    where state <> 'revoked'`.execute(db);

  await db.schema
    .createTable('federation_outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull().check(sql`op in ('upsert', 'delete')`))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();

  await db.schema
    .createTable('federation_batch')
    .addColumn('peer_id', 'uuid', (c) => c.notNull().references('federation_peer.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('change_count', 'integer', (c) => c.notNull())
    .addColumn('oldest_change_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acked_at', 'timestamptz')
    .addPrimaryKeyConstraint('federation_batch_pkey', ['peer_id', 'seq'])
    .execute();

  await db.schema
    .createTable('federation_received')
    .addColumn('peer_id', 'uuid', (c) => c.notNull().references('federation_peer.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('change_count', 'integer', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull())
    .addColumn('lag_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('federation_received_pkey', ['peer_id', 'seq'])
    .execute();

  await db.schema
    .createTable('federation_record')
    .addColumn('peer_id', 'uuid', (c) => c.notNull().references('federation_peer.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('federation_record_pkey', ['peer_id', 'source', 'key'])
    .execute();

  await db.schema
    .createTable('federation_refusal')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('peer_id', 'uuid')
    .addColumn('claimed_installation_id', 'text')
    .addColumn('seq', 'bigint')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // Catalogue versions the city pushed down; accepted_at when the district took it into its own derivation.
  await db.schema
    .createTable('federation_catalogue')
    .addColumn('peer_id', 'uuid', (c) => c.notNull().references('federation_peer.id'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_by', 'text')
    .addPrimaryKeyConstraint('federation_catalogue_pkey', ['peer_id', 'version'])
    .execute();

  // The outbox triggers: statement-level, over the transition tables, so a bulk change costs one INSERT ...
  // SELECT; written only while this installation reports to a city (an active 'city' link).
  const sources: [table: string, key: string][] = [
    ['resource', `r.id::text`],
    ['resource_event', `r.id::text`],
    [
      'monitoring_rollup',
      `r.resource_id::text || '|' || r.metric || '|' || to_char(r.hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
    ],
    ['statement', `r.id::text`],
    ['monitoring_finding', `r.id::text`],
  ];
  for (const [table, key] of sources) {
    await sql
      .raw(`
      create function federation_outbox_${table}() returns trigger language plpgsql as $$
      begin
        if not exists (select 1 from federation_peer where direction = 'city' and state = 'active') then
          return null;
        end if;
        if tg_op = 'DELETE' then
          insert into federation_outbox (source, op, key, payload)
          select '${table}', 'delete', ${key}, null from old_rows r;
        else
          insert into federation_outbox (source, op, key, payload)
          select '${table}', 'upsert', ${key}, to_jsonb(r) from new_rows r;
        end if;
        return null;
      end $$`)
      .execute(db);
    for (const op of ['insert', 'update', 'delete']) {
      const ref = op === 'delete' ? 'old table as old_rows' : 'new table as new_rows';
      await sql
        .raw(
          `create trigger federation_outbox_${op} after ${op} on ${table} referencing ${ref}
           for each statement execute function federation_outbox_${table}()`,
        )
        .execute(db);
    }
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
