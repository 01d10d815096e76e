import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { isIP } from 'node:net';

// With TRUST_PROXY=N (hops), the N proxies nearest to us are trusted, and each appends the address it
// got the request from to X-Forwarded-For. Everything left of what they appended was written by the
// client, so the client is the N-th entry from the right (as Express's `trust proxy` N reads it).

// The entries of a list header (X-Forwarded-For, X-Forwarded-Proto), trimmed, in their order.
const entries = (header: string | undefined) => (header === undefined ? [] : header.split(',').map((e) => e.trim()));

/**
 * The client's address from X-Forwarded-For behind `hops` trusted proxies: the entry the outermost
 * of them appended, or the socket's address when there are no hops, too few entries, or not an address.
 */
export function forwardedClient(forwardedFor: string | undefined, socketAddress: string | null, hops: number): string | null {
  if (hops === 0) return socketAddress;
  const list = entries(forwardedFor);
  const entry = list.length >= hops ? list[list.length - hops] : undefined;
  return entry !== undefined && isIP(entry) !== 0 ? entry : socketAddress;
}

/** The client's address: the socket's, or the one the trusted proxies forwarded (TRUST_PROXY hops). */
export function clientIp(c: Context, hops: number): string | null {
  return forwardedClient(c.req.header('x-forwarded-for'), socketAddress(c), hops);
}

function socketAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
}

/**
 * Whether the client reached us over https behind `hops` trusted proxies: only they set
 * X-Forwarded-Proto. Proxies that append to it make a list, read like X-Forwarded-For; one that
 * replaces it (nginx's proxy_set_header) leaves its own single value.
 */
export function forwardedHttps(forwardedProto: string | undefined, hops: number): boolean {
  if (hops === 0) return false;
  const list = entries(forwardedProto);
  return (list.length >= hops ? list[list.length - hops] : list[0]) === 'https';
}

/** True when the request reached us over https (directly, or per the trusted proxies). */
export function isHttps(c: Context, hops: number): boolean {
  return forwardedHttps(c.req.header('x-forwarded-proto'), hops) || new URL(c.req.url).protocol === 'https:';
}
