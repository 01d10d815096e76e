import type { SSEStreamingApi } from 'hono/streaming';

const COMMENT = ': keepalive\n\n';

/**
 * Writes an SSE comment every `ms` while a stream is open, so that no idle timeout (the web server's
 * own, a proxy's) cuts a live stream that has nothing to say; returns the function that stops it.
 * Every event is written whole in one call, so a comment never lands inside one.
 */
export function keepAlive(sse: SSEStreamingApi, ms: number): () => void {
  const timer = setInterval(() => void sse.write(COMMENT), ms);
  return () => clearInterval(timer);
}
