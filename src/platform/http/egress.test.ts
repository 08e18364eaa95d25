import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkTarget,
  checkUrl,
  classifyAddress,
  type EgressPolicy,
  EgressRefused,
  egressRequest,
  hostAllowed,
  parseCidr,
  type Resolver,
} from './egress.ts';

// Every host used below is on the allow-list, so what refuses them is the address they denote.
const EVERYTHING_LISTED: EgressPolicy = {
  allowedHosts: [
    '127.0.0.1',
    '0.0.0.0',
    '::1',
    '::',
    '169.254.169.254',
    'fe80::1',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    'fc00::1',
    'fd12:3456::1',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'localhost',
    '*.example.test',
    'xn--fiqs8s.example.test',
  ],
  allowedNetworks: [],
};

// A resolver standing in for DNS: what each name would resolve to.
const FAKE_DNS: Record<string, string[]> = {
  localhost: ['127.0.0.1', '::1'],
  'rebind.example.test': ['93.184.216.34', '10.0.0.7'],
  'metadata.example.test': ['169.254.169.254'],
  'private6.example.test': ['fd00::5'],
  'public.example.test': ['93.184.216.34'],
  'xn--fiqs8s.example.test': ['192.168.0.10'],
};
const fakeResolve: Resolver = async (name) => {
  const answers = FAKE_DNS[name];
  if (!answers) throw new Error('ENOTFOUND');
  return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

async function refusal(url: string, policy: EgressPolicy = EVERYTHING_LISTED): Promise<string> {
  try {
    await checkTarget(url, policy, fakeResolve);
  } catch (error) {
    if (error instanceof EgressRefused) return `${error.reason}: ${error.message}`;
    throw error;
  }
  return 'allowed';
}

describe('SSRF guard: forbidden targets in any encoding', () => {
  const cases: [string, string][] = [
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://2130706433/', 'loopback'], // decimal
    ['http://0177.0.0.1/', 'loopback'], // octal
    ['http://0x7f.1/', 'loopback'], // hex, short
    ['http://0x7f000001/', 'loopback'],
    ['http://127.1/', 'loopback'], // short form
    ['http://127.0.0.1./', 'loopback'], // trailing dot
    ['http://localhost/', 'loopback'],
    ['http://localhost./', 'loopback'],
    ['http://LOCALHOST/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://metadata.example.test/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://10.0.0.1/', 'private'],
    ['http://012.0.0.1/', 'private'], // octal 10.0.0.1
    ['http://172.16.0.1/', 'private'],
    ['http://172.31.255.255/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://3232235777/', 'private'], // decimal 192.168.1.1
    ['http://[fc00::1]/', 'private'],
    ['http://[fd12:3456::1]/', 'private'],
    ['http://private6.example.test/', 'private'],
    ['http://100.64.0.1/', 'cgnat'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://[::ffff:127.0.0.1]/', 'ipv4-mapped'],
    ['http://[::ffff:7f00:1]/', 'ipv4-mapped'],
    ['http://[::ffff:169.254.169.254]/', 'ipv4-mapped'],
    ['http://[::127.0.0.1]/', 'ipv4-compatible'],
    ['http://[64:ff9b::7f00:1]/', 'nat64'],
    ['http://[64:ff9b::127.0.0.1]/', 'nat64'],
    ['http://[2002:7f00:1::1]/', '6to4'],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'teredo'],
    ['http://rebind.example.test/', 'private'], // one public and one private answer
    ['http://中国.example.test/', 'private'], // IDN, punycoded before the allow-list and DNS
  ];
  it.each(cases)('%s is refused (%s)', async (url, reason) => {
    const result = await refusal(url);
    expect(result).toMatch(/^address_refused: /);
    expect(result).toContain(`is ${reason}`);
  });

  it('refuses other schemes, credentials and hosts not on the allow-list', async () => {
    expect(await refusal('ftp://public.example.test/')).toMatch(/^scheme/);
    expect(await refusal('file:///etc/passwd')).toMatch(/^scheme/);
    expect(await refusal('gopher://public.example.test/')).toMatch(/^scheme/);
    expect(await refusal('javascript:alert(1)')).toMatch(/^scheme/);
    expect(await refusal('http://user:pw@public.example.test/')).toMatch(/^credentials/);
    expect(await refusal('http://evil.test/')).toMatch(/^host_not_allowed/);
    expect(await refusal('http://example.test.evil.test/')).toMatch(/^host_not_allowed/);
    expect(await refusal('http://127.0.0.1@evil.test/')).toMatch(/^credentials/);
    expect(await refusal('not a url')).toMatch(/^invalid_url/);
    expect(await refusal('http://nowhere.example.test/')).toMatch(/^unresolvable/);
  });

  it('allows public addresses of listed hosts, pinned to the address checked', async () => {
    const target = await checkTarget('https://public.example.test/hook', EVERYTHING_LISTED, fakeResolve);
    expect(target.address).toBe('93.184.216.34');
    expect(target.host).toBe('public.example.test');
  });

  it('allows a non-public network only when the administrator allowed it explicitly', async () => {
    const policy = { allowedHosts: ['127.0.0.1', 'localhost'], allowedNetworks: ['127.0.0.0/8', '::1/128'] };
    expect(await refusal('http://127.0.0.1:9/', policy)).toBe('allowed');
    expect(await refusal('http://localhost:9/', policy)).toBe('allowed');
    // allowing loopback does not allow its IPv4-mapped spelling, nor private networks
    expect(await refusal('http://10.0.0.1/', { ...policy, allowedHosts: ['10.0.0.1'] })).toMatch(/private/);
  });

  it('classifies addresses and parses networks', () => {
    expect(classifyAddress('8.8.8.8')).toBeNull();
    expect(classifyAddress('2400:3200::1')).toBeNull();
    expect(classifyAddress('172.32.0.1')).toBeNull();
    expect(classifyAddress('100.128.0.1')).toBeNull();
    expect(classifyAddress('3fff::1')).toBeNull();
    expect(classifyAddress('4000::1')).toBe('reserved');
    expect(classifyAddress('fe80::1%eth0')).toBe('scoped');
    expect(classifyAddress('example.com')).toBe('not-an-address');
    expect(() => parseCidr('10.0.0.0/33')).toThrow();
    expect(() => parseCidr('example.com/8')).toThrow();
    expect(parseCidr('10.1.2.3/8').base).toBe(10n << 24n);
  });

  it('matches allow-list domains on label boundaries', () => {
    expect(hostAllowed('hooks.example.gov.cn', ['.example.gov.cn'])).toBe(true);
    expect(hostAllowed('example.gov.cn', ['*.example.gov.cn'])).toBe(true);
    expect(hostAllowed('badexample.gov.cn', ['*.example.gov.cn'])).toBe(false);
    expect(hostAllowed('hooks.example.gov.cn', ['example.gov.cn'])).toBe(false);
    expect(hostAllowed('127.0.0.1', ['127.1'])).toBe(true);
    expect(() => checkUrl('http://[::1]/', { allowedHosts: ['[::1]'], allowedNetworks: [] })).toThrow(/loopback/);
  });
});

describe('SSRF guard on real connections', () => {
  let server: Server;
  let port: number;
  const seen: { url: string; host: string | undefined; method: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', host: req.headers.host, method: req.method ?? '' });
      if (req.url === '/to-loopback') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end();
      } else if (req.url?.startsWith('/hop/')) {
        const n = Number(req.url.slice(5));
        res.writeHead(307, { location: n > 0 ? `/hop/${n - 1}` : '/ok' }).end();
      } else if (req.url === '/big') {
        res.writeHead(200).end('x'.repeat(100_000));
      } else res.writeHead(200).end('fine');
    });
    // 127.0.0.2 is loopback too: the tests allow exactly that address, not 127.0.0.1.
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const policy = (): EgressPolicy => ({
    allowedHosts: ['127.0.0.2', '127.0.0.1', 'hooks.example.test'],
    allowedNetworks: ['127.0.0.2/32'],
  });

  it('refuses a redirect to 127.0.0.1 (the Location is checked like the first URL)', async () => {
    const error = await egressRequest({
      url: `http://127.0.0.2:${port}/to-loopback`,
      method: 'POST',
      headers: {},
      body: '{}',
      policy: policy(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressRefused);
    expect((error as EgressRefused).message).toContain('loopback');
    expect(seen.some((s) => s.url === '/ok')).toBe(false);
  });

  it('follows at most 3 redirects', async () => {
    const ok = await egressRequest({
      url: `http://127.0.0.2:${port}/hop/2`,
      method: 'POST',
      headers: {},
      body: '{}',
      policy: policy(),
    });
    expect(ok.status).toBe(200);
    expect(ok.redirects).toBe(3);
    const error = await egressRequest({
      url: `http://127.0.0.2:${port}/hop/3`,
      method: 'POST',
      headers: {},
      body: '{}',
      policy: policy(),
    }).catch((e: unknown) => e);
    expect((error as EgressRefused).reason).toBe('too_many_redirects');
  });

  it('keeps 4 KiB of the answer unless told more, and says when it cut it off', async () => {
    const get = (maxBodyBytes?: number) =>
      egressRequest({
        url: `http://127.0.0.2:${port}/big`,
        method: 'GET',
        headers: {},
        policy: policy(),
        maxBodyBytes,
      });
    const short = await get();
    expect([short.status, short.body.length, short.truncated]).toEqual([200, 4096, true]);
    const whole = await get(1_000_000);
    expect([whole.body.length, whole.truncated]).toEqual([100_000, false]);
    const fine = await egressRequest({
      url: `http://127.0.0.2:${port}/ok`,
      method: 'GET',
      headers: {},
      policy: policy(),
    });
    expect([fine.body, fine.truncated]).toEqual(['fine', false]);
  });

  it('connects to the address it checked, whatever the name resolves to later (no rebinding)', async () => {
    let calls = 0;
    // First answer allowed, any later one would point elsewhere: the request must not ask again.
    const rebinding: Resolver = async () => {
      calls++;
      return [{ address: calls === 1 ? '127.0.0.2' : '10.9.9.9', family: 4 }];
    };
    const res = await egressRequest({
      url: `http://hooks.example.test:${port}/ok`,
      method: 'POST',
      headers: {},
      body: '{}',
      policy: policy(),
      resolve: rebinding,
    });
    expect(res.status).toBe(200);
    expect(res.address).toBe('127.0.0.2');
    expect(calls).toBe(1);
    expect(seen.at(-1)?.host).toBe(`hooks.example.test:${port}`);
  });
});
