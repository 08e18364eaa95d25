import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import { openSecret, randomSecret, safeEqual, sealSecret, sm3 } from '../../platform/crypto.ts';
import { AppError, type ErrorCode } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import { catalogueInForce } from '../catalogue/index.ts';
import { notify } from '../notifications/index.ts';
import { defaultJurisdiction } from '../tenancy/index.ts';
import { deriveCatalogueDraft, fingerprint, retentionDays, revokedRefusal, signingKey } from './federation.links.ts';
import {
  type Batch,
  type BatchHeader,
  checkBatch,
  checkDownlink,
  type Downlink,
  enrolmentText,
  newKeyPair,
  PROTOCOL_VERSION,
  sign,
  signDownlink,
  verify,
} from './federation.protocol.ts';
import * as repo from './federation.repository.ts';
import type { PeerRow } from './federation.table.ts';
import { postSigned } from './federation.transport.ts';

/** How long a one-time enrolment code may be used. */
const ENROLMENT_HOURS = 24;

export interface Identity {
  installationId: string;
  publicKey: string;
  privateKey: string;
}

/** This installation's identity: made once (an SM2 key pair, the private key sealed with the data key). */
export async function identity(db: Db): Promise<Identity> {
  let row = await repo.getIdentity(db);
  if (!row) {
    const keys = newKeyPair();
    row = await repo.insertIdentity(db, sealSecret(keys.privateKey), keys.publicKey);
  }
  return { installationId: row.installation_id, publicKey: row.public_key, privateKey: openSecret(row.private_key) };
}

// ---------------------------------------------------------------------------------------------------
// API objects

export interface DistrictLink {
  id: string;
  name: string;
  districtCode: string;
  state: string;
  url: string | null;
  installationId: string | null;
  appliedSeq: number;
  lastAppliedAt: string | null;
  lagMs: number | null;
  silenceMinutes: number;
  silentSince: string | null;
  catalogueVersion: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  keyFingerprint: string | null;
}

const toDistrict = (p: PeerRow): DistrictLink => ({
  id: p.id,
  name: p.name,
  districtCode: p.district_code,
  state: p.state,
  url: p.url,
  installationId: p.peer_installation_id,
  appliedSeq: Number(p.applied_seq),
  lastAppliedAt: p.last_applied_at?.toISOString() ?? null,
  lagMs: p.last_lag_ms === null ? null : Number(p.last_lag_ms),
  silenceMinutes: p.silence_minutes,
  silentSince: p.silent_since?.toISOString() ?? null,
  catalogueVersion: p.catalogue_version,
  revokedAt: p.revoked_at?.toISOString() ?? null,
  revokeReason: p.revoke_reason,
  keyFingerprint: p.peer_public_key ? fingerprint(p.peer_public_key) : null,
});

/** Every district link, revoked ones included, for the city's link management. */
export async function listDistrictLinks(db: Db): Promise<DistrictLink[]> {
  return (await repo.listAllPeers(db, 'district')).map(toDistrict);
}

// ---------------------------------------------------------------------------------------------------
// Enrolment

/** The city registers a district: a pending link and its one-time code (shown once, kept as its SM3 hash). */
export async function createDistrict(
  trx: Db,
  actor: Actor,
  input: { name: string; districtCode: string; url?: string; allowedNetworks?: string[]; silenceMinutes?: number },
  now: Date,
): Promise<{ district: DistrictLink; enrolmentCode: string; cityInstallationId: string }> {
  const me = await identity(trx);
  const taken = (await repo.listPeers(trx, 'district')).some((p) => p.district_code === input.districtCode);
  if (taken) {
    throw new AppError('conflict', `district ${input.districtCode} is already registered`, [
      { field: 'body.districtCode', message: 'already registered' },
    ]);
  }
  const code = randomSecret(18);
  const peer = await repo.insertPeer(trx, {
    direction: 'district',
    name: input.name,
    district_code: input.districtCode,
    url: input.url ?? null,
    allowed_networks: input.allowedNetworks ?? [],
    state: 'pending',
    enrolment_code_hash: sm3(code),
    enrolment_expires_at: new Date(now.getTime() + ENROLMENT_HOURS * 3_600_000),
    silence_minutes: input.silenceMinutes,
    now,
  });
  await writeAudit(trx, actor, {
    action: 'federation.district_registered',
    objectType: 'federation_peer',
    objectId: peer.id,
    detail: { name: input.name, districtCode: input.districtCode, url: input.url ?? null },
  });
  return { district: toDistrict(peer), enrolmentCode: code, cityInstallationId: me.installationId };
}

export interface EnrolRequest {
  code: string;
  installationId: string;
  publicKey: string;
  districtCode: string;
  proof: string;
}

/**
 * The city's side of enrolment: the code must be pending and unexpired, for this district, and the proof
 * must be signed with the key presented. The code is consumed; the link is active.
 */
export async function acceptEnrolment(
  trx: Db,
  input: EnrolRequest,
  now: Date,
): Promise<{ installationId: string; publicKey: string; name: string }> {
  const refuse = (why: string) => new AppError('federation_enrolment_refused', why);
  const peer = await repo.pendingPeerByCode(trx, sm3(input.code));
  if (!peer?.enrolment_expires_at || peer.enrolment_expires_at < now) {
    throw refuse('the enrolment code is unknown, used or expired');
  }
  if (!safeEqual(peer.district_code, input.districtCode)) throw refuse('the code was issued to another district');
  const text = enrolmentText(input.code, input.installationId, input.publicKey, input.districtCode);
  if (!verify(text, input.proof, input.publicKey)) throw refuse('the proof is not signed with the key presented');
  await repo.updatePeer(
    trx,
    peer.id,
    {
      state: 'active',
      peer_installation_id: input.installationId,
      peer_public_key: input.publicKey,
      enrolment_code_hash: null,
      enrolment_expires_at: null,
    },
    now,
  );
  await writeAudit(
    trx,
    { kind: 'system', id: null, name: `federation:${input.districtCode}` },
    {
      action: 'federation.district_enrolled',
      objectType: 'federation_peer',
      objectId: peer.id,
      detail: { districtCode: input.districtCode, installationId: input.installationId },
    },
  );
  const me = await identity(trx);
  // The district keeps the city under the city's own name (its top jurisdiction), not the name it was given.
  const city = await defaultJurisdiction(trx);
  return { installationId: me.installationId, publicKey: me.publicKey, name: city?.name ?? peer.name };
}

/** The district's side: presents its key with the code to the city and keeps the city's key. */
export async function linkCity(
  db: Db,
  actor: Actor,
  input: { url: string; enrolmentCode: string; districtCode: string; allowedNetworks?: string[] },
  now: Date,
): Promise<CityLink> {
  const existing = await repo.listPeers(db, 'city');
  if (existing.length > 0) throw new AppError('conflict', 'this installation already reports to a city');
  const me = await identity(db);
  const body = {
    code: input.enrolmentCode,
    installationId: me.installationId,
    publicKey: me.publicKey,
    districtCode: input.districtCode,
    proof: sign(enrolmentText(input.enrolmentCode, me.installationId, me.publicKey, input.districtCode), me.privateKey),
  };
  const answer = await postSigned(input.url, '/api/v1/federation/enrol', body, input.allowedNetworks ?? []);
  if (answer.status !== 200) {
    throw new AppError(
      'federation_enrolment_refused',
      `the city answered ${answer.status}: ${answer.body.slice(0, 300)}`,
    );
  }
  const city = JSON.parse(answer.body) as { installationId: string; publicKey: string; name: string };
  const peer = await db.transaction().execute(async (trx) => {
    const row = await repo.insertPeer(trx, {
      direction: 'city',
      name: city.name,
      district_code: input.districtCode,
      url: input.url,
      allowed_networks: input.allowedNetworks ?? [],
      state: 'active',
      peer_installation_id: city.installationId,
      peer_public_key: city.publicKey,
      now,
    });
    await writeAudit(trx, actor, {
      action: 'federation.city_linked',
      objectType: 'federation_peer',
      objectId: row.id,
      detail: { url: input.url, districtCode: input.districtCode, cityInstallationId: city.installationId },
    });
    return row;
  });
  return cityLinkOf(db, peer);
}

// ---------------------------------------------------------------------------------------------------
// Receiving batches (the city)

export type Receipt =
  | { ok: true; appliedSeq: number; changes: number }
  | { ok: false; code: ErrorCode; detail: string; expectedSeq?: number; appliedSeq?: number; peerId: string | null };

/**
 * Applies one batch in one transaction, or refuses it changing nothing. Order of checks: the sender must be
 * an active district link; the content must hash to the signed hash and the signature must verify with the
 * district's key; the batch must name the district the link is for; its sequence number must be the next
 * one (an earlier one is a replay: its changes are already applied; a later one leaves a gap: the district is
 * told the number expected and sends it again).
 */
export async function receiveBatch(trx: Db, batch: Batch, now: Date): Promise<Receipt> {
  const h = batch.header;
  const peer = await repo.peerByInstallation(trx, 'district', h.installationId, true);
  if (!peer?.peer_public_key) {
    const revoked = await revokedRefusal(trx, h.installationId);
    if (revoked) return revoked;
    return {
      ok: false,
      code: 'federation_unknown_installation',
      detail: 'no active district link for this installation',
      peerId: null,
    };
  }
  const refuse = (code: ErrorCode, detail: string, extra: { expectedSeq?: number; appliedSeq?: number } = {}) =>
    ({ ok: false, code, detail, peerId: peer.id, ...extra }) as const;
  if (h.v !== PROTOCOL_VERSION) return refuse('bad_request', `protocol version ${h.v} is not spoken here`);
  const check = checkBatch(batch, peer.peer_public_key);
  if (check === 'bad_hash') return refuse('federation_bad_signature', 'the content does not match its signed hash');
  if (check === 'bad_signature')
    return refuse('federation_bad_signature', 'the signature does not verify with the district’s key');
  if (h.districtCode !== peer.district_code) {
    return refuse(
      'federation_wrong_district',
      `the link is for district ${peer.district_code}, the batch claims ${h.districtCode}`,
    );
  }
  const applied = Number(peer.applied_seq);
  if (h.seq <= applied) {
    const seen = await repo.receivedBatch(trx, peer.id, h.seq);
    const same = seen?.content_hash === h.contentHash;
    return refuse(
      'federation_replayed',
      same
        ? `batch ${h.seq} was applied already; nothing changed`
        : `batch ${h.seq} is below the last applied ${applied} and differs from the batch applied under that number`,
      { appliedSeq: applied },
    );
  }
  if (h.seq !== applied + 1) {
    return refuse('federation_out_of_sequence', `expected batch ${applied + 1}, got ${h.seq}`, {
      expectedSeq: applied + 1,
      appliedSeq: applied,
    });
  }
  let result: { count: number; malformed: number };
  try {
    result = await repo.applyChanges(trx, peer.id, h.seq, batch.changes);
  } catch {
    result = { count: 0, malformed: 1 }; // not JSON, or items that are not objects: the database refused it
  }
  // Thrown, not returned: the statement may have written before the count came back, and this rolls it back.
  if (result.malformed > 0)
    throw new AppError('bad_request', 'the batch’s changes are not a list of well-formed changes; nothing applied');
  const lag = Math.max(0, now.getTime() - new Date(h.oldestChangeAt).getTime());
  await repo.insertReceived(trx, {
    peer_id: peer.id,
    seq: h.seq,
    content_hash: h.contentHash,
    change_count: result.count,
    applied_at: now,
    lag_ms: lag,
  });
  await repo.updatePeer(
    trx,
    peer.id,
    {
      applied_seq: h.seq,
      last_applied_at: now,
      last_lag_ms: lag,
      silent_since: null,
      catalogue_version: h.catalogueVersion,
    },
    now,
  );
  return { ok: true, appliedSeq: h.seq, changes: result.count };
}

/** A refusal is kept (outside the refused batch's transaction, which changed nothing) for the console. */
export async function recordRefusal(db: Db, batch: Partial<BatchHeader>, receipt: Receipt & { ok: false }, now: Date) {
  await repo.insertRefusal(db, {
    peer_id: receipt.peerId,
    claimed_installation_id: typeof batch.installationId === 'string' ? batch.installationId.slice(0, 64) : null,
    seq: typeof batch.seq === 'number' ? batch.seq : null,
    code: receipt.code,
    detail: receipt.detail,
    received_at: now,
  });
}

// ---------------------------------------------------------------------------------------------------
// The city's view

export interface DistrictSummary extends DistrictLink {
  resources: number;
  liveResources: number;
  lifecycleEvents: number;
  rollups: number;
  rollupSamples: number;
  cpuAverage: string | null;
  settledFen: string;
  openFindings: number;
  batchesApplied: number;
  changesApplied: number;
  openSteps: number;
  overdueSteps: number;
  refusals: { code: string; detail: string; seq: number | null; receivedAt: string }[];
  policy: { version: string; packId: string; packVersion: string; adjustments: number; acceptedAt: string } | null;
  silences: { silentSince: string; lastAppliedAt: string | null; resumedAt: string | null }[];
}

export async function listDistricts(db: Db, now: Date): Promise<DistrictSummary[]> {
  const peers = await repo.listPeers(db, 'district');
  const totals = new Map(
    (
      await repo.districtTotals(
        db,
        peers.map((p) => p.id),
        now,
      )
    ).map((t) => [t.peer_id, t]),
  );
  const reported = new Map(
    (
      await repo.reportedStatus(
        db,
        peers.map((p) => p.id),
      )
    )
      .filter((r) => r.key === 'policy')
      .map((r) => [r.peer_id, r.payload as DistrictSummary['policy'] & { overrides: number }]),
  );
  const out: DistrictSummary[] = [];
  for (const p of peers) {
    const t = totals.get(p.id);
    const refusals = await repo.listRefusals(db, p.id, 5);
    const policy = reported.get(p.id);
    const silences = await repo.listSilences(db, p.id, 5);
    out.push({
      ...toDistrict(p),
      resources: Number(t?.resources ?? 0),
      liveResources: Number(t?.live_resources ?? 0),
      lifecycleEvents: Number(t?.events ?? 0),
      rollups: Number(t?.rollups ?? 0),
      rollupSamples: Number(t?.rollup_samples ?? 0),
      cpuAverage: t?.cpu_average ?? null,
      settledFen: t?.statements_fen ?? '0',
      openFindings: Number(t?.open_findings ?? 0),
      batchesApplied: Number(t?.batches ?? 0),
      changesApplied: Number(t?.changes_applied ?? 0),
      openSteps: Number(t?.open_steps ?? 0),
      overdueSteps: Number(t?.overdue_steps ?? 0),
      refusals: refusals.map((r) => ({
        code: r.code,
        detail: r.detail,
        seq: r.seq === null ? null : Number(r.seq),
        receivedAt: r.received_at.toISOString(),
      })),
      policy: policy
        ? {
            version: policy.version,
            packId: policy.packId,
            packVersion: policy.packVersion,
            adjustments: Number(policy.overrides ?? 0),
            acceptedAt: policy.acceptedAt,
          }
        : null,
      silences: silences.map((x) => ({
        silentSince: x.silent_since.toISOString(),
        lastAppliedAt: x.last_applied_at?.toISOString() ?? null,
        resumedAt: x.resumed_at?.toISOString() ?? null,
      })),
    });
  }
  return out;
}

/**
 * Districts silent past their limit become a finding (marked once, one silence row each; the city's operations
 * unit is notified); a silence whose district was heard again (its next batch cleared `silent_since`) is closed
 * and the operations unit told so.
 */
export async function markSilentDistricts(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const city = await defaultJurisdiction(trx);
    const silent = await repo.newlySilent(trx, now);
    await repo.markSilent(
      trx,
      silent.map((s) => s.id),
      now,
    );
    for (const s of silent) {
      await repo.openSilence(trx, s.id, now, s.last_applied_at);
      await writeAudit(
        trx,
        { kind: 'system', id: null, name: 'federation.watch' },
        {
          action: 'federation.district_silent',
          objectType: 'federation_peer',
          objectId: s.id,
          detail: {
            districtCode: s.district_code,
            lastAppliedAt: s.last_applied_at?.toISOString() ?? null,
            silenceMinutes: s.silence_minutes,
          },
        },
      );
      if (city) {
        await notify(trx, {
          jurisdictionId: city.id,
          to: { role: 'ops_reviewer' },
          kind: 'federation.district_silent',
          title: {
            zh: `${s.name}已超过 ${s.silence_minutes} 分钟未报送数据`,
            en: `${s.name} has sent nothing for more than ${s.silence_minutes} minutes`,
          },
          body: {
            zh: s.last_applied_at
              ? `最后一次报送于 ${s.last_applied_at.toISOString()}（UTC）。请联系该区核实平台连接。`
              : '该区接入后尚未报送任何数据。请联系该区核实平台连接。',
            en: s.last_applied_at
              ? `Its last batch was applied at ${s.last_applied_at.toISOString()}.`
              : 'It has sent nothing since it enrolled.',
          },
          link: '/federation',
          entity: { type: 'federation_peer', id: s.id },
          occurredAt: now,
        });
      }
    }
    for (const r of await repo.closeResumedSilences(trx)) {
      await writeAudit(
        trx,
        { kind: 'system', id: null, name: 'federation.watch' },
        {
          action: 'federation.district_resumed',
          objectType: 'federation_peer',
          objectId: r.peer_id,
          detail: { silentSince: r.silent_since.toISOString(), resumedAt: r.resumed_at.toISOString() },
        },
      );
      if (city) {
        await notify(trx, {
          jurisdictionId: city.id,
          to: { role: 'ops_reviewer' },
          kind: 'federation.district_resumed',
          title: { zh: `${r.name}已恢复报送数据`, en: `${r.name} is reporting again` },
          link: '/federation',
          entity: { type: 'federation_peer', id: r.peer_id },
          occurredAt: now,
        });
      }
    }
    return silent.length;
  });
}

// ---------------------------------------------------------------------------------------------------
// The district's view and the catalogue pushed down

export interface CityLink {
  id: string;
  name: string;
  url: string | null;
  districtCode: string;
  installationId: string | null;
  sealedSeq: number;
  ackedSeq: number;
  pendingChanges: number;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastDeliveredAt: string | null;
  catalogueVersion: string | null;
  catalogues: { version: string; contentHash: string; receivedAt: string; acceptedAt: string | null }[];
  state: string;
  revokedAt: string | null;
  revokeReason: string | null;
  policyVersion: string | null;
  policies: {
    version: string;
    cityJurisdiction: string;
    packId: string;
    packVersion: string;
    adjustments: number;
    receivedAt: string;
    acceptedAt: string | null;
  }[];
  keyFingerprint: string;
  retentionDays: number;
}

async function cityLinkOf(db: Db, p: PeerRow): Promise<CityLink> {
  const catalogues = await repo.listCatalogues(db, p.id);
  return {
    id: p.id,
    name: p.name,
    url: p.url,
    districtCode: p.district_code,
    installationId: p.peer_installation_id,
    sealedSeq: Number(p.sealed_seq),
    ackedSeq: Number(p.acked_seq),
    pendingChanges: await repo.outboxCount(db),
    attempts: p.attempts,
    nextAttemptAt: p.next_attempt_at?.toISOString() ?? null,
    lastError: p.last_error,
    lastDeliveredAt: p.last_delivered_at?.toISOString() ?? null,
    catalogueVersion: p.catalogue_version,
    catalogues: catalogues.map((c) => ({
      version: c.version,
      contentHash: c.content_hash,
      receivedAt: c.received_at.toISOString(),
      acceptedAt: c.accepted_at?.toISOString() ?? null,
    })),
    state: p.state,
    revokedAt: p.revoked_at?.toISOString() ?? null,
    revokeReason: p.revoke_reason,
    policyVersion: p.policy_version,
    policies: (await repo.listPolicies(db, p.id)).map((c) => {
      const b = c.content as {
        jurisdictionName?: string;
        packId?: string;
        packVersion?: string;
        overrides?: unknown[];
      };
      return {
        version: c.version,
        cityJurisdiction: b.jurisdictionName ?? '',
        packId: b.packId ?? '',
        packVersion: b.packVersion ?? '',
        adjustments: b.overrides?.length ?? 0,
        receivedAt: c.received_at.toISOString(),
        acceptedAt: c.accepted_at?.toISOString() ?? null,
      };
    }),
    keyFingerprint: fingerprint((await identity(db)).publicKey),
    retentionDays: await retentionDays(db),
  };
}

export async function getCityLink(db: Db): Promise<CityLink> {
  const [peer] = await repo.listAllPeers(db, 'city');
  if (!peer) throw new AppError('not_found', 'this installation does not report to a city');
  return cityLinkOf(db, peer);
}

/** The city pushes the catalogue in force for one of its jurisdictions down to a district (SH 15). */
export async function pushCatalogue(
  db: Db,
  actor: Actor,
  districtId: string,
  jurisdictionCode: string,
  now: Date,
): Promise<{ version: string; contentHash: string }> {
  const peer = await repo.getPeer(db, districtId);
  if (peer?.direction !== 'district') throw new AppError('not_found', 'no such district');
  if (peer.state !== 'active' || !peer.url) {
    throw new AppError('federation_not_linked', 'the district is not enrolled or has no address to push to');
  }
  const inForce = await catalogueInForce(db, jurisdictionCode, now);
  const me = await identity(db);
  const key = await signingKey(db, peer);
  const message = signDownlink(
    {
      v: PROTOCOL_VERSION,
      installationId: me.installationId,
      districtCode: peer.district_code,
      kind: 'catalogue',
      version: `${inForce.sourceJurisdictionCode}-v${inForce.version.versionNo}`,
      createdAt: now.toISOString(),
      content: { version: inForce.version, items: inForce.items },
    },
    key.privateKey,
  );
  const answer = await postSigned(peer.url, '/api/v1/federation/downlink', message, peer.allowed_networks);
  if (answer.status !== 200) {
    throw new AppError('bad_gateway', `the district answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  await db.transaction().execute((trx) =>
    writeAudit(trx, actor, {
      action: 'federation.catalogue_pushed',
      objectType: 'federation_peer',
      objectId: peer.id,
      detail: { version: message.version, contentHash: message.contentHash },
    }),
  );
  return { version: message.version, contentHash: message.contentHash };
}

/** The district receives a catalogue version from its city: kept until someone accepts it. */
export async function receiveDownlink(trx: Db, message: Downlink, now: Date): Promise<void> {
  const peer = await repo.peerByInstallation(trx, 'city', message.installationId);
  if (!peer?.peer_public_key)
    throw new AppError('federation_unknown_installation', 'not the city this district reports to');
  if (checkDownlink(message, peer.peer_public_key) !== 'ok') {
    throw new AppError('federation_bad_signature', 'the message does not verify with the city’s key');
  }
  if (message.districtCode !== peer.district_code) {
    throw new AppError('federation_wrong_district', `this installation is district ${peer.district_code}`);
  }
  await repo.upsertCatalogue(trx, {
    peer_id: peer.id,
    version: message.version,
    content: message.content,
    content_hash: message.contentHash,
    received_at: now,
  });
}

/** The district takes a pushed version into its derivation; the version it runs goes up with every batch. */
export async function acceptCatalogue(
  trx: Trx,
  actor: Actor,
  version: string,
  now: Date,
  input: { jurisdictionCode?: string; effectiveFrom?: string } = {},
): Promise<CityLink> {
  const [peer] = await repo.listPeers(trx, 'city');
  if (!peer) throw new AppError('not_found', 'this installation does not report to a city');
  if (!(await repo.acceptCatalogue(trx, peer.id, version, actor.name ?? 'unknown', now))) {
    throw new AppError('not_found', `no catalogue version ${version} was received`, [
      { field: 'params.version', message: 'not received' },
    ]);
  }
  await deriveCatalogueDraft(trx, actor, peer, version, input, now);
  await repo.updatePeer(trx, peer.id, { catalogue_version: version }, now);
  await repo.insertOutbox(trx, 'federation_status', 'catalogue', { version, acceptedAt: now.toISOString() });
  await writeAudit(trx, actor, {
    action: 'federation.catalogue_accepted',
    objectType: 'federation_peer',
    objectId: peer.id,
    detail: { version },
  });
  const updated = await repo.getPeer(trx, peer.id);
  return cityLinkOf(trx, updated as PeerRow);
}
