import { type EgressResponse, egressRequest, type KeepAliveAgents } from '../../platform/http/egress.ts';

/**
 * Every message between installations goes out through the platform's egress guard: the peer's host is
 * the only allowed host, and a private or loopback address only when the administrator listed its network
 * on the link (`allowedNetworks`).
 */
export async function postSigned(
  baseUrl: string,
  path: string,
  body: unknown,
  allowedNetworks: readonly string[],
  options: { agents?: KeepAliveAgents; timeoutMs?: number; contentType?: string } = {},
): Promise<EgressResponse> {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return egressRequest({
    url: url.toString(),
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/json' },
    // a body given as text with its own media type (a batch) goes as it is
    body: options.contentType ? String(body) : JSON.stringify(body),
    policy: { allowedHosts: [url.hostname], allowedNetworks },
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRedirects: 0,
    maxBodyBytes: 16_384,
    agents: options.agents,
  });
}
