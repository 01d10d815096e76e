import dns from 'node:dns';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { addressProblem, targetHostProblem } from '../outbound/address-policy';
import { bareHost, type AllowedHost } from '../outbound/allowed-hosts';

/** Resolves a host name to its addresses: dns.lookup in production; a test may give names addresses of its own. */
export type Resolve = (host: string) => Promise<dns.LookupAddress[]>;

/** The system's resolver, as any connection by name would use it. */
export const systemResolve: Resolve = (host) => dns.promises.lookup(host, { all: true });

/** An attempt refused before anything was sent; `final`: the URL itself is refused, so trying again is pointless. */
export class RefusedTarget extends Error {
  constructor(
    reason: string,
    readonly final: boolean,
  ) {
    super(`refused: ${reason}`);
  }
}

/** How to make one POST: its headers, its deadline, the resolver, NOTIFY_ALLOWED_HOSTS (null: unset). */
export type PostOptions = { headers: Record<string, string>; timeoutMs: number; resolve: Resolve; allowed: AllowedHost[] | null };

/**
 * POSTs `body` and answers the response status (the response body is not read). It connects only to
 * checked addresses: a name is resolved once, here, and every address it gave must be allowed (a name
 * that now points at a metadata address, by DNS rebinding or not, is refused); the socket is given those
 * addresses alone, and the address it reached is checked again before a byte of the request is written.
 */
export async function checkedPost(url: URL, body: string, o: PostOptions): Promise<number> {
  const hostProblem = targetHostProblem(url, o.allowed);
  if (hostProblem) throw new RefusedTarget(hostProblem, true);
  const signal = AbortSignal.timeout(o.timeoutMs);
  const host = bareHost(url.hostname);
  let lookup: net.LookupFunction | undefined;
  if (!net.isIP(host)) {
    const timedOut = once(signal, 'abort').then(() => Promise.reject(signal.reason));
    const addresses = await Promise.race([o.resolve(host), timedOut]);
    if (addresses.length === 0) throw new Error(`ENOTFOUND: ${host} has no address`);
    for (const a of addresses) {
      const problem = addressProblem(a.address, o.allowed);
      if (problem) throw new RefusedTarget(`${host} resolved to ${a.address}, ${problem}`, false);
    }
    lookup = (_name, options, callback) =>
      options.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family);
  }
  return new Promise((resolve, reject) => {
    const headers = { ...o.headers, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: 'POST', headers, agent: false, lookup, signal },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.on('error', reject);
    req.on('socket', (socket) => {
      const check = () => {
        const at = socket.remoteAddress;
        if (at === undefined) return; // closed meanwhile: the request fails with the socket's error
        const problem = addressProblem(at, o.allowed);
        if (problem) req.destroy(new RefusedTarget(`connected to ${at}, ${problem}`, false));
        else req.end(body);
      };
      if (socket.connecting) socket.once('connect', check);
      else check();
    });
  });
}
