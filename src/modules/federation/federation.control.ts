import { contentHash, PROTOCOL_VERSION, sign, verify } from './federation.protocol.ts';

/**
 * Control messages between linked installations (issue 22), beside the batches and catalogue downlinks of
 * federation.protocol.ts. Pure: no database, no clock. Signed with SM2 like every other message; the signed
 * text names the kind, the sender's installation, the district, the creation time and the SM3 hash of the
 * content, so none of them can be changed or moved to another message.
 *
 * - `policy`: the city's policy baseline for a district (SH 15), kept until the district accepts it;
 * - `revoke`: either side ends the link; the receiver marks it revoked and accepts nothing more on it;
 * - `rotate`: the sender's new SM2 public key, announced in a message signed by the old key and carrying a
 *   proof signed by the new one (so nobody can announce a key they do not hold);
 * - `retention`: how many days the district keeps acknowledged batches (the city sets it).
 */
export type ControlKind = 'policy' | 'revoke' | 'rotate' | 'retention';

export interface PolicyBaseline {
  /** the city's jurisdiction whose policy this is */
  jurisdictionCode: string;
  jurisdictionName: string;
  packId: string;
  packVersion: string;
  /** the city's own adjustments to the pack, each as the policy module stores an override */
  overrides: { path: string; value: unknown; reason: string }[];
}

export type ControlContent =
  | { kind: 'policy'; version: string; baseline: PolicyBaseline }
  | { kind: 'revoke'; reason: string }
  | { kind: 'rotate'; publicKey: string; proof: string }
  | { kind: 'retention'; days: number };

export interface ControlMessage {
  v: number;
  installationId: string;
  districtCode: string;
  createdAt: string;
  contentHash: string;
  content: ControlContent;
  signature: string;
}

const controlText = (m: Omit<ControlMessage, 'content' | 'signature'> & { kind: string }) =>
  ['yunguan-federation-control', m.v, m.kind, m.installationId, m.districtCode, m.createdAt, m.contentHash].join('|');

/** What the new key signs in a rotation: the installation, the district and both keys. */
export const rotationText = (installationId: string, districtCode: string, oldKey: string, newKey: string) =>
  ['yunguan-federation-rotate', PROTOCOL_VERSION, installationId, districtCode, oldKey, newKey].join('|');

export function signControl(
  m: { installationId: string; districtCode: string; createdAt: string; content: ControlContent },
  privateKey: string,
): ControlMessage {
  const unsigned = { v: PROTOCOL_VERSION, ...m, contentHash: contentHash(m.content) };
  return { ...unsigned, signature: sign(controlText({ ...unsigned, kind: m.content.kind }), privateKey) };
}

export type ControlCheck = 'ok' | 'bad_hash' | 'bad_signature';

export function checkControl(m: ControlMessage, publicKey: string): ControlCheck {
  if (contentHash(m.content) !== m.contentHash) return 'bad_hash';
  return verify(controlText({ ...m, kind: m.content.kind }), m.signature, publicKey) ? 'ok' : 'bad_signature';
}

export { sign as signText, verify as verifyText };
