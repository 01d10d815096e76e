import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('the web server limits', () => {
  it('default to a cap of 1000 connections and timeouts of 10, 60, 5 and 60 s, with a stream comment every 15 s', () => {
    expect(loadConfig({})).toMatchObject({
      http: { maxConnections: 1000, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5000, idleTimeoutMs: 60_000 },
      sseKeepAliveMs: 15_000,
    });
  });

  it.each([
    [{ HTTP_HEADERS_TIMEOUT_S: '30', HTTP_REQUEST_TIMEOUT_S: '20' }, /HTTP_HEADERS_TIMEOUT_S: must not be above HTTP_REQUEST_TIMEOUT_S/],
    [{ SSE_KEEPALIVE_S: '60' }, /SSE_KEEPALIVE_S: must be below HTTP_IDLE_TIMEOUT_S/],
    [{ HTTP_IDLE_TIMEOUT_S: '10' }, /SSE_KEEPALIVE_S: must be below HTTP_IDLE_TIMEOUT_S/],
    [{ MAX_CONNECTIONS: '0' }, /MAX_CONNECTIONS/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
