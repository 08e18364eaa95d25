import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { sm2 } from 'sm-crypto-v2';
import type { AuditTables } from './audit.table.ts';
import { AUDIT_CHAIN_LOCK, canonicalJson, sealAudit, verifyAuditChain } from './audit.ts';

/**
 * Signed checkpoints of the audit chain, kept outside the database (docs/security.md): someone who can
 * write to the database, even with the audit key, cannot rebuild the chain or cut its tail without the
 * checkpoints written earlier disagreeing. Each checkpoint records the chain's head (entry count, the
 * head entry's id and hash, the time) and the id and hash of every entry since the previous checkpoint,
 * signed with SM2 (GB/T 32918, sm-crypto-v2 over @noble/curves; docs/decisions.md). The file is only ever
 * appended to.
 */
export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

/** SM2's group order n: a private key is 1..n-1. */
const SM2_ORDER = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

export interface CheckpointKeys {
  privateKey: string;
  publicKey: string;
}

/**
 * The signing key: YUNGUAN_AUDIT_SIGNING_KEY (64 hex digits, an SM2 private key) when given, otherwise
 * derived from YUNGUAN_AUDIT_KEY (HMAC-SM3, reduced into 1..n-1). Verification needs only the public key.
 */
export function checkpointKeys(auditKey: string, signingKey?: string): CheckpointKeys {
  let d: bigint;
  if (signingKey) d = BigInt(`0x${signingKey}`);
  else {
    const digest = createHmac('sm3', Buffer.from(auditKey, 'utf8'))
      .update('yunguan audit checkpoint key')
      .digest('hex');
    d = (BigInt(`0x${digest}`) % (SM2_ORDER - 1n)) + 1n;
  }
  if (d <= 0n || d >= SM2_ORDER) throw new Error('the audit signing key is not a valid SM2 private key');
  const privateKey = d.toString(16).padStart(64, '0');
  return { privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey) };
}

export interface Checkpoint {
  v: 1;
  /** when it was taken (ISO 8601, UTC) */
  at: string;
  /** entries in the table up to and including the head */
  count: number;
  headId: string;
  headHash: string;
  /** `id:hash` of every entry after the previous checkpoint's head, up to this head, comma-separated */
  entries: string;
  publicKey: string;
  signature: string;
}

type Unsigned = Omit<Checkpoint, 'signature'>;

const signedText = (c: Unsigned) => canonicalJson(c);

export async function readCheckpoints(dir: string): Promise<Checkpoint[]> {
  let text: string;
  try {
    text = await readFile(path.join(dir, CHECKPOINT_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Checkpoint);
}

/**
 * Takes a checkpoint of the chain's head (sealing what has committed first, then holding the chain's lock so nothing is sealed meanwhile), and
 * appends it to the directory's file. `onlyIfNew`: nothing is written when no entry came since the last one
 * (the periodic job); on demand (CLI) a checkpoint is always written.
 */
export async function writeCheckpoint(
  db: Kysely<any>,
  dir: string,
  keys: CheckpointKeys,
  options: { now?: Date; onlyIfNew?: boolean } = {},
): Promise<Checkpoint | null> {
  const previous = (await readCheckpoints(dir)).at(-1);
  await sealAudit(db);
  const checkpoint = await db.transaction().execute(async (trx) => {
    const t = trx as Kysely<AuditTables>;
    await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK)})`.execute(t);
    // Chain positions (seal_seq): the sealed chain, in its order; what is not sealed yet waits for the next one.
    let query = t
      .selectFrom('audit_event')
      .select(['seal_seq as id', 'hash'])
      .where('seal_seq', 'is not', null)
      .orderBy('seal_seq');
    if (previous) query = query.where('seal_seq', '>', BigInt(previous.headId));
    const rows = (await query.execute()) as { id: bigint; hash: string }[];
    if (rows.length === 0 && options.onlyIfNew) return null;
    const head = rows.at(-1) ?? (previous ? { id: BigInt(previous.headId), hash: previous.headHash } : null);
    if (!head) return null;
    const { rows: counted } = await sql<{
      n: string;
    }>`select count(*)::text as n from audit_event where seal_seq <= ${head.id}`.execute(t);
    const unsigned: Unsigned = {
      v: 1,
      at: (options.now ?? new Date()).toISOString(),
      count: Number(counted[0]?.n ?? 0),
      headId: String(head.id),
      headHash: head.hash,
      entries: rows.map((r) => `${r.id}:${r.hash}`).join(','),
      publicKey: keys.publicKey,
    };
    return { ...unsigned, signature: sm2.doSignature(signedText(unsigned), keys.privateKey, { hash: true }) };
  });
  if (!checkpoint) return null;
  await mkdir(dir, { recursive: true, mode: 0o750 });
  await appendFile(path.join(dir, CHECKPOINT_FILE), `${JSON.stringify(checkpoint)}\n`, { flag: 'a', mode: 0o640 });
  return checkpoint;
}

export type CheckpointProblem =
  | 'bad_signature'
  | 'changed'
  | 'deleted'
  | 'truncated'
  | 'inserted'
  | 'count_mismatch'
  | 'chain_broken';

export interface CheckpointVerification {
  ok: boolean;
  checkpoints: number;
  /** entries the checkpoints vouch for */
  covered: number;
  problem?: { kind: CheckpointProblem; entryId: string | null; checkpointAt: string | null; message: string };
}

/** Entries removed by a retention purge must have been at least this old at their checkpoint. */
const MIN_PURGE_AGE_MS = 180 * 86_400_000;

/**
 * Checks the chain in the database against the checkpoints: every entry a checkpoint recorded must be
 * there with the recorded hash (a changed byte, a rebuilt chain and a reordering show as the first entry
 * whose hash differs; a deleted entry as the first one missing, a cut tail as `truncated`), no entry may
 * appear among them that was not recorded, and the chain itself must hold (entries after the last
 * checkpoint). Checkpoints not signed by `publicKey` count as forged.
 */
export async function verifyAgainstCheckpoints(
  db: Kysely<any>,
  dir: string,
  publicKey: string,
  now: Date = new Date(),
): Promise<CheckpointVerification> {
  const checkpoints = await readCheckpoints(dir);
  const fail = (
    kind: CheckpointProblem,
    entryId: string | null,
    checkpointAt: string | null,
    message: string,
    covered = 0,
  ): CheckpointVerification => ({
    ok: false,
    checkpoints: checkpoints.length,
    covered,
    problem: { kind, entryId, checkpointAt, message },
  });
  const expected = new Map<bigint, { hash: string; at: string }>();
  for (const [i, c] of checkpoints.entries()) {
    const { signature, ...unsigned } = c;
    if (
      c.publicKey !== publicKey ||
      !sm2.doVerifySignature(signedText(unsigned as Unsigned), signature, publicKey, { hash: true })
    ) {
      return fail('bad_signature', null, c.at ?? null, `checkpoint ${i + 1} (${c.at}) is not signed by the audit key`);
    }
    for (const pair of c.entries ? c.entries.split(',') : []) {
      const [id, hash] = pair.split(':') as [string, string];
      expected.set(BigInt(id), { hash, at: c.at });
    }
  }
  const t = db as Kysely<AuditTables>;
  const anchor = await t
    .selectFrom('audit_purge')
    .select(['last_purged_id'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const purgedUpTo = anchor?.last_purged_id ?? 0n;
  const ids = [...expected.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lastExpected = ids.at(-1);
  const present = new Map<bigint, string>();
  if (lastExpected !== undefined) {
    const PAGE = 5_000;
    let after = -1n;
    for (;;) {
      const rows = (await t
        .selectFrom('audit_event')
        .select(['seal_seq as id', 'hash'])
        .where('seal_seq', '>', after)
        .where('seal_seq', '<=', lastExpected)
        .orderBy('seal_seq')
        .limit(PAGE)
        .execute()) as { id: bigint; hash: string }[];
      for (const r of rows) present.set(r.id, r.hash);
      if (rows.length < PAGE) break;
      after = (rows.at(-1) as { id: bigint }).id;
    }
  }
  const maxPresent = [...present.keys()].reduce((m, id) => (id > m ? id : m), 0n);
  // Walk in id order: the first problem is the first entry that differs.
  const walk = [...new Set([...ids, ...present.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let covered = 0;
  for (const id of walk) {
    const want = expected.get(id);
    const have = present.get(id);
    if (!want) {
      return fail(
        'inserted',
        String(id),
        null,
        `entry ${id} is not in any checkpoint although later ones are`,
        covered,
      );
    }
    if (have === undefined) {
      const purged = id <= purgedUpTo && now.getTime() - Date.parse(want.at) >= MIN_PURGE_AGE_MS;
      if (purged) continue;
      return id > maxPresent
        ? fail(
            'truncated',
            String(id),
            want.at,
            `the chain was cut: entry ${id} (checkpoint ${want.at}) and all after it are gone`,
            covered,
          )
        : fail('deleted', String(id), want.at, `entry ${id} (checkpoint ${want.at}) was deleted`, covered);
    }
    if (have !== want.hash) {
      return fail(
        'changed',
        String(id),
        want.at,
        `entry ${id} differs from checkpoint ${want.at}: changed, reordered or the chain rebuilt from there`,
        covered,
      );
    }
    covered++;
  }
  const last = checkpoints.at(-1);
  if (last) {
    const { rows } = await sql<{
      n: string;
    }>`select count(*)::text as n from audit_event where seal_seq <= ${BigInt(last.headId)} and seal_seq > ${purgedUpTo}`.execute(
      t,
    );
    if (purgedUpTo === 0n && Number(rows[0]?.n ?? 0) !== last.count) {
      return fail(
        'count_mismatch',
        null,
        last.at,
        `${rows[0]?.n} entries up to the head, the checkpoint says ${last.count}`,
        covered,
      );
    }
  }
  const chain = await verifyAuditChain(db);
  if (!chain.intact) {
    return fail(
      'chain_broken',
      chain.brokenAt?.id ?? null,
      null,
      `the chain breaks at entry ${chain.brokenAt?.id} (${chain.brokenAt?.reason})`,
      covered,
    );
  }
  return { ok: true, checkpoints: checkpoints.length, covered };
}

interface CheckpointSettings {
  dir: string;
  keys: CheckpointKeys;
  minutes: number;
  push: CheckpointPush | undefined;
}

/** Where pushing has got to: the number of checkpoint lines the receiver has acknowledged, in order. */
export const PUSHED_FILE = 'audit-checkpoints.pushed';

export interface CheckpointPush {
  url: string;
  /** sent as `Authorization: Bearer <token>` when given */
  token?: string;
}

export interface PushOutcome {
  pushed: number;
  pending: number;
  error?: string;
}

/**
 * Sends the checkpoints the receiver (a webhook, or the city installation) has not yet acknowledged, one
 * POST each, oldest first, and stops at the first refusal: a receiver that was down gets every checkpoint,
 * in order, once it is back. The body is the checkpoint line as written (signed; the receiver verifies it
 * with the public key inside and keeps its own copy, so the database's writer cannot reach every copy).
 */
export async function pushCheckpoints(dir: string, push: CheckpointPush, timeoutMs = 10_000): Promise<PushOutcome> {
  const all = await readCheckpoints(dir);
  let done = 0;
  try {
    done = Number.parseInt((await readFile(path.join(dir, PUSHED_FILE), 'utf8')).trim(), 10) || 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let pushed = 0;
  for (const checkpoint of all.slice(done)) {
    let error: string | undefined;
    try {
      const res = await fetch(push.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'x-yunguan-checkpoint-count': String(checkpoint.count),
          ...(push.token ? { authorization: `Bearer ${push.token}` } : {}),
        },
        body: JSON.stringify(checkpoint),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    if (error) return { pushed, pending: all.length - done - pushed, error };
    pushed++;
    await writeFile(path.join(dir, PUSHED_FILE), `${done + pushed}\n`, { mode: 0o640 });
  }
  return { pushed, pending: 0 };
}

let settings: CheckpointSettings | undefined;

/** Set once by buildApp from the configuration; the periodic job writes nothing while unset. */
export function configureCheckpoints(config: {
  auditKey: string | undefined;
  auditCheckpointDir: string | undefined;
  auditCheckpointMinutes: number;
  auditSigningKey: string | undefined;
  auditCheckpointPush?: CheckpointPush | undefined;
}): void {
  settings =
    config.auditKey && config.auditCheckpointDir
      ? {
          dir: config.auditCheckpointDir,
          keys: checkpointKeys(config.auditKey, config.auditSigningKey),
          minutes: config.auditCheckpointMinutes,
          push: config.auditCheckpointPush,
        }
      : undefined;
}

/** The periodic checkpoint (one instance at a time): only when entries came since the last one. */
export const AUDIT_CHECKPOINT_JOB = {
  name: 'audit.checkpoint',
  get everyMs() {
    return (settings?.minutes ?? 5) * 60_000;
  },
  async run({ db, now, log }: { db: Kysely<any>; now: Date; log?: { warn(o: object, m: string): void } }) {
    if (!settings) return null;
    const written = await writeCheckpoint(db, settings.dir, settings.keys, { now, onlyIfNew: true });
    if (settings.push) {
      const outcome = await pushCheckpoints(settings.dir, settings.push);
      if (outcome.error) log?.warn({ ...outcome }, 'audit checkpoints not pushed yet; retried at the next run');
    }
    return written;
  },
};
