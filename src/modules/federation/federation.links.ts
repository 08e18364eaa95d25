import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import { openSecret, sealSecret, sm3 } from '../../platform/crypto.ts';
import { AppError, type ErrorCode } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import { type CatalogueItem, createDerivedDraft } from '../catalogue/index.ts';
import { adoptBaseline, jurisdictionPolicy } from '../policy/index.ts';
import { defaultJurisdiction, getJurisdiction } from '../tenancy/index.ts';
import {
  type ControlContent,
  type ControlMessage,
  checkControl,
  type PolicyBaseline,
  rotationText,
  signControl,
  signText,
  verifyText,
} from './federation.control.ts';
import {
  contentHash,
  decodeBatch,
  encodeBatch,
  newKeyPair,
  type SignedHeader,
  signBatch,
} from './federation.protocol.ts';
import * as repo from './federation.repository.ts';
import { type CityLink, getCityLink, identity } from './federation.service.ts';
import type { PeerRow } from './federation.table.ts';
import { postSigned } from './federation.transport.ts';

/** Days acknowledged batches and received-batch records are kept when the city has set nothing. */
export const DEFAULT_RETENTION_DAYS = 30;

const linkSystem = (peer: { district_code: string }): Actor => ({
  kind: 'system',
  id: null,
  name: `federation:${peer.district_code}`,
});

/** The key this installation signs with on a link: the link's own (after a rotation by the city) or the identity. */
export async function signingKey(db: Db, peer: PeerRow): Promise<{ privateKey: string; publicKey: string }> {
  if (peer.own_private_key && peer.own_public_key) {
    return { privateKey: openSecret(peer.own_private_key), publicKey: peer.own_public_key };
  }
  const me = await identity(db);
  return { privateKey: me.privateKey, publicKey: me.publicKey };
}

/** Sends one control message on a link; the peer's answer (status and body). */
async function sendControl(
  db: Db,
  peer: PeerRow,
  content: ControlContent,
  now: Date,
  key?: { privateKey: string },
): Promise<{ status: number; body: string }> {
  if (!peer.url) throw new AppError('federation_not_linked', 'the link has no address to send to');
  const me = await identity(db);
  const message = signControl(
    { installationId: me.installationId, districtCode: peer.district_code, createdAt: now.toISOString(), content },
    (key ?? (await signingKey(db, peer))).privateKey,
  );
  return postSigned(peer.url, '/api/v1/federation/control', message, peer.allowed_networks, { timeoutMs: 15_000 });
}

const answerText = (a: { status: number; body: string }) => {
  try {
    const p = JSON.parse(a.body) as { code?: string; detail?: string };
    return `${a.status} ${p.code ?? ''} ${p.detail ?? ''}`.trim();
  } catch {
    return `${a.status} ${a.body.slice(0, 200)}`;
  }
};

// ---------------------------------------------------------------------------------------------------
// Receiving control messages (either side)

/**
 * A control message from a linked installation. The sender must hold an active link here (a revoked one is
 * refused as revoked), the message must verify with the key on file, name this link's district and be newer
 * than the last control message accepted on the link (an older or equal one is a replay). Refusals change
 * nothing.
 */
export async function receiveControl(trx: Db, m: ControlMessage, now: Date): Promise<{ accepted: true }> {
  const fromCity = await repo.peerByInstallation(trx, 'city', m.installationId, true);
  const peer = fromCity ?? (await repo.peerByInstallation(trx, 'district', m.installationId, true));
  if (!peer?.peer_public_key) {
    const revoked =
      (await repo.revokedPeerByInstallation(trx, 'city', m.installationId)) ??
      (await repo.revokedPeerByInstallation(trx, 'district', m.installationId));
    if (revoked) throw revokedError(revoked);
    throw new AppError('federation_unknown_installation', 'no active link for this installation');
  }
  if (m.districtCode !== peer.district_code) {
    throw new AppError('federation_wrong_district', `the link is for district ${peer.district_code}`);
  }
  const content = m.content;
  const check = checkControl(m, peer.peer_public_key);
  // A rotation announced again after its answer was lost: signed by the key it replaced, naming the key in place.
  const repeatRotation =
    check !== 'ok' &&
    content.kind === 'rotate' &&
    content.publicKey === peer.peer_public_key &&
    peer.previous_public_key !== null &&
    checkControl(m, peer.previous_public_key) === 'ok';
  if (repeatRotation) return { accepted: true };
  if (check === 'bad_hash') throw new AppError('federation_bad_signature', 'the content does not match its hash');
  if (check === 'bad_signature') throw new AppError('federation_bad_signature', 'the signature does not verify');
  const createdAt = new Date(m.createdAt);
  if (Number.isNaN(createdAt.getTime()) || (peer.last_control_at && createdAt <= peer.last_control_at)) {
    throw new AppError('federation_replayed', 'this control message is not newer than the last one accepted', [
      { field: 'body.createdAt', message: `after ${peer.last_control_at?.toISOString()}` },
    ]);
  }
  const fromCitySide = peer.direction === 'city';
  const audit = (action: string, detail: Record<string, unknown>) =>
    writeAudit(trx, linkSystem(peer), { action, objectType: 'federation_peer', objectId: peer.id, detail });
  switch (content.kind) {
    case 'policy': {
      if (!fromCitySide) throw new AppError('forbidden', 'only the city pushes policy baselines');
      await repo.upsertPolicy(trx, {
        peer_id: peer.id,
        version: content.version,
        content: content.baseline,
        content_hash: contentHash(content.baseline),
        received_at: now,
      });
      break;
    }
    case 'retention': {
      if (!fromCitySide) throw new AppError('forbidden', 'only the city sets the retention');
      await repo.putSetting(trx, content.days, peer.name, now);
      await audit('federation.retention_received', { days: content.days });
      break;
    }
    case 'revoke': {
      await repo.setPeer(
        trx,
        peer.id,
        { state: 'revoked', revoked_at: now, revoked_by: peer.name, revoke_reason: content.reason.slice(0, 500) },
        now,
      );
      await audit('federation.link_revoked_by_peer', { reason: content.reason });
      break;
    }
    case 'rotate': {
      const text = rotationText(m.installationId, peer.district_code, peer.peer_public_key, content.publicKey);
      if (!/^04[0-9a-fA-F]{128}$/.test(content.publicKey) || !verifyText(text, content.proof, content.publicKey)) {
        throw new AppError('federation_bad_signature', 'the new key’s proof does not verify with the new key');
      }
      await repo.setPeer(
        trx,
        peer.id,
        { previous_public_key: peer.peer_public_key, peer_public_key: content.publicKey },
        now,
      );
      await audit('federation.peer_key_rotated', {
        from: fingerprint(peer.peer_public_key),
        to: fingerprint(content.publicKey),
      });
      break;
    }
  }
  await repo.setPeer(trx, peer.id, { last_control_at: createdAt }, now);
  return { accepted: true };
}

export const fingerprint = (publicKey: string) => sm3(publicKey).slice(0, 16);

function revokedError(peer: PeerRow): AppError {
  const when = peer.revoked_at ? ` on ${peer.revoked_at.toISOString()}` : '';
  return new AppError(
    'federation_link_revoked',
    `the link of district ${peer.district_code} was revoked${when}${peer.revoke_reason ? `: ${peer.revoke_reason}` : ''}; enrol again with a new code`,
  );
}

/** The refusal of a batch from an installation whose link was revoked (null when it has none revoked either). */
export async function revokedRefusal(db: Db, installationId: string) {
  const peer = await repo.revokedPeerByInstallation(db, 'district', installationId);
  if (!peer) return null;
  const error = revokedError(peer);
  return {
    ok: false as const,
    code: 'federation_link_revoked' as ErrorCode,
    detail: error.detail ?? error.message,
    peerId: peer.id,
  };
}

// ---------------------------------------------------------------------------------------------------
// Revocation (either side)

async function revokeLocal(db: Db, actor: Actor, peer: PeerRow, reason: string, now: Date) {
  await db.transaction().execute(async (trx) => {
    const locked = await repo.getPeer(trx, peer.id, true);
    if (locked?.state === 'revoked') throw new AppError('conflict', 'the link is revoked already');
    await repo.setPeer(
      trx,
      peer.id,
      { state: 'revoked', revoked_at: now, revoked_by: actor.name ?? null, revoke_reason: reason },
      now,
    );
    await writeAudit(trx, actor, {
      action: 'federation.link_revoked',
      objectType: 'federation_peer',
      objectId: peer.id,
      detail: { name: peer.name, districtCode: peer.district_code, direction: peer.direction, reason },
    });
  });
}

/**
 * Revokes a link on this side (the state changes here whatever the peer says), then tells the peer in a
 * signed message so it stops too; `peerNotified` says whether it answered.
 */
export async function revokeLink(
  db: Db,
  actor: Actor,
  peer: PeerRow,
  reason: string,
  now: Date,
): Promise<{ peerNotified: boolean; peerAnswer: string | null }> {
  await revokeLocal(db, actor, peer, reason, now);
  if (peer.state !== 'active' || !peer.url) return { peerNotified: false, peerAnswer: null };
  try {
    const answer = await sendControl(db, peer, { kind: 'revoke', reason }, now);
    return { peerNotified: answer.status === 200, peerAnswer: answer.status === 200 ? null : answerText(answer) };
  } catch (error) {
    return { peerNotified: false, peerAnswer: (error as Error).message };
  }
}

export async function districtPeer(db: Db, id: string): Promise<PeerRow> {
  const peer = await repo.getPeer(db, id);
  if (peer?.direction !== 'district') throw new AppError('not_found', 'no such district link');
  return peer;
}

export async function cityPeer(db: Db): Promise<PeerRow> {
  const [peer] = await repo.listPeers(db, 'city');
  if (!peer) throw new AppError('not_found', 'this installation does not report to a city');
  return peer;
}

// ---------------------------------------------------------------------------------------------------
// Key rotation

/**
 * The city gives one district link a new SM2 key: kept as the link's next key, announced to the district in a
 * message signed by the key in use (with a proof signed by the new one), and switched to once the district
 * accepted it. A district that cannot be reached leaves the link on its old key (502); asked again, the same
 * new key is announced.
 */
export async function rotateDistrictKey(db: Db, actor: Actor, id: string, now: Date): Promise<{ fingerprint: string }> {
  const peer = await districtPeer(db, id);
  if (peer.state !== 'active') throw new AppError('federation_not_linked', 'only an active link can rotate its key');
  const me = await identity(db);
  const current = await signingKey(db, peer);
  let next = peer.next_private_key
    ? { privateKey: openSecret(peer.next_private_key), publicKey: peer.next_public_key as string }
    : undefined;
  if (!next) {
    next = newKeyPair();
    await repo.setPeer(
      db,
      peer.id,
      { next_private_key: sealSecret(next.privateKey), next_public_key: next.publicKey },
      now,
    );
  }
  const proof = signText(
    rotationText(me.installationId, peer.district_code, current.publicKey, next.publicKey),
    next.privateKey,
  );
  const answer = await sendControl(db, peer, { kind: 'rotate', publicKey: next.publicKey, proof }, now, current);
  if (answer.status !== 200) throw new AppError('bad_gateway', `the district answered ${answerText(answer)}`);
  const switched = next;
  await db.transaction().execute(async (trx) => {
    await repo.setPeer(
      trx,
      peer.id,
      {
        own_private_key: sealSecret(switched.privateKey),
        own_public_key: switched.publicKey,
        next_private_key: null,
        next_public_key: null,
      },
      now,
    );
    await writeAudit(trx, actor, {
      action: 'federation.key_rotated',
      objectType: 'federation_peer',
      objectId: peer.id,
      detail: {
        districtCode: peer.district_code,
        from: fingerprint(current.publicKey),
        to: fingerprint(switched.publicKey),
      },
    });
  });
  return { fingerprint: fingerprint(switched.publicKey) };
}

/**
 * The district gives itself a new SM2 key (its identity: every batch is signed with it). The new key is kept
 * as the identity's next key, announced to the city signed by the old one, and switched to in one transaction
 * once the city accepted it: the sealed batches not yet acknowledged are signed again with the new key, and
 * links on which this installation is itself the city (a dedicated domain's) keep the old key as their own.
 */
export async function rotateCityKey(db: Db, actor: Actor, now: Date): Promise<{ fingerprint: string }> {
  const peer = await cityPeer(db);
  if (peer.state !== 'active') throw new AppError('federation_not_linked', 'only an active link can rotate its key');
  const me = await identity(db);
  const row = await repo.getIdentity(db);
  let next = row?.next_private_key
    ? { privateKey: openSecret(row.next_private_key), publicKey: row.next_public_key as string }
    : undefined;
  if (!next) {
    next = newKeyPair();
    await repo.setIdentityKeys(db, { next_private_key: sealSecret(next.privateKey), next_public_key: next.publicKey });
  }
  const proof = signText(
    rotationText(me.installationId, peer.district_code, me.publicKey, next.publicKey),
    next.privateKey,
  );
  const answer = await sendControl(db, peer, { kind: 'rotate', publicKey: next.publicKey, proof }, now, me);
  if (answer.status !== 200) throw new AppError('bad_gateway', `the city answered ${answerText(answer)}`);
  const switched = next;
  await db.transaction().execute(async (trx) => {
    const locked = (await repo.getPeer(trx, peer.id, true)) as PeerRow;
    for (const d of await repo.listAllPeers(trx, 'district')) {
      if (!d.own_private_key) {
        await repo.setPeer(
          trx,
          d.id,
          { own_private_key: sealSecret(me.privateKey), own_public_key: me.publicKey },
          now,
        );
      }
    }
    await repo.setIdentityKeys(trx, {
      private_key: sealSecret(switched.privateKey),
      public_key: switched.publicKey,
      next_private_key: null,
      next_public_key: null,
    });
    for (const open of await repo.openBatches(trx, locked.id, locked.acked_seq)) {
      const stored = decodeBatch(open.body);
      if (!stored) throw new Error(`federation: stored batch ${open.seq} cannot be read`);
      const { contentHash: _h, signature: _s, ...header } = stored.header as SignedHeader;
      await repo.setBatchBody(
        trx,
        locked.id,
        open.seq,
        encodeBatch(signBatch(header, stored.changes, switched.privateKey)),
      );
    }
    await writeAudit(trx, actor, {
      action: 'federation.key_rotated',
      objectType: 'federation_identity',
      objectId: me.installationId,
      detail: { city: peer.name, from: fingerprint(me.publicKey), to: fingerprint(switched.publicKey) },
    });
  });
  return { fingerprint: fingerprint(switched.publicKey) };
}

// ---------------------------------------------------------------------------------------------------
// Policy baselines and catalogue versions taken into the district's derivation (SH 15)

const readableDay = (d: Date) => shanghaiDay(d).replaceAll('-', '');

/** The city pushes its policy baseline (a jurisdiction's pack and the city's adjustments) down to a district. */
export async function pushPolicy(
  db: Db,
  actor: Actor,
  districtId: string,
  jurisdictionCode: string,
  now: Date,
): Promise<{ version: string; contentHash: string }> {
  const peer = await districtPeer(db, districtId);
  if (peer.state !== 'active' || !peer.url) {
    throw new AppError('federation_not_linked', 'the district is not enrolled or has no address to push to');
  }
  const policy = await jurisdictionPolicy(db, jurisdictionCode);
  const jurisdiction = await getJurisdiction(db, jurisdictionCode);
  const baseline: PolicyBaseline = {
    jurisdictionCode,
    jurisdictionName: jurisdiction.name,
    packId: policy.packId,
    packVersion: policy.packVersion,
    overrides: policy.overrides
      .filter((o) => o.applied && o.packId === policy.packId)
      .map((o) => ({ path: o.path, value: o.value, reason: o.reason })),
  };
  const hash = contentHash(baseline);
  const version = `${jurisdictionCode}-policy-${readableDay(now)}-${hash.slice(0, 6)}`;
  const answer = await sendControl(db, peer, { kind: 'policy', version, baseline }, now);
  if (answer.status !== 200) throw new AppError('bad_gateway', `the district answered ${answerText(answer)}`);
  await db.transaction().execute((trx) =>
    writeAudit(trx, actor, {
      action: 'federation.policy_pushed',
      objectType: 'federation_peer',
      objectId: peer.id,
      detail: { version, contentHash: hash, packId: baseline.packId, overrides: baseline.overrides.length },
    }),
  );
  return { version, contentHash: hash };
}

/** The district's own jurisdiction a pushed version is taken into: the one named, else its top jurisdiction. */
async function ownJurisdiction(db: Db, code: string | undefined): Promise<string> {
  if (code) return (await getJurisdiction(db, code)).code;
  const top = await defaultJurisdiction(db);
  if (!top)
    throw new AppError('validation_failed', 'name the jurisdiction', [
      { field: 'body.jurisdictionCode', message: 'required' },
    ]);
  return top.code;
}

/** The district takes a policy baseline into its own derivation; the version it runs goes up to the city. */
export async function acceptPolicy(
  trx: Db,
  actor: Actor,
  version: string,
  input: { jurisdictionCode?: string },
  now: Date,
): Promise<CityLink> {
  const peer = await cityPeer(trx);
  const pushed = await repo.getPolicy(trx, peer.id, version);
  if (!pushed) {
    throw new AppError('not_found', `no policy baseline ${version} was received`, [
      { field: 'params.version', message: 'not received' },
    ]);
  }
  const code = await ownJurisdiction(trx, input.jurisdictionCode);
  const baseline = pushed.content as PolicyBaseline;
  await adoptBaseline(trx, actor, code, { version, ...baseline }, now);
  await repo.acceptPolicy(trx, peer.id, version, actor.name ?? 'unknown', code, now);
  await repo.setPeer(trx, peer.id, { policy_version: version }, now);
  await repo.insertOutbox(trx, 'federation_status', 'policy', {
    version,
    packId: baseline.packId,
    packVersion: baseline.packVersion,
    overrides: baseline.overrides.length,
    jurisdictionCode: code,
    acceptedAt: now.toISOString(),
  });
  await writeAudit(trx, actor, {
    action: 'federation.policy_accepted',
    objectType: 'federation_peer',
    objectId: peer.id,
    detail: { version, jurisdictionCode: code },
  });
  return getCityLink(trx);
}

/**
 * Accepting a pushed catalogue version opens a draft of the district's own catalogue derived from it, to
 * edit, submit and approve as usual; the draft's effective day is the one given, else the pushed version's
 * when it is still ahead, else tomorrow.
 */
export async function deriveCatalogueDraft(
  trx: Trx,
  actor: Actor,
  peer: PeerRow,
  version: string,
  input: { jurisdictionCode?: string; effectiveFrom?: string },
  now: Date,
): Promise<void> {
  const pushed = await repo.getCatalogue(trx, peer.id, version);
  if (!pushed) return;
  const content = pushed.content as { version?: { effectiveFrom?: string }; items?: CatalogueItem[] };
  const tomorrow = shanghaiDay(new Date(now.getTime() + 86_400_000));
  const theirs = content.version?.effectiveFrom;
  await createDerivedDraft(
    trx,
    actor,
    {
      jurisdictionCode: await ownJurisdiction(trx, input.jurisdictionCode),
      effectiveFrom: input.effectiveFrom ?? (theirs && theirs >= tomorrow ? theirs : tomorrow),
      note: `依据市级服务目录 ${version} 派生`,
      derivedFrom: version,
      items: content.items ?? [],
    },
    now,
  );
}

// ---------------------------------------------------------------------------------------------------
// Retention and pruning

export async function retentionDays(db: Db): Promise<number> {
  return (await repo.getSetting(db))?.retention_days ?? DEFAULT_RETENTION_DAYS;
}

/**
 * The city sets how long acknowledged batches and received-batch records are kept, here and (pushed in a
 * signed message) at each active district; `districts` says which took it.
 */
export async function setRetention(
  db: Db,
  actor: Actor,
  days: number,
  now: Date,
): Promise<{ retentionDays: number; districts: { name: string; accepted: boolean; answer: string | null }[] }> {
  await db.transaction().execute(async (trx) => {
    const before = await retentionDays(trx);
    await repo.putSetting(trx, days, actor.name ?? null, now);
    await writeAudit(trx, actor, {
      action: 'federation.retention_set',
      objectType: 'federation_setting',
      objectId: null,
      detail: { from: before, to: days },
    });
  });
  const districts = [];
  for (const peer of await repo.listPeers(db, 'district')) {
    if (peer.state !== 'active' || !peer.url) continue;
    try {
      const answer = await sendControl(db, peer, { kind: 'retention', days }, now);
      districts.push({
        name: peer.name,
        accepted: answer.status === 200,
        answer: answer.status === 200 ? null : answerText(answer),
      });
    } catch (error) {
      districts.push({ name: peer.name, accepted: false, answer: (error as Error).message });
    }
  }
  return { retentionDays: days, districts };
}

/** Removes acknowledged batches and received-batch records older than the retention. */
export async function pruneFederation(db: Db, now: Date): Promise<{ batches: number; received: number }> {
  const days = await retentionDays(db);
  return repo.prune(db, new Date(now.getTime() - days * 86_400_000));
}

export const federationPruneJob: Job<DB> = {
  name: 'federation.prune',
  everyMs: 3_600_000,
  run: async (ctx) => {
    const { batches, received } = await pruneFederation(ctx.db as Db, ctx.now);
    return batches + received;
  },
};
