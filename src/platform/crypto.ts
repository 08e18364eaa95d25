import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SM3 digest, hex. */
export function sm3(value: string | Buffer): string {
  return createHash('sm3').update(value).digest('hex');
}

/** A random secret for cookies and tokens: 32 bytes, base64url. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// The development key is public on purpose: production refuses to start without YUNGUAN_DATA_KEY.
const DEVELOPMENT_KEY = Buffer.from('79756e6775616e2d6465762d6b657921', 'hex');
let dataKey: Buffer = DEVELOPMENT_KEY;

/** The SM4 key (16 bytes, hex in YUNGUAN_DATA_KEY) that protects secrets stored in the database. */
export function setDataKey(hex: string | undefined): void {
  dataKey = hex ? Buffer.from(hex, 'hex') : DEVELOPMENT_KEY;
}

/** SM4-CBC with a random IV: `sm4:<iv hex>:<ciphertext base64>`. */
export function sealSecret(plain: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('sm4-cbc', dataKey, iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `sm4:${iv.toString('hex')}:${sealed.toString('base64')}`;
}

export function openSecret(sealed: string): string {
  const [scheme, iv, body] = sealed.split(':');
  if (scheme !== 'sm4' || !iv || !body) throw new Error('not a sealed secret');
  const decipher = createDecipheriv('sm4-cbc', dataKey, Buffer.from(iv, 'hex'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}
