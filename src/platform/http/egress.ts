import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outgoing HTTP requests to addresses an administrator typed in (webhook targets), guarded against
 * server-side request forgery:
 * - only http and https, no credentials in the URL;
 * - the host must be on the allow-list (exact host names, or domains written `.example.gov.cn` /
 *   `*.example.gov.cn` for the domain and its sub-domains);
 * - every address the host resolves to must be a public unicast address: loopback, unspecified,
 *   link-local, private, CGNAT, multicast, broadcast, documentation/reserved ranges, IPv4-mapped or
 *   -compatible IPv6, NAT64, 6to4 and Teredo are refused unless the address lies in a network the
 *   administrator explicitly allowed;
 * - host names are normalised by the WHATWG URL parser first, so every encoding of an address
 *   (decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short `127.1`, a trailing dot, IDN)
 *   is checked as the address it denotes;
 * - the connection is pinned to the address that was checked (a custom `lookup`), so a second DNS
 *   answer cannot rebind it; redirects are not followed automatically: at most 3, each re-checked.
 */
export interface EgressPolicy {
  allowedHosts: readonly string[];
  /** CIDR networks allowed although not public, e.g. `127.0.0.1/32` for a test receiver */
  allowedNetworks: readonly string[];
}

/**
 * Egress policies for a path called many times a second (the data gateway): each jurisdiction's policy is
 * loaded at most once per `ttlMs` (5 s). The instance that changes a policy forgets it at once; other
 * instances of a scaled-out installation apply the change within `ttlMs`.
 */
export class EgressPolicyCache {
  private readonly cached = new Map<string, { policy: EgressPolicy; until: number }>();
  constructor(private readonly ttlMs = 5_000) {}

  async get(jurisdictionId: string, now: Date, load: () => Promise<EgressPolicy>): Promise<EgressPolicy> {
    const hit = this.cached.get(jurisdictionId);
    if (hit && hit.until > now.getTime()) return hit.policy;
    const policy = await load();
    if (this.cached.size >= 1_000) this.cached.clear();
    this.cached.set(jurisdictionId, { policy, until: now.getTime() + this.ttlMs });
    return policy;
  }

  forget(jurisdictionId: string): void {
    this.cached.delete(jurisdictionId);
  }
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export type EgressRefusal =
  | 'invalid_url'
  | 'scheme'
  | 'credentials'
  | 'host_not_allowed'
  | 'unresolvable'
  | 'address_refused'
  | 'too_many_redirects';

export class EgressRefused extends Error {
  constructor(
    readonly reason: EgressRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'EgressRefused';
  }
}

// ---------------------------------------------------------------------------------------------------
// Addresses

interface Net {
  family: 4 | 6;
  base: bigint;
  bits: number;
  mask: bigint;
}

/**
 * Parsing an address or a network is pure and every outgoing call checks a few of them (the data gateway
 * several times a millisecond): results are remembered, in maps emptied when they reach `MEMO_SIZE`.
 */
const MEMO_SIZE = 4096;
function memo<V>(map: Map<string, V>, key: string, compute: () => V): V {
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (map.size >= MEMO_SIZE) map.clear();
  map.set(key, value);
  return value;
}
const ADDRESS_VALUES = new Map<string, bigint>();
const NETWORKS = new Map<string, Net>();

/** An address's value as one number; parsing by ipaddr.js (strict: four decimal parts for IPv4). */
function addressValue(ip: string, family: 4 | 6): bigint {
  return memo(ADDRESS_VALUES, `${family}:${ip}`, () => parseAddressValue(ip, family));
}

function parseAddressValue(ip: string, family: 4 | 6): bigint {
  const valid = family === 4 ? ipaddr.IPv4.isValidFourPartDecimal(ip) : ipaddr.IPv6.isValid(ip) && isIP(ip) === 6;
  if (!valid) throw new Error(`not an IPv${family} address: ${ip}`);
  let value = 0n;
  for (const byte of ipaddr.parse(ip).toByteArray()) value = (value << 8n) | BigInt(byte);
  return value;
}

const ipv4ToBigInt = (ip: string) => addressValue(ip, 4);
const ipv6ToBigInt = (ip: string) => addressValue(ip, 6);

/** `10.0.0.0/8`, `fc00::/7`, or a single address (a /32 or /128), parsed by ipaddr.js. */
export function parseCidr(cidr: string): Net {
  return memo(NETWORKS, cidr, () => parseNetwork(cidr));
}

function parseNetwork(cidr: string): Net {
  const text = cidr.trim();
  const [addr, len, extra] = text.split('/');
  if (!addr || extra !== undefined) throw new Error(`not a CIDR network: ${cidr}`);
  const family = isIP(addr);
  if (family !== 4 && family !== 6) throw new Error(`not a CIDR network: ${cidr}`);
  if (len !== undefined && !/^\d{1,3}$/.test(len)) throw new Error(`not a CIDR network: ${cidr}`);
  let bits: number;
  try {
    bits = len === undefined ? (family === 4 ? 32 : 128) : ipaddr.parseCIDR(text)[1];
  } catch {
    throw new Error(`not a CIDR network: ${cidr}`);
  }
  const max = family === 4 ? 32 : 128;
  const value = addressValue(addr, family);
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(max - bits);
  return { family, base: value & mask, bits, mask };
}

function contains(net: Net, family: 4 | 6, value: bigint): boolean {
  return net.family === family && (value & net.mask) === net.base;
}

// Order matters: the first match names the reason (the broadcast address before 240/4, :: before ::/96).
const SPECIAL: [string, string][] = [
  ['255.255.255.255/32', 'broadcast'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::ffff:0:0/96', 'ipv4-mapped'],
  ['::/96', 'ipv4-compatible'],
  ['::ffff:0:0:0/96', 'ipv4-translated'],
  ['64:ff9b::/96', 'nat64'],
  ['64:ff9b:1::/48', 'nat64'],
  ['100::/64', 'reserved'],
  ['2001::/32', 'teredo'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
];
const SPECIAL_NETS = SPECIAL.map(([cidr, reason]) => ({ net: parseCidr(cidr), reason }));
// Whatever is outside global unicast space (2000::/3) in IPv6 is not a public address either.
const GLOBAL_UNICAST = parseCidr('2000::/3');

/** Why an address is not public (`loopback`, `private`, ...), or null for a public unicast address. */
export function classifyAddress(address: string): string | null {
  const family = isIP(address);
  if (family === 4) {
    const v = ipv4ToBigInt(address);
    for (const s of SPECIAL_NETS) if (contains(s.net, 4, v)) return s.reason;
    return null;
  }
  if (family === 6) {
    if (address.includes('%')) return 'scoped';
    const v = ipv6ToBigInt(address);
    for (const s of SPECIAL_NETS) if (contains(s.net, 6, v)) return s.reason;
    return contains(GLOBAL_UNICAST, 6, v) ? null : 'reserved';
  }
  return 'not-an-address';
}

/** Whether `address` may be connected to under `policy`: public, or inside an explicitly allowed network. */
export function addressRefusal(address: string, allowedNetworks: readonly string[]): string | null {
  const reason = classifyAddress(address);
  if (reason === null || reason === 'not-an-address' || reason === 'scoped') return reason;
  const family = isIP(address) as 4 | 6;
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  for (const cidr of allowedNetworks) {
    if (contains(parseCidr(cidr), family, value)) return null;
  }
  return reason;
}

// ---------------------------------------------------------------------------------------------------
// Host names and URLs

/** A host as the URL parser normalises it: lower case, punycode, IPv4 in dotted decimal, no brackets or trailing dot. */
export function normaliseHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  while (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/** An allow-list entry normalised the same way as URLs' hosts (so IDN entries and `127.1` compare right). */
export function normaliseAllowedHost(entry: string): string {
  const raw = entry.trim();
  const wildcard = raw.startsWith('*.') ? raw.slice(2) : raw.startsWith('.') ? raw.slice(1) : null;
  const name = (wildcard ?? raw).replace(/^\[(.*)\]$/, '$1');
  if (!name || /[/?#@\s\\]/.test(name) || (name.includes(':') && isIP(name) !== 6)) {
    throw new Error(`not a host name or domain: ${entry}`);
  }
  let host: string;
  try {
    host = normaliseHost(new URL(`http://${isIP(name) === 6 ? `[${name}]` : name}/`).hostname);
  } catch {
    throw new Error(`not a host name or domain: ${entry}`);
  }
  if (wildcard !== null && isIP(host)) throw new Error(`a domain cannot be an address: ${entry}`);
  return wildcard !== null ? `.${host}` : host;
}

// An allow-list normalised once per list: the data gateway checks the same policy (cached for a few seconds) on
// every call, and normalising an entry parses a URL. Keyed by the list, and by its text should it be changed in place.
const normalisedLists = new WeakMap<readonly string[], { text: string; list: readonly (string | null)[] }>();

function normalisedList(allowedHosts: readonly string[]): readonly (string | null)[] {
  const text = allowedHosts.join('\n');
  const known = normalisedLists.get(allowedHosts);
  if (known?.text === text) return known.list;
  const list = allowedHosts.map((entry) => {
    try {
      return normaliseAllowedHost(entry);
    } catch {
      return null;
    }
  });
  normalisedLists.set(allowedHosts, { text, list });
  return list;
}

export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const h = normaliseHost(host);
  for (const allowed of normalisedList(allowedHosts)) {
    if (allowed === null) continue;
    if (allowed.startsWith('.')) {
      if (h === allowed.slice(1) || h.endsWith(allowed)) return true;
    } else if (h === allowed) return true;
  }
  return false;
}

/** Parses and checks a target URL without resolving it: scheme, credentials, host allow-list, literal addresses. */
export function checkUrl(raw: string, policy: EgressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EgressRefused('invalid_url', `not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EgressRefused('scheme', `only http and https are allowed, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new EgressRefused('credentials', 'the URL may not carry credentials');
  const host = normaliseHost(url.hostname);
  if (!host) throw new EgressRefused('invalid_url', 'the URL names no host');
  if (!hostAllowed(host, policy.allowedHosts)) {
    throw new EgressRefused('host_not_allowed', `host ${host} is not on the jurisdiction's allow-list`);
  }
  if (isIP(host)) {
    const reason = addressRefusal(host, policy.allowedNetworks);
    if (reason) throw new EgressRefused('address_refused', `address ${host} is ${reason}`);
  }
  return url;
}

export interface CheckedTarget {
  url: URL;
  host: string;
  /** the address the connection is pinned to */
  address: string;
  family: 4 | 6;
}

/** Checks a URL, resolves its host, and refuses it when any resolved address is not allowed. */
export async function checkTarget(
  raw: string,
  policy: EgressPolicy,
  resolve: Resolver = systemResolver,
): Promise<CheckedTarget> {
  const url = checkUrl(raw, policy);
  const host = normaliseHost(url.hostname);
  const literal = isIP(host);
  if (literal) return { url, host, address: host, family: literal as 4 | 6 };
  let answers: { address: string; family: number }[];
  try {
    answers = await resolve(host);
  } catch (error) {
    throw new EgressRefused('unresolvable', `${host} does not resolve: ${(error as Error).message}`);
  }
  if (answers.length === 0) throw new EgressRefused('unresolvable', `${host} does not resolve`);
  for (const a of answers) {
    const reason = addressRefusal(a.address, policy.allowedNetworks);
    if (reason) throw new EgressRefused('address_refused', `${host} resolves to ${a.address}, which is ${reason}`);
  }
  const first = answers[0] as { address: string; family: number };
  return { url, host, address: first.address, family: isIP(first.address) as 4 | 6 };
}

// ---------------------------------------------------------------------------------------------------
// Requests

export interface EgressRequest {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
  policy: EgressPolicy;
  timeoutMs?: number;
  maxRedirects?: number;
  resolve?: Resolver;
  /** how much of the answer's body to keep (4 KiB by default); a longer answer is cut off there, `truncated` */
  maxBodyBytes?: number;
  /** keep connections open for the next request to the same checked address (a batch of deliveries) */
  agents?: KeepAliveAgents;
}

/**
 * Keep-alive connections for many requests in a row. One agent per checked address: a pooled socket is
 * only ever reused for the address a check just allowed again, never for whatever a name resolves to now.
 * `destroy()` closes them all (at the end of a batch).
 */
export class KeepAliveAgents {
  private readonly agents = new Map<string, http.Agent>();
  constructor(
    private readonly maxSockets = 16,
    private readonly maxAgents = 256,
  ) {}

  for(target: CheckedTarget): http.Agent {
    // The host is part of the key: a TLS session is for one server name, even at a shared address.
    const key = `${target.url.protocol}//${target.host}@${target.address}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: this.maxSockets, maxFreeSockets: 16, timeout: 30_000 };
      agent = target.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(key, agent);
      if (this.agents.size > this.maxAgents) {
        const [oldest, old] = this.agents.entries().next().value as [string, http.Agent];
        this.agents.delete(oldest);
        old.destroy();
      }
    }
    return agent;
  }

  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

export interface EgressResponse {
  status: number;
  /** the URL that answered last */
  url: string;
  /** the address it was connected to */
  address: string;
  redirects: number;
  /** the first `maxBodyBytes` (4 KiB) of the answer's body */
  body: string;
  /** the answer was longer than `maxBodyBytes` (the rest was not read) */
  truncated: boolean;
}

/** A lookup that always answers the checked address: the connection cannot go anywhere else. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

function once(
  target: CheckedTarget,
  req: EgressRequest,
  timeoutMs: number,
): Promise<EgressResponse & { location?: string }> {
  const { url } = target;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      {
        method: req.method,
        // The host name stays (TLS SNI and certificate checks use it); the lookup pins the address.
        host: isIP(target.host) ? target.address : target.host,
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers: { ...req.headers, host: url.host },
        lookup: pinnedLookup(target.address, target.family),
        agent: req.agents ? req.agents.for(target) : false,
        timeout: timeoutMs,
      },
      (res) => {
        const max = req.maxBodyBytes ?? 4096;
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const finish = () => {
          const location = res.headers.location;
          resolve({
            status: res.statusCode ?? 0,
            url: url.toString(),
            address: target.address,
            redirects: 0,
            body: Buffer.concat(chunks).toString('utf8'),
            truncated,
            location: typeof location === 'string' ? location : undefined,
          });
        };
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          if (size + chunk.length > max) {
            chunks.push(chunk.subarray(0, max - size));
            truncated = true;
            finish();
            res.destroy();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', finish);
        res.on('error', (error) => {
          if (!truncated) reject(error);
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    if (req.body !== undefined && req.method === 'POST') request.end(req.body);
    else request.end();
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Sends a request through the guard. Redirects are followed by hand (at most `maxRedirects`, 3 by
 * default), each new location checked like the first; 307/308 repeat the request, 301/302/303 turn into
 * a GET without body. Throws EgressRefused when a target is refused, other errors when the network fails.
 */
export async function egressRequest(req: EgressRequest): Promise<EgressResponse> {
  const timeoutMs = req.timeoutMs ?? 10_000;
  const maxRedirects = req.maxRedirects ?? 3;
  let current = { ...req };
  let target = await checkTarget(req.url, req.policy, req.resolve);
  for (let redirects = 0; ; redirects++) {
    const res = await once(target, current, timeoutMs);
    if (!REDIRECTS.has(res.status) || !res.location) {
      const { location: _, ...answer } = res;
      return { ...answer, redirects };
    }
    if (redirects >= maxRedirects) {
      throw new EgressRefused('too_many_redirects', `more than ${maxRedirects} redirects`);
    }
    const next = new URL(res.location, target.url).toString();
    target = await checkTarget(next, req.policy, req.resolve);
    if (res.status === 301 || res.status === 302 || res.status === 303) {
      const { 'content-type': _ct, ...headers } = current.headers;
      current = { ...current, method: 'GET', body: undefined, headers };
    }
  }
}
