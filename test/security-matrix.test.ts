import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, roleAtLeast, type Role } from '../src/auth/roles';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { bearer, seedPrincipals, type Principals } from './support/principals';

// Every route the app registers, with the role it needs ('public': no sign-in; 'user': a signed-in
// user of any role, never an API token). The test fails when a route is registered that is not here,
// so a new route cannot ship without a stated permission.
type Need = Role | 'public' | 'user';
const MATRIX: [method: string, pattern: string, need: Need, sample?: string][] = [
  ['GET', '/healthz', 'public'],
  ['GET', '/readyz', 'public'],
  ['GET', '/metrics', 'admin'],
  ['GET', '/login', 'public'],
  ['POST', '/login', 'public'],
  ['GET', '/setup', 'public'],
  ['POST', '/setup', 'public'],
  ['GET', '/assets/:name', 'public', '/assets/app.css'],
  ['POST', '/logout', 'viewer'],
  ['POST', '/api/me/password', 'user'],
  ['GET', '/account/password', 'user'],
  ['POST', '/account/password', 'user'],
  ['GET', '/api/tasks', 'viewer'],
  ['GET', '/api/tasks/:id', 'viewer', '/api/tasks/job'],
  ['POST', '/api/tasks', 'editor'],
  ['PUT', '/api/tasks/:id', 'editor', '/api/tasks/job'],
  ['DELETE', '/api/tasks/:id', 'editor', '/api/tasks/nope'],
  ['POST', '/api/tasks/:id/execute', 'operator', '/api/tasks/nope/execute'],
  ['GET', '/api/tasks/:id/secrets', 'editor', '/api/tasks/job/secrets'],
  ['PUT', '/api/tasks/:id/secrets/:name', 'editor', '/api/tasks/job/secrets/TOKEN'],
  ['DELETE', '/api/tasks/:id/secrets/:name', 'editor', '/api/tasks/job/secrets/NONE'],
  ['GET', '/api/runs', 'viewer'],
  ['GET', '/api/runs/:run_id', 'viewer', '/api/runs/RUN'],
  ['POST', '/api/runs/:run_id/cancel', 'operator', '/api/runs/RUN/cancel'],
  ['POST', '/api/runs/:run_id/rerun', 'operator', '/api/runs/RUN/rerun'],
  ['GET', '/api/runs/:run_id/stream', 'viewer', '/api/runs/RUN/stream'],
  ['GET', '/api/runs/:run_id/resources', 'viewer', '/api/runs/RUN/resources'],
  ['GET', '/api/logs/:name', 'viewer', '/api/logs/job_RUN.log'],
  ['GET', '/logs/:name/download', 'viewer', '/logs/job_RUN.log/download'],
  ['GET', '/api/system/info', 'viewer'],
  ['GET', '/api/system/processes', 'viewer'],
  ['GET', '/api/audit', 'admin'],
  ['GET', '/api/users', 'admin'],
  ['POST', '/api/users', 'admin'],
  ['DELETE', '/api/users/:name', 'admin', '/api/users/nobody'],
  ['GET', '/api/tokens', 'admin'],
  ['POST', '/api/tokens', 'admin'],
  ['DELETE', '/api/tokens/:name', 'admin', '/api/tokens/none'],
  ['GET', '/', 'viewer'],
  ['GET', '/tasks/rows', 'viewer'],
  ['GET', '/tasks/:id/state', 'viewer', '/tasks/job/state'],
  ['POST', '/tasks/:id/run', 'operator', '/tasks/nope/run'],
  ['GET', '/tasks/:id/run', 'operator', '/tasks/job/run'],
  ['POST', '/tasks/:id/settings', 'editor', '/tasks/nope/settings'],
  ['POST', '/tasks/:id/secrets', 'editor', '/tasks/nope/secrets'],
  ['POST', '/tasks/:id/secrets/:name/delete', 'editor', '/tasks/nope/secrets/NONE/delete'],
  ['GET', '/tasks/new', 'editor'],
  ['POST', '/tasks', 'editor'],
  ['GET', '/tasks/:id/edit', 'viewer', '/tasks/job/edit'],
  ['POST', '/tasks/:id', 'editor', '/tasks/nope'],
  ['POST', '/tasks/:id/delete', 'editor', '/tasks/nope/delete'],
  ['GET', '/runs', 'viewer'],
  ['GET', '/runs/:id', 'viewer', '/runs/RUN'],
  ['GET', '/runs/:id/status', 'viewer', '/runs/RUN/status'],
  ['POST', '/runs/:id/cancel', 'operator', '/runs/RUN/cancel'],
  ['POST', '/runs/:id/rerun', 'operator', '/runs/RUN/rerun'],
  ['GET', '/system', 'viewer'],
  ['GET', '/system/stats', 'viewer'],
  ['GET', '/system/processes', 'viewer'],
  ['GET', '/events/tasks', 'viewer'],
  ['GET', '/audit', 'admin'],
  ['GET', '/api/schedules', 'viewer'],
  ['GET', '/api/schedules/preview', 'viewer', '/api/schedules/preview?cron=*+*+*+*+*'],
  ['GET', '/api/schedules/:schedule_id', 'viewer', '/api/schedules/999999'],
  ['PATCH', '/api/schedules/:schedule_id', 'editor', '/api/schedules/999999'],
  ['DELETE', '/api/schedules/:schedule_id', 'editor', '/api/schedules/999999'],
  ['GET', '/api/schedules/:schedule_id/fires', 'viewer', '/api/schedules/999999/fires'],
  ['GET', '/api/tasks/:id/schedules', 'viewer', '/api/tasks/job/schedules'],
  ['POST', '/api/tasks/:id/schedules', 'editor', '/api/tasks/job/schedules'],
  ['GET', '/schedules', 'viewer'],
  ['GET', '/schedules/preview', 'viewer', '/schedules/preview?cron=*+*+*+*+*'],
  ['GET', '/tasks/:id/schedules', 'viewer', '/tasks/job/schedules'],
  ['POST', '/tasks/:id/schedules', 'editor', '/tasks/job/schedules'],
  ['POST', '/schedules/:schedule_id/pause', 'editor', '/schedules/999999/pause'],
  ['POST', '/schedules/:schedule_id/resume', 'editor', '/schedules/999999/resume'],
  ['POST', '/schedules/:schedule_id/delete', 'editor', '/schedules/999999/delete'],
  ['POST', '/hooks/:secret', 'public', '/hooks/whk_unknown'],
  ['GET', '/api/tasks/:id/webhooks', 'editor', '/api/tasks/job/webhooks'],
  ['POST', '/api/tasks/:id/webhooks', 'editor', '/api/tasks/job/webhooks'],
  ['DELETE', '/api/webhooks/:webhook_id', 'editor', '/api/webhooks/999999'],
  ['GET', '/api/tasks/:id/notifications', 'editor', '/api/tasks/job/notifications'],
  ['POST', '/api/tasks/:id/notifications', 'editor', '/api/tasks/job/notifications'],
  ['GET', '/api/notifications', 'admin'],
  ['POST', '/api/notifications', 'admin'],
  ['PATCH', '/api/notifications/:target_id', 'editor', '/api/notifications/999999'],
  ['DELETE', '/api/notifications/:target_id', 'editor', '/api/notifications/999999'],
  ['GET', '/api/notifications/:target_id/deliveries', 'editor', '/api/notifications/999999/deliveries'],
  ['GET', '/tasks/:id/webhooks', 'editor', '/tasks/job/webhooks'],
  ['POST', '/tasks/:id/webhooks', 'editor', '/tasks/job/webhooks'],
  ['POST', '/webhooks/:webhook_id/revoke', 'editor', '/webhooks/999999/revoke'],
  ['GET', '/tasks/:id/notifications', 'editor', '/tasks/job/notifications'],
  ['POST', '/tasks/:id/notifications', 'editor', '/tasks/job/notifications'],
  ['GET', '/notifications', 'admin'],
  ['POST', '/notifications', 'admin'],
  ['POST', '/notifications/:target_id/enabled', 'editor', '/notifications/999999/enabled'],
  ['POST', '/notifications/:target_id/delete', 'editor', '/notifications/999999/delete'],
  ['GET', '/notifications/:target_id/deliveries', 'editor', '/notifications/999999/deliveries'],
];

let h: Harness;
let p: Principals;
let runId: number;
beforeAll(async () => {
  h = await createHarness();
  p = await seedPrincipals(h);
  await h.startRunner();
  writeTask(h.dirs, 'job.sh', 'echo done\n');
  runId = (await (await h.app.request('/api/tasks/job/execute', { method: 'POST', headers: bearer(p.tokens.operator) })).json()).run_id;
  await waitFor(async () => (await (await h.app.request(`/api/runs/${runId}`, { headers: bearer(p.tokens.viewer) })).json()).finished_at);
});
afterAll(() => h.close());

const isApi = (path: string) => path.startsWith('/api/');

async function call(method: string, path: string, headers: Record<string, string>): Promise<Response> {
  // Sign-in gets a real name and password: its own 401 (wrong password) is not the one tested here.
  const form: Record<string, string> = path === '/login' ? { name: 'user-viewer', password: 'correct horse battery staple' } : {};
  const body = ['POST', 'PUT'].includes(method) ? (isApi(path) ? '{}' : new URLSearchParams(form).toString()) : undefined;
  const type = isApi(path) ? 'application/json' : 'application/x-www-form-urlencoded';
  // As a same-origin page would send it: the CSRF rules are tested on their own.
  if (method !== 'GET') headers = { ...headers, origin: 'http://localhost', host: 'localhost' };
  const res = await h.rawApp.request(path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': type } : {}) },
    body,
  });
  await res.body?.cancel(); // streams (SSE) stay open otherwise
  return res;
}

describe('route × role matrix', () => {
  it('covers every route the app registers', () => {
    const registered = new Set(h.rawApp.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    const listed = new Set(MATRIX.map(([m, pattern]) => `${m} ${pattern}`));
    expect([...registered].filter((r) => !listed.has(r))).toEqual([]);
    expect([...listed].filter((r) => !registered.has(r))).toEqual([]);
  });

  for (const [method, pattern, need, sample] of MATRIX) {
    it(`${method} ${pattern} needs ${need}`, async () => {
      const path = (sample ?? pattern).replace('RUN', String(runId));
      const anonymous = await call(method, path, {});
      if (need === 'public') {
        expect([401, 403]).not.toContain(anonymous.status);
      } else if (!isApi(path) && path !== '/metrics' && method === 'GET') {
        expect(anonymous.status).toBe(303);
        expect(anonymous.headers.get('location')).toMatch(/^\/login\?next=/);
      } else {
        expect(anonymous.status).toBe(401);
      }
      for (const role of ROLES) {
        const res = await call(method, path, bearer(p.tokens[role]));
        if (need === 'user' || (need !== 'public' && !roleAtLeast(role, need))) expect(res.status, `${role}`).toBe(403);
        else expect([401, 403], `${role} got ${res.status}`).not.toContain(res.status);
      }
    });
  }
});
