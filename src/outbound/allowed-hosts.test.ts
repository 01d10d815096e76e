import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { allowedHosts, parseAllowedHost } from './allowed-hosts';

describe('NOTIFY_ALLOWED_HOSTS', () => {
  it('reads names as URLs spell them, *.domain patterns, and addresses or ranges in any usual spelling', () => {
    expect(
      loadConfig({ NOTIFY_ALLOWED_HOSTS: 'Hooks.Example.com., *.example.org, 10.0.0.0/8, [fd00::]/8, 0x7f.1, ::1, bücher.example' })
        .notifyAllowedHosts,
    ).toEqual([
      { kind: 'name', name: 'hooks.example.com' },
      { kind: 'domain', domain: 'example.org' },
      { kind: 'net', address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { kind: 'net', address: 'fd00::', prefix: 8, family: 'ipv6' },
      { kind: 'net', address: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { kind: 'net', address: '::1', prefix: 128, family: 'ipv6' },
      { kind: 'name', name: 'xn--bcher-kva.example' },
    ]);
    expect(loadConfig({}).notifyAllowedHosts).toBeNull();
  });

  it('stops the start on an entry it cannot read, naming it', () => {
    for (const entry of ['a b', 'x:80', 'http://x', '*.', '*.10.0.0.1', '10/8', '10.0.0.0/33', 'a/b/c']) {
      expect(parseAllowedHost(entry), entry).toEqual({
        problem: `${JSON.stringify(entry)} is not a host name, *.domain, address or address/prefix`,
      });
    }
    expect(() => loadConfig({ NOTIFY_ALLOWED_HOSTS: 'ok.example, x:80' })).toThrow(/NOTIFY_ALLOWED_HOSTS: "x:80" is not a host name/);
    expect(() => loadConfig({ NOTIFY_ALLOWED_HOSTS: ' , ' })).toThrow(/NOTIFY_ALLOWED_HOSTS: must list at least one host/);
  });

  it('allows a listed name, hosts under a *.domain (not the domain), and addresses in a listed range', () => {
    const list = allowedHosts(loadConfig({ NOTIFY_ALLOWED_HOSTS: 'hooks.example.com,*.example.org,10.0.0.0/8' }).notifyAllowedHosts!);
    expect(['hooks.example.com', 'a.example.org', 'a.b.example.org', '10.9.8.7', '::ffff:a00:1'].map(list.hostAllowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['example.com', 'x.hooks.example.com', 'example.org', 'badexample.org', '11.0.0.1'].map(list.hostAllowed)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect([list.addressListed('10.1.1.1'), list.addressListed('127.0.0.1')]).toEqual([true, false]);
  });
});
