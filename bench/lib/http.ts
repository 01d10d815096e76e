import http from 'node:http';

// One keep-alive agent, as a real API client would hold: the bench measures taskrun, not TCP handshakes.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

// The API token of each server (by base URL), sent as a client with a token would.
const tokens = new Map<string, string>();

/** Remembers the API token to send to a server. */
export function setToken(base: string, token: string): void {
  tokens.set(base, token);
}

/** The headers that authenticate the bench to a server (none when it has no token). */
export function authHeaders(base: string): Record<string, string> {
  const token = tokens.get(base);
  return token ? { authorization: `Bearer ${token}` } : {};
}

export type Answer = { status: number; body: string };

/** One HTTP request to the product; resolves with the status and the whole body. */
export function request(base: string, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...authHeaders(base), ...(body ? { 'content-type': 'application/json' } : {}) };
    const req = http.request(`${base}${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** GET with any status: the status and the body as text. */
export const getText = (base: string, path: string): Promise<Answer> => request(base, 'GET', path);

/** GET that must answer 200 with JSON. */
export async function getJson<T>(base: string, path: string): Promise<T> {
  const r = await getText(base, path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body) as T;
}

/** POST /api/tasks/:id/execute; returns the run id (throws on anything but 202). */
export async function execute(base: string, taskId: string): Promise<number> {
  const r = await request(base, 'POST', `/api/tasks/${taskId}/execute`);
  if (r.status !== 202) throw new Error(`execute ${taskId}: ${r.status} ${r.body.slice(0, 300)}`);
  return (JSON.parse(r.body) as { run_id: number }).run_id;
}
