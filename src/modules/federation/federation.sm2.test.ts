import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { sign, verify } from './federation.protocol.ts';

// An independent SM2 (GB/T 32918.2-2016, section 6) over bigints with node's (OpenSSL's) SM3, used to check
// that the library signs with the scheme of the standard — e = SM3(Z_A || M), Z_A the identity digest — and
// not ECDSA on the SM2 curve.
interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
}
type Point = { x: bigint; y: bigint } | null;
const mod = (v: bigint, m: bigint) => ((v % m) + m) % m;
function inv(v: bigint, m: bigint): bigint {
  let [a, b, x0, x1] = [mod(v, m), m, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b] = [b, a - q * b];
    [x0, x1] = [x1, x0 - q * x1];
  }
  return mod(x0, m);
}
function add(c: Curve, P: Point, Q: Point): Point {
  if (!P) return Q;
  if (!Q) return P;
  if (P.x === Q.x && mod(P.y + Q.y, c.p) === 0n) return null;
  const l =
    P.x === Q.x && P.y === Q.y
      ? mod((3n * P.x * P.x + c.a) * inv(2n * P.y, c.p), c.p)
      : mod((Q.y - P.y) * inv(Q.x - P.x, c.p), c.p);
  const x = mod(l * l - P.x - Q.x, c.p);
  return { x, y: mod(l * (P.x - x) - P.y, c.p) };
}
function mul(c: Curve, k: bigint, P: Point): Point {
  let R: Point = null;
  let A = P;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) R = add(c, R, A);
    A = add(c, A, A);
  }
  return R;
}
const hex = (v: bigint) => v.toString(16).padStart(64, '0');
const sm3 = (buf: Buffer) => createHash('sm3').update(buf).digest();
function za(c: Curve, id: string, P: { x: bigint; y: bigint }): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(idBytes.length * 8);
  return sm3(
    Buffer.concat([entl, idBytes, ...[c.a, c.b, c.gx, c.gy, P.x, P.y].map((v) => Buffer.from(hex(v), 'hex'))]),
  );
}
function signWithK(c: Curve, d: bigint, id: string, msg: string, k: bigint) {
  const P = mul(c, d, { x: c.gx, y: c.gy }) as { x: bigint; y: bigint };
  const z = za(c, id, P);
  const e = BigInt(`0x${sm3(Buffer.concat([z, Buffer.from(msg, 'utf8')])).toString('hex')}`);
  const x1 = (mul(c, k, { x: c.gx, y: c.gy }) as { x: bigint }).x;
  const r = mod(e + x1, c.n);
  const s = mod(inv(1n + d, c.n) * (k - r * d), c.n);
  return { P, z: z.toString('hex'), e, r, s };
}
function verifyIndependently(c: Curve, P: { x: bigint; y: bigint }, id: string, msg: string, r: bigint, s: bigint) {
  const e = BigInt(`0x${sm3(Buffer.concat([za(c, id, P), Buffer.from(msg, 'utf8')])).toString('hex')}`);
  const t = mod(r + s, c.n);
  const x1 = (add(c, mul(c, s, { x: c.gx, y: c.gy }), mul(c, t, P)) as { x: bigint }).x;
  return mod(e + x1, c.n) === r;
}
const h = (s: string) => BigInt(`0x${s.replace(/\s/g, '')}`);

describe('SM2 signatures (GB/T 32918.2)', () => {
  it('reproduces the standard’s example A.2 (test curve Fp-256, ID ALICE123@YAHOO.COM, "message digest")', () => {
    const curve: Curve = {
      p: h('8542D69E 4C044F18 E8B92435 BF6FF7DE 45728391 5C45517D 722EDB8B 08F1DFC3'),
      a: h('787968B4 FA32C3FD 2417842E 73BBFEFF 2F3C848B 6831D7E0 EC65228B 3937E498'),
      b: h('63E4C6D3 B23B0C84 9CF84241 484BFE48 F61D59A5 B16BA06E 6E12D1DA 27C5249A'),
      n: h('8542D69E 4C044F18 E8B92435 BF6FF7DD 29772063 0485628D 5AE74EE7 C32E79B7'),
      gx: h('421DEBD6 1B62EAB6 746434EB C3CC315E 32220B3B ADD50BDC 4C4E6C14 7FEDD43D'),
      gy: h('0680512B CBB42C07 D47349D2 153B70C4 E5D7FDFC BFA36EA1 A85841B9 E46E09A2'),
    };
    const out = signWithK(
      curve,
      h('128B2FA8 BD433C6C 068C8D80 3DFF7979 2A519A55 171B1B65 0C23661D 15897263'),
      'ALICE123@YAHOO.COM',
      'message digest',
      h('6CB28D99 385C175C 94F94E93 4817663F C176D925 DD72B727 260DBAAE 1FB2F96F'),
    );
    expect(hex(out.P.x)).toBe(hex(h('0AE4C779 8AA0F119 471BEE11 825BE462 02BB79E2 A5844495 E97C04FF 4DF2548A')));
    expect(hex(out.P.y)).toBe(hex(h('7C0240F8 8F1CD4E1 6352A73C 17B7F16F 07353E53 A176D684 A9FE0C6B B798E857')));
    expect(out.z).toBe(hex(h('F4A38489 E32B45B6 F876E3AC 2168CA39 2362DC8F 23459C1D 1146FC3D BFB7BC9A')));
    expect(hex(out.e)).toBe(hex(h('B524F552 CD82B8B0 28476E00 5C377FB1 9A87E6FC 682D48BB 5D42E3D9 B9EFFE76')));
    expect(hex(out.r)).toBe(hex(h('40F1EC59 F793D9F4 9E09DCEF 49130D41 94F79FB1 EED2CAA5 5BACDB49 C4E755D1')));
    expect(hex(out.s)).toBe(hex(h('6FC6DAC3 2C5D5CF1 0C77DFB2 0F7C2EB6 67A45787 2FB09EC5 6327A67E C7DEEBE7')));
    expect(verifyIndependently(curve, out.P, 'ALICE123@YAHOO.COM', 'message digest', out.r, out.s)).toBe(true);
  });

  // The recommended curve (GB/T 32918.5), which the library is fixed to.
  const SM2P256: Curve = {
    p: h('FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF 00000000 FFFFFFFF FFFFFFFF'),
    a: h('FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF 00000000 FFFFFFFF FFFFFFFC'),
    b: h('28E9FA9E 9D9F5E34 4D5A9E4B CF6509A7 F39789F5 15AB8F92 DDBCBD41 4D940E93'),
    n: h('FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF 7203DF6B 21C6052B 53BBF409 39D54123'),
    gx: h('32C4AE2C 1F198119 5F990446 6A39C994 8FE30BBF F2660BE1 715A4589 334C74C7'),
    gy: h('BC3736A2 F4F6779C 59BDCEE3 6B692153 D0A9877C C62A4740 02DF32E5 2139F0A0'),
  };
  const DEFAULT_ID = '1234567812345678';

  it('the library’s signatures verify under the standard’s scheme with Z_A, and only under it', () => {
    const keys = sm2.generateKeyPairHex();
    const P = { x: h(keys.publicKey.slice(2, 66)), y: h(keys.publicKey.slice(66)) };
    const message = 'yunguan-federation-batch|1|district|42';
    const signature = sign(message, keys.privateKey);
    const r = h(signature.slice(0, 64));
    const s = h(signature.slice(64));
    expect(verifyIndependently(SM2P256, P, DEFAULT_ID, message, r, s)).toBe(true);
    // the Z_A digest takes part: another identity, or the message signed without it, does not verify
    expect(verifyIndependently(SM2P256, P, 'ALICE123@YAHOO.COM', message, r, s)).toBe(false);
    const bare = sm2.doSignature(message, keys.privateKey);
    expect(verify(message, bare, keys.publicKey)).toBe(false);
  });

  it('the library verifies a signature made independently under the standard’s scheme', () => {
    const d = h('3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8');
    const out = signWithK(
      SM2P256,
      d,
      DEFAULT_ID,
      'message digest',
      h('59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21'),
    );
    const publicKey = `04${hex(out.P.x)}${hex(out.P.y)}`;
    expect(sm2.getPublicKeyFromPrivateKey(hex(d))).toBe(publicKey);
    expect(verify('message digest', `${hex(out.r)}${hex(out.s)}`, publicKey)).toBe(true);
    expect(verify('message digesT', `${hex(out.r)}${hex(out.s)}`, publicKey)).toBe(false);
  });
});
