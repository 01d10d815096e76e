import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { forwardedClient, forwardedHttps } from './client-ip';

describe('forwardedClient', () => {
  it.each([
    // [X-Forwarded-For, hops, client]: the socket is 10.0.0.1, the nearest proxy.
    ['203.0.113.7', 1, '203.0.113.7'],
    ['6.6.6.6, 203.0.113.7', 1, '203.0.113.7'], // the client wrote 6.6.6.6; the proxy appended the rest
    ['6.6.6.6,203.0.113.7', 1, '203.0.113.7'],
    ['6.6.6.6, 203.0.113.7, 10.0.0.2', 2, '203.0.113.7'],
    ['2001:db8::1', 1, '2001:db8::1'],
    ['203.0.113.7', 2, '10.0.0.1'], // fewer entries than hops: the header is not what the proxies wrote
    [undefined, 1, '10.0.0.1'],
    ['', 1, '10.0.0.1'],
    ['6.6.6.6, unknown', 1, '10.0.0.1'], // not an address
    ['6.6.6.6, 203.0.113.7:4711', 1, '10.0.0.1'],
    ['6.6.6.6, 203.0.113.7', 0, '10.0.0.1'], // no trusted proxy: the header is the client's
  ])('%j behind %i hops → %s', (header, hops, client) => {
    expect(forwardedClient(header, '10.0.0.1', hops)).toBe(client);
  });
});

describe('forwardedHttps', () => {
  it.each([
    ['https', 1, true],
    ['http', 1, false],
    ['https', 0, false],
    [undefined, 1, false],
    ['https, http', 1, false], // the client said https; the proxy that appended says http
    ['http, https', 1, true],
    ['https, http', 2, true],
    ['https', 2, true], // one value: set (replaced) by a trusted proxy
  ])('%j behind %i hops → %s', (header, hops, https) => {
    expect(forwardedHttps(header, hops)).toBe(https);
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    ['false', 0],
    ['0', 0],
    ['true', 1],
    ['1', 1],
    ['2', 2],
    ['10', 10],
  ])('%s is %i hops', (value, hops) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toBe(hops);
  });
  it.each(['yes', '-1', '11', '1.5'])('refuses %s', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
  });
});
