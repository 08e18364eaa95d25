import { sm2 } from 'sm-crypto-v2';
import { canonicalJson } from '../../platform/audit/audit.ts';
import { sm3 } from '../../platform/crypto.ts';

/**
 * The wire protocol between installations (issue 22). Pure: no database, no clock.
 *
 * Every message is signed with SM2 (GB/T 32918.2, the scheme with the signer's identity digest Z_A: sm-crypto-v2's
 * `doSignature(..., { hash: true })` hashes SM3(Z_A || M), Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)
 * with the default ID 1234567812345678 of GM/T 0009; federation.sm2.test.ts checks it against the standard's
 * example and against an independent implementation). The signed text names the message kind, the sender's
 * installation, the district, the sequence number and the SM3 hash of the content, so none of them can be
 * changed or moved to another message without the signature failing.
 */
export const PROTOCOL_VERSION = 2;

/**
 * A batch travels as this media type: the signed header as one line of JSON, a newline, then the changes as the
 * JSON text of an array of `Change`. The content hash is SM3 over exactly those bytes of text as sent, so neither
 * side re-serialises anything to check it, and the district's database writes the text and the city's database
 * reads it (`jsonb_to_recordset`) without the rows ever becoming JavaScript objects on either side.
 */
export const BATCH_MEDIA_TYPE = 'application/vnd.yunguan.federation-batch';

/** One change: the reported table, upsert or delete, the row's key in that table, the row (upsert only). */
export interface Change {
  s: string;
  o: 'upsert' | 'delete';
  k: string;
  p: unknown;
}

export interface BatchHeader {
  v: number;
  installationId: string;
  districtCode: string;
  seq: number;
  /** when the batch was sealed (ISO 8601) */
  createdAt: string;
  /** when its oldest change was written (ISO 8601): the city's lag is measured from it */
  oldestChangeAt: string;
  /** the catalogue version the district runs, null when none was accepted */
  catalogueVersion: string | null;
  /** SM3 of the changes' text */
  contentHash: string;
}

export interface SignedHeader extends BatchHeader {
  signature: string;
}

export interface Batch {
  header: SignedHeader;
  /** the JSON text of the array of changes, hashed as it is */
  changes: string;
}

export const contentHash = (content: unknown): string => sm3(canonicalJson(content));

const batchText = (h: BatchHeader) =>
  [
    'yunguan-federation-batch',
    h.v,
    h.installationId,
    h.districtCode,
    h.seq,
    h.createdAt,
    h.oldestChangeAt,
    h.catalogueVersion ?? '',
    h.contentHash,
  ].join('|');

/** Signs a batch; `changes` is the text to send (or changes to write as JSON text, as tests do). */
export function signBatch(
  header: Omit<BatchHeader, 'contentHash' | 'v'> & { v?: number },
  changes: string | Change[],
  privateKey: string,
): Batch {
  const text = typeof changes === 'string' ? changes : JSON.stringify(changes);
  const full: BatchHeader = { v: PROTOCOL_VERSION, ...header, contentHash: sm3(text) };
  return { header: { ...full, signature: sign(batchText(full), privateKey) }, changes: text };
}

export const encodeBatch = (batch: Batch): string => `${JSON.stringify(batch.header)}\n${batch.changes}`;

/** The header (still to be checked against its schema) and the changes' text, or null when there is no header line. */
export function decodeBatch(body: string): { header: unknown; changes: string } | null {
  const end = body.indexOf('\n');
  if (end < 0) return null;
  try {
    return { header: JSON.parse(body.slice(0, end)), changes: body.slice(end + 1) };
  } catch {
    return null;
  }
}

export type BatchCheck = 'ok' | 'bad_hash' | 'bad_signature';

/** The hash over the changes' text as received, then the signature over the header with the peer's public key. */
export function checkBatch(batch: Batch, publicKey: string): BatchCheck {
  if (sm3(batch.changes) !== batch.header.contentHash) return 'bad_hash';
  return verify(batchText(batch.header), batch.header.signature, publicKey) ? 'ok' : 'bad_signature';
}

/** A catalogue version the city pushes down (SH 15). */
export interface Downlink {
  v: number;
  installationId: string;
  districtCode: string;
  kind: 'catalogue';
  version: string;
  createdAt: string;
  contentHash: string;
  content: unknown;
  signature: string;
}

const downlinkText = (d: Omit<Downlink, 'content' | 'signature'>) =>
  [
    'yunguan-federation-downlink',
    d.v,
    d.installationId,
    d.districtCode,
    d.kind,
    d.version,
    d.createdAt,
    d.contentHash,
  ].join('|');

export function signDownlink(d: Omit<Downlink, 'contentHash' | 'signature'>, privateKey: string): Downlink {
  const unsigned = { ...d, contentHash: contentHash(d.content) };
  return { ...unsigned, signature: sign(downlinkText(unsigned), privateKey) };
}

export function checkDownlink(d: Downlink, publicKey: string): BatchCheck {
  if (contentHash(d.content) !== d.contentHash) return 'bad_hash';
  return verify(downlinkText(d), d.signature, publicKey) ? 'ok' : 'bad_signature';
}

/** Proof that the enrolling installation holds the private key of the public key it presents, bound to the code. */
export const enrolmentText = (code: string, installationId: string, publicKey: string, districtCode: string) =>
  ['yunguan-federation-enrol', PROTOCOL_VERSION, sm3(code), installationId, publicKey, districtCode].join('|');

export function sign(text: string, privateKey: string): string {
  return sm2.doSignature(text, privateKey, { hash: true });
}

export function verify(text: string, signature: string, publicKey: string): boolean {
  if (!/^[0-9a-f]{128}$/i.test(signature)) return false;
  try {
    return sm2.doVerifySignature(text, signature, publicKey, { hash: true });
  } catch {
    return false;
  }
}

export function newKeyPair(): { privateKey: string; publicKey: string } {
  return sm2.generateKeyPairHex();
}
