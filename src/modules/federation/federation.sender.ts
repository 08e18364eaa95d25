import { openSecret } from '../../platform/crypto.ts';
import { KeepAliveAgents } from '../../platform/http/egress.ts';
import type { Job, JobContext } from '../../platform/jobs/jobs.ts';
import type { DB, Db } from '../../schema.ts';
import { BATCH_MEDIA_TYPE, encodeBatch, signBatch } from './federation.protocol.ts';
import * as repo from './federation.repository.ts';
import { markSilentDistricts } from './federation.service.ts';
import type { PeerRow } from './federation.table.ts';
import { postSigned } from './federation.transport.ts';

/** Changes per batch (after coalescing repeated changes of one row). */
export const BATCH_CHANGES = 5000;
/**
 * Batches sealed ahead of the city's acknowledgement: the next batch is sealed in the district's database while
 * the city applies the one sent (they are still sent one at a time, in order).
 */
const SEALED_AHEAD = 2;
/** A run of the sender stops after this long, so other jobs get their turn; the next run goes on. */
const RUN_BUDGET_MS = 20_000;
/** Back-off after a failed delivery: 1 s, 2 s, 4 s ... at most 60 s. */
export const backoffMs = (attempts: number) => Math.min(60_000, 1000 * 2 ** Math.max(0, attempts - 1));

/**
 * Seals the oldest outbox changes into the next batch for the city: in one transaction the changes leave the
 * outbox, the signed batch is stored with its sequence number and the link's `sealed_seq` moves on. A crash
 * before the commit leaves the outbox as it was; after it, the batch is sent (again) until acknowledged.
 */
async function seal(db: Db, peerId: string, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const peer = await repo.getPeer(trx, peerId, true);
    if (peer?.state !== 'active') return false;
    if (Number(peer.sealed_seq) - Number(peer.acked_seq) >= SEALED_AHEAD) return true;
    const { changes, count, oldest } = await repo.takeOutbox(trx, BATCH_CHANGES);
    if (count === 0 || !oldest) return false;
    const identity = await repo.getIdentity(trx);
    if (!identity) throw new Error('federation: no identity on a linked installation');
    const seq = Number(peer.sealed_seq) + 1;
    const batch = signBatch(
      {
        installationId: identity.installation_id,
        districtCode: peer.district_code,
        seq,
        createdAt: now.toISOString(),
        oldestChangeAt: oldest.toISOString(),
        catalogueVersion: peer.catalogue_version,
      },
      changes,
      openSecret(identity.private_key),
    );
    await repo.insertBatch(trx, {
      peer_id: peer.id,
      seq,
      body: encodeBatch(batch),
      content_hash: batch.header.contentHash,
      change_count: count,
      oldest_change_at: oldest,
      created_at: now,
    });
    await repo.updatePeer(trx, peer.id, { sealed_seq: seq }, now);
    return true;
  });
}

type Outcome = 'sent' | 'idle' | 'failed';

/** The city's answer: its problem code and the sequence numbers it names (`errors` on `body.seq`). */
function readAnswer(body: string): { code?: string; applied: number | null; expected: number | null } {
  try {
    const problem = JSON.parse(body) as { code?: string; errors?: { field: string; message: string }[] };
    const number = (word: string) => {
      const hit = problem.errors?.find((e) => e.field === 'body.seq' && e.message.startsWith(`${word} `));
      return hit ? Number(hit.message.slice(word.length + 1)) : null;
    };
    return { code: problem.code, applied: number('applied'), expected: number('expected') };
  } catch {
    return { applied: null, expected: null };
  }
}

/** One step for one link: send the lowest unacknowledged batch, sealing the next one first when none is open. */
async function step(db: Db, peer: PeerRow, now: Date, agents: KeepAliveAgents): Promise<Outcome> {
  let open = await repo.firstUnacked(db, peer.id, peer.acked_seq);
  if (!open) {
    if (!(await seal(db, peer.id, now))) return 'idle';
    open = await repo.firstUnacked(db, peer.id, peer.acked_seq);
    if (!open) return 'idle';
  }
  const seq = Number(open.seq);
  // The next batch is sealed while the city works on this one; a failure there leaves the outbox as it was and
  // is tried again on the next step.
  const sealing = seal(db, peer.id, now).catch(() => false);
  let failure: string;
  try {
    const answer = await postSigned(peer.url ?? '', '/api/v1/federation/batches', open.body, peer.allowed_networks, {
      agents,
      contentType: BATCH_MEDIA_TYPE,
    });
    await sealing;
    const { code, applied, expected } = readAnswer(answer.body);
    if (answer.status === 200 || (code === 'federation_replayed' && applied !== null && applied >= seq)) {
      await db.transaction().execute(async (trx) => {
        await repo.ackBatches(trx, peer.id, seq, now);
        await repo.updatePeer(
          trx,
          peer.id,
          { acked_seq: seq, attempts: 0, next_attempt_at: null, last_error: null, last_delivered_at: now },
          now,
        );
      });
      return 'sent';
    }
    if (code === 'federation_out_of_sequence' && expected !== null && expected >= 1 && expected <= seq) {
      // The city lacks earlier batches (restored from a backup): send again from the one it expects.
      await repo.updatePeer(
        db,
        peer.id,
        { acked_seq: expected - 1, last_error: `city expects batch ${expected}` },
        now,
      );
      return 'sent';
    }
    failure = `${answer.status} ${code ?? ''} ${answer.body.slice(0, 200)}`.trim();
  } catch (error) {
    failure = (error as Error).message;
  }
  await sealing;
  const attempts = peer.attempts + 1;
  await repo.updatePeer(
    db,
    peer.id,
    { attempts, next_attempt_at: new Date(now.getTime() + backoffMs(attempts)), last_error: failure.slice(0, 500) },
    now,
  );
  return 'failed';
}

/**
 * Delivers the outbox to the city in order: seal, send, wait for the acknowledgement, next. Runs until the
 * outbox is empty, a delivery fails (then waits its back-off), the budget is spent or the process stops.
 * Everything it needs to resume is in the database: after a crash the next run sends the open batch again,
 * and the city answers a batch it applied already with `federation_replayed` (an acknowledgement).
 */
export async function deliver(ctx: JobContext<DB>): Promise<number> {
  const db = ctx.db as Db;
  const started = ctx.now.getTime();
  const t0 = performance.now();
  const agents = new KeepAliveAgents(1, 4);
  let sent = 0;
  try {
    for (;;) {
      const [peer] = await repo.listPeers(db, 'city');
      if (peer?.state !== 'active') return sent;
      // Within one run time moves on: the job's "now" plus what this run has spent (never the machine clock
      // directly: a test's manual clock stays in charge of the start).
      const now = new Date(started + (performance.now() - t0));
      if (peer.next_attempt_at && peer.next_attempt_at > now) return sent;
      const outcome = await step(db, peer, now, agents);
      if (outcome !== 'sent') return sent;
      sent++;
      if (ctx.signal?.aborted || performance.now() - t0 > RUN_BUDGET_MS) return sent;
    }
  } finally {
    agents.destroy();
  }
}
export const federationSendJob: Job<DB> = {
  name: 'federation.send',
  everyMs: 1000,
  run: deliver,
};

export const federationWatchJob: Job<DB> = {
  name: 'federation.watch',
  everyMs: 60_000,
  run: (ctx) => markSilentDistricts(ctx.db as Db, ctx.now),
};
