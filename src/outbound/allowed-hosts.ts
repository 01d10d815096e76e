import net from 'node:net';

/**
 * One entry of NOTIFY_ALLOWED_HOSTS: a host name (`hooks.example.com`), every host under a domain
 * (`*.example.com`, not the domain itself), or an address or range (`203.0.113.7`, `10.0.0.0/8`, `fd00::/8`).
 */
export type AllowedHost =
  | { kind: 'name'; name: string }
  | { kind: 'domain'; domain: string }
  | { kind: 'net'; address: string; prefix: number; family: 'ipv4' | 'ipv6' };

/** A URL's hostname without the brackets of an IPv6 address or the trailing dot of a name. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname.replace(/\.$/, '');
}

// A host name as URLs spell it (lower case, punycode; an address in any spelling becomes its usual one).
function urlHost(text: string): string | undefined {
  if (text === '' || /[\s/\\:@?#[\]%*]/.test(text)) return undefined;
  try {
    return bareHost(new URL(`http://${text}/`).hostname);
  } catch {
    return undefined;
  }
}

function netEntry(address: string, prefixText: string | undefined): AllowedHost | undefined {
  const family = net.isIP(address);
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (family === 0 || !(prefix <= max)) return undefined;
  return { kind: 'net', address: address.toLowerCase(), prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Reads one entry of NOTIFY_ALLOWED_HOSTS, or says what is wrong with it. */
export function parseAllowedHost(entry: string): AllowedHost | { problem: string } {
  const bad = { problem: `${JSON.stringify(entry)} is not a host name, *.domain, address or address/prefix` };
  const [head = '', prefix, ...more] = entry.split('/');
  const address = head.replace(/^\[(.*)\]$/, '$1');
  if (more.length > 0) return bad;
  if (net.isIP(address) || prefix !== undefined) return netEntry(address, prefix) ?? bad;
  const wildcard = entry.startsWith('*.');
  const host = urlHost(wildcard ? entry.slice(2) : entry);
  if (host === undefined || (wildcard && net.isIP(host))) return bad;
  if (net.isIP(host)) return netEntry(host, undefined) ?? bad;
  return wildcard ? { kind: 'domain', domain: host } : { kind: 'name', name: host };
}

/** NOTIFY_ALLOWED_HOSTS, ready to ask: may a URL name this host, and does the list name this address. */
export type AllowedHosts = { hostAllowed: (host: string) => boolean; addressListed: (address: string) => boolean };

/** The questions of an allowed-host list; `host` is a bare host as `bareHost` gives it. */
export function allowedHosts(entries: AllowedHost[]): AllowedHosts {
  const names = new Set<string>();
  const domains: string[] = [];
  const nets = new net.BlockList();
  for (const e of entries) {
    if (e.kind === 'name') names.add(e.name);
    else if (e.kind === 'domain') domains.push(e.domain);
    else nets.addSubnet(e.address, e.prefix, e.family);
  }
  const addressListed = (address: string) => nets.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
  return {
    hostAllowed: (host) => (net.isIP(host) ? addressListed(host) : names.has(host) || domains.some((d) => host.endsWith(`.${d}`))),
    addressListed,
  };
}
