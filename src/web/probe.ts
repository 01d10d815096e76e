import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import type { Db } from '../db/client';
import { DOWN, LIVE, liveness, type Liveness } from '../routes/health';
import { SECURITY_HEADERS } from '../routes/security/headers';

type Prepared = { status: number; headers: OutgoingHttpHeaders; body: string };
function prepare(answer: Liveness): Prepared {
  const body = JSON.stringify(answer.body);
  return {
    status: answer.status,
    body,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
  };
}
// Both possible answers, made once: a probe only picks one.
const PREPARED = new Map<Liveness, Prepared>([LIVE, DOWN].map((a) => [a, prepare(a)]));

function send(req: IncomingMessage, res: ServerResponse, answer: Liveness): void {
  const { status, headers, body } = PREPARED.get(answer)!;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Answers `GET /healthz` (and HEAD) in front of the app, with the same check and answer as its route
 * and the same security headers. Probes come often and need nothing of the app (no caller, no body, no
 * page): through Hono and its middleware a probe costs three to four times a bare node:http answer.
 * Probes answered here are not counted in the request metrics. Anything else goes to `app`.
 */
export function withProbe(db: Db, app: RequestListener): RequestListener {
  const live = liveness(db);
  return (req, res) => {
    if (req.url !== '/healthz' || (req.method !== 'GET' && req.method !== 'HEAD')) return app(req, res);
    const answer = live();
    if ('then' in answer) void answer.then((a) => send(req, res, a));
    else send(req, res, answer);
  };
}
