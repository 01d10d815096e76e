import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../config';

// How often Node looks for connections past their header or request timeout (its default, 30 s, lets a
// silent connection live for the timeout plus up to 30 s).
const CHECK_INTERVAL_MS = 1000;

/**
 * The web process's HTTP server, with bounds on what a client can hold: at most `maxConnections` at
 * once (a connection past it is closed as soon as it is accepted), request headers within
 * `headersTimeoutMs` and the whole request within `requestTimeoutMs` (408, then closed), an idle
 * keep-alive connection closed after `keepAliveTimeoutMs`, and any connection with no bytes either
 * way for `idleTimeoutMs` closed. Live streams write a comment more often than that (SSE_KEEPALIVE_S).
 */
export function createHttpServer(http: Config['http'], listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, http.headersTimeoutMs),
    },
    listener,
  );
  server.keepAliveTimeout = http.keepAliveTimeoutMs;
  server.timeout = http.idleTimeoutMs; // with no 'timeout' listener, an idle socket is destroyed
  server.maxConnections = http.maxConnections;
  return server;
}
