import net from 'node:net';
import { allowedHosts, bareHost, type AllowedHost } from './allowed-hosts';

// Where notifications may go. A target's host is checked when it is saved and before each send, and
// every address its name resolves to, and the one the connection reached, before anything is sent.

// IPv4 ranges also in their IPv6 forms: BlockList matches ::ffff:a.b.c.d (IPv4-mapped) by itself; the
// IPv4-compatible ::a.b.c.d and NAT64's 64:ff9b::a.b.c.d are added.
function ranges(v4: [string, number][], v6: [string, number][]): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix] of v4) {
    list.addSubnet(address, prefix, 'ipv4');
    for (const six of ['::', '64:ff9b::']) list.addSubnet(`${six}${address}`, 96 + prefix, 'ipv6');
  }
  for (const [address, prefix] of v6) list.addSubnet(address, prefix, 'ipv6');
  return list;
}

// Refused always: link-local addresses and the cloud metadata services (169.254.169.254 on AWS, GCP,
// Azure, Oracle; fd00:ec2::254 on AWS over IPv6; 100.100.100.200 on Alibaba), which hand out the
// machine's cloud credentials to whoever asks from inside it.
const REFUSED = ranges(
  [
    ['169.254.0.0', 16],
    ['100.100.100.200', 32],
  ],
  [
    ['fe80::', 10],
    ['fd00:ec2::254', 128],
  ],
);
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

// Loopback, private, shared (carrier-grade NAT) and unspecified addresses: allowed while
// NOTIFY_ALLOWED_HOSTS is unset (a receiver on the same machine or network); once it is set, only
// those it lists as addresses or ranges, whatever host name led to them.
const INTERNAL = ranges(
  [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
  ],
  [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
  ],
);

const familyOf = (address: string) => (net.isIPv6(address) ? 'ipv6' : 'ipv4');

/** Why notifications may not go to this address, or null; `allowed` is NOTIFY_ALLOWED_HOSTS (null: unset). */
export function addressProblem(address: string, allowed: AllowedHost[] | null): string | null {
  if (REFUSED.check(address, familyOf(address))) return 'a link-local or cloud metadata address';
  if (allowed && INTERNAL.check(address, familyOf(address)) && !allowedHosts(allowed).addressListed(address)) {
    return 'a loopback or private address that NOTIFY_ALLOWED_HOSTS does not list';
  }
  return null;
}

/**
 * Why a target URL may not be used, judged by its host as the URL parser normalized it (every spelling
 * of an address, 2852039166 or 0xa9fea9fe or [::ffff:a9fe:a9fe], arrives as one), or null.
 */
export function targetHostProblem(url: URL, allowed: AllowedHost[] | null): string | null {
  const host = bareHost(url.hostname);
  if (net.isIP(host)) {
    const problem = addressProblem(host, allowed);
    if (problem) return `${host} is ${problem}`;
  } else if (METADATA_NAMES.has(host)) {
    return `${host} is a cloud metadata host`;
  }
  if (allowed && !allowedHosts(allowed).hostAllowed(host)) return `${host} is not in NOTIFY_ALLOWED_HOSTS`;
  return null;
}
