import crypto from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { systemResolve, type Resolve } from '../src/notifier/checked-post';
import { startNotifier, type Notifier } from '../src/notifier/notifier';
import { createApp } from '../src/routes/app';
import { writeTask } from './support/dirs';
import { asCaller, createHarness, waitFor, type Harness } from './support/harness';
import { bearer, seedPrincipals, type Principals } from './support/principals';

// Outbound notifications end to end: real runs end, the database trigger queues deliveries, two real
// notifiers (as two runners would run them) race for them, and a real HTTP server on 127.0.0.1 receives
// them, answering as each test tells it to (a status, a redirect, or never). The notifiers resolve host
// names as the system does, except the names a test gives an address of its own in `names` (the
// resolver is theirs to be given; the connections and their checks are real).

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };
type Answer = number | 'hang' | { status: number; location: string };

let h: Harness;
let p: Principals;
let notifiers: Notifier[];
let receiver: http.Server;
let recvBase: string;
const received: Received[] = [];
const plans = new Map<string, (n: number) => Answer>();
const hung: http.ServerResponse[] = [];
const names = new Map<string, string>();
const resolve: Resolve = async (host) => {
  const address = names.get(host);
  return address === undefined ? systemResolve(host) : [{ address, family: net.isIP(address) }];
};

beforeAll(async () => {
  h = await createHarness({
    NOTIFY_BACKOFF_S: '0.05',
    NOTIFY_ATTEMPTS: '3',
    NOTIFY_TIMEOUT_S: '0.5',
    PUBLIC_URL: 'https://taskrun.example.com',
  });
  p = await seedPrincipals(h);
  writeTask(h.dirs, 'ok.sh', 'echo fine\n');
  writeTask(h.dirs, 'bad.sh', 'echo broken\nexit 3\n');
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = plans.get(path)?.(received.filter((r) => r.path === path).length) ?? 200;
      if (answer === 'hang') return void hung.push(res);
      if (typeof answer === 'object') res.writeHead(answer.status, { location: answer.location }).end();
      else res.writeHead(answer, { 'content-type': 'text/plain' }).end('thanks');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  recvBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  await h.startRunner();
  notifiers = [await startNotifier(h.runnerContext(), { resolve }), await startNotifier(h.runnerContext(), { resolve })];
});
afterAll(async () => {
  for (const res of hung) res.destroy();
  await Promise.all(notifiers.map((n) => n.stop()));
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  await h.close();
});

// Each test sets up its own targets; a left-over target would be told about later tests' runs.
afterEach(async () => {
  await h.deps.db.execute(sql`delete from notification_targets`);
});

const json = (method: string, body: unknown, token?: string): RequestInit => ({
  method,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
});

type Target = { id: number; task_id: string | null; name: string; url: string; events: string[]; enabled: boolean; secret: string };
async function addTarget(task: string | null, name: string, events: string[], base = recvBase): Promise<Target> {
  const res = await h.app.request(
    task ? `/api/tasks/${task}/notifications` : '/api/notifications',
    json('POST', { name, url: `${base}/t/${name}`, events }),
  );
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

/** Runs a task to its end; returns the run as the API shows it. */
async function runToEnd(task: string): Promise<{ run_id: number; status: string }> {
  const { run_id } = await (await h.app.request(`/api/tasks/${task}/execute`, { method: 'POST' })).json();
  return waitFor(
    async () => {
      const run = await (await h.app.request(`/api/runs/${run_id}`)).json();
      return run.finished_at ? run : undefined;
    },
    20_000,
    `run ${run_id} of ${task}`,
  );
}

type Delivery = {
  id: number;
  run_id: number;
  event: string;
  status: string;
  attempts: { response_status: number | null; error: string | null; duration_ms: number }[];
};
async function deliveries(targetId: number): Promise<Delivery[]> {
  return (await (await h.app.request(`/api/notifications/${targetId}/deliveries`)).json()).deliveries;
}
/** Waits until the target's delivery for `runId` is no longer pending. */
const settled = (targetId: number, runId: number) =>
  waitFor(
    async () => (await deliveries(targetId)).find((d) => d.run_id === runId && d.status !== 'pending'),
    20_000,
    `delivery of run ${runId}`,
  );
const at = (name: string) => received.filter((r) => r.path === `/t/${name}`);

describe('notification targets over the API', () => {
  it('shows the signing secret once and validates URL, events and names', async () => {
    const t = await addTarget('ok', 'shape', ['success']);
    expect(t).toMatchObject({ task_id: 'ok', name: 'shape', url: `${recvBase}/t/shape`, events: ['success'], enabled: true });
    expect(t.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = await (await h.app.request('/api/tasks/ok/notifications')).json();
    expect(JSON.stringify(listed)).not.toContain(t.secret);
    expect(listed.map((x: Target) => x.id)).toContain(t.id);
    const bad = async (body: unknown, error: RegExp) => {
      const res = await h.app.request('/api/tasks/ok/notifications', json('POST', body));
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(error);
    };
    const ok = { name: 'x', url: 'https://example.com/hook', events: ['failed'] };
    await bad({ ...ok, url: 'ftp://example.com/' }, /^url: must use http or https$/);
    await bad({ ...ok, url: 'https://user:pw@example.com/' }, /^url: must not contain a user name or password$/);
    await bad({ ...ok, url: 'not a url' }, /^url: must be an absolute http or https URL$/);
    await bad({ ...ok, events: [] }, /^events: must name at least one event$/);
    await bad({ ...ok, events: ['done'] }, /^events.0: each must be one of success, failed/);
    await bad({ ...ok, name: '' }, /^name: must not be empty$/);
    await bad({ ...ok, secret: 'mine' }, /^body: unknown field secret$/);
    const patch = await h.app.request(`/api/notifications/${t.id}`, json('PATCH', {}));
    expect((await patch.json()).error).toMatch(/must change at least one of/);
    await h.app.request(`/api/notifications/${t.id}`, { method: 'DELETE' });
  });

  it('lets editors manage task targets and only admins global ones', async () => {
    const task = await addTarget('ok', 'scoped', ['failed']);
    const global = await addTarget(null, 'everything-scope', ['failed']);
    const editor = p.tokens.editor;
    const patched = await h.app.request(
      `/api/notifications/${task.id}`,
      json('PATCH', { events: ['failed', 'success'], name: 'renamed' }, editor),
    );
    expect(await patched.json()).toMatchObject({ id: task.id, name: 'renamed', events: ['success', 'failed'] });
    for (const [method, path] of [
      ['PATCH', `/api/notifications/${global.id}`],
      ['DELETE', `/api/notifications/${global.id}`],
      ['GET', `/api/notifications/${global.id}/deliveries`],
    ]) {
      const res = await h.app.request(
        path!,
        method === 'PATCH' ? json('PATCH', { enabled: false }, editor) : { method, headers: bearer(editor) },
      );
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await h.app.request('/api/notifications', { headers: bearer(editor) })).status).toBe(403);
    expect((await (await h.app.request('/api/notifications')).json()).map((x: Target) => x.id)).toContain(global.id);
    expect((await h.app.request(`/api/notifications/${task.id}`, { method: 'DELETE', headers: bearer(editor) })).status).toBe(204);
    expect((await h.app.request(`/api/notifications/${global.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.app.request(`/api/notifications/${global.id}`, { method: 'DELETE' })).status).toBe(404);
    const audit = await (await h.app.request('/api/audit?action=notification.delete')).json();
    expect(audit.entries.map((e: { target: string }) => e.target)).toEqual(expect.arrayContaining(['ok', 'global']));
  });
});

describe('refused notification targets', () => {
  const refused = async (url: string, global = false) => {
    const res = await h.app.request(
      global ? '/api/notifications' : '/api/tasks/ok/notifications',
      json('POST', { name: 'x', url, events: ['any'] }),
    );
    return { status: res.status, error: (await res.json()).error as string };
  };
  const METADATA = 'is a link-local or cloud metadata address';

  it('refuses link-local and metadata addresses in every spelling, and metadata host names, on create and change', async () => {
    const spellings: [url: string, address: string][] = [
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['http://2852039166/', '169.254.169.254'],
      ['http://0xa9fea9fe/', '169.254.169.254'],
      ['http://0251.0376.0251.0376/', '169.254.169.254'],
      ['http://0xa9.0xfe.0xa9.0xfe/', '169.254.169.254'],
      ['http://169.254.43518/', '169.254.169.254'],
      ['http://169.254.169.254./', '169.254.169.254'],
      ['https://169.254.10.1:8443/', '169.254.10.1'],
      ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
      ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe'],
      ['http://[::169.254.169.254]/', '::a9fe:a9fe'],
      ['http://[64:ff9b::169.254.169.254]/', '64:ff9b::a9fe:a9fe'],
      ['http://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254'],
      ['http://[FD00:EC2:0:0:0:0:0:254]/', 'fd00:ec2::254'],
      ['http://[fe80::1]/', 'fe80::1'],
      ['http://100.100.100.200/', '100.100.100.200'],
    ];
    for (const [url, address] of spellings) {
      expect(await refused(url), url).toEqual({ status: 400, error: `url: ${address} ${METADATA}` });
    }
    expect(await refused('http://0xa9fea9fe/', true)).toEqual({ status: 400, error: `url: 169.254.169.254 ${METADATA}` });
    for (const url of [
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.Google.Internal./',
      'http://instance-data/',
    ]) {
      expect((await refused(url)).error, url).toMatch(/^url: [a-z.-]+ is a cloud metadata host$/);
    }
    const t = await addTarget('ok', 'changed', ['any']);
    const patched = await h.app.request(`/api/notifications/${t.id}`, json('PATCH', { url: 'http://[::ffff:a9fe:a9fe]:80/' }));
    expect(patched.status).toBe(400);
    expect((await patched.json()).error).toBe(`url: ::ffff:a9fe:a9fe ${METADATA}`);
    expect((await (await h.app.request('/api/tasks/ok/notifications')).json()).map((x: Target) => x.url)).toEqual([t.url]);
  });

  it('keeps loopback and private addresses, and host names, allowed while NOTIFY_ALLOWED_HOSTS is unset', async () => {
    for (const url of [
      'http://127.0.0.1:9/',
      'http://10.0.0.5/',
      'http://[::1]:9/',
      'http://192.168.1.2/',
      'https://hooks.example.com/x',
    ]) {
      expect((await h.app.request('/api/tasks/ok/notifications', json('POST', { name: 'x', url, events: ['any'] }))).status, url).toBe(201);
    }
  });
});

describe('delivering notifications', () => {
  it('POSTs the run with a link, signed with the target secret', async () => {
    const t = await addTarget('ok', 'signed', ['success']);
    const run = await runToEnd('ok');
    const d = await settled(t.id, run.run_id);
    expect(d).toMatchObject({ event: 'success', status: 'delivered', attempts: [{ response_status: 200, error: null }] });
    const [req] = at('signed');
    expect(at('signed')).toHaveLength(1);
    const payload = JSON.parse(req!.body);
    expect(payload).toEqual({
      event: 'success',
      task_id: 'ok',
      run: expect.objectContaining({ run_id: run.run_id, status: 'success', exit_code: 0 }),
      url: `https://taskrun.example.com/runs/${run.run_id}`,
      delivery_id: d.id,
      attempt: 1,
      sent_at: expect.any(String),
    });
    expect(run).toMatchObject(payload.run);
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'taskrun',
      'x-taskrun-event': 'success',
      'x-taskrun-delivery': String(d.id),
      'x-taskrun-attempt': '1',
      'x-taskrun-timestamp': String(Math.floor(Date.parse(payload.sent_at) / 1000)),
    });
    // What a receiver does: HMAC-SHA256 of the raw body with the secret, compared in constant time.
    const expected = `sha256=${crypto.createHmac('sha256', t.secret).update(req!.body).digest('hex')}`;
    const got = String(req!.headers['x-taskrun-signature']);
    expect(crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected))).toBe(true);
    const forged = `sha256=${crypto.createHmac('sha256', 'whsec_wrong').update(req!.body).digest('hex')}`;
    expect(got).not.toBe(forged);
  });

  it('fires only for the events a target names', async () => {
    const failures = await addTarget('bad', 'failures-only', ['failed']);
    const successes = await addTarget('bad', 'successes-only', ['success']);
    const run = await runToEnd('bad');
    expect(run.status).toBe('failed');
    const d = await settled(failures.id, run.run_id);
    expect(d).toMatchObject({ event: 'failed', status: 'delivered' });
    expect(JSON.parse(at('failures-only')[0]!.body)).toMatchObject({ event: 'failed', run: { status: 'failed', exit_code: 3 } });
    expect(await deliveries(successes.id)).toEqual([]); // queued at the run's end or never
    expect(at('successes-only')).toEqual([]);
  });

  it('retries with back-off after 500s, then delivers, logging each attempt', async () => {
    plans.set('/t/flaky', (n) => (n <= 2 ? 500 : 200));
    const t = await addTarget('ok', 'flaky', ['any']);
    const run = await runToEnd('ok');
    const d = await settled(t.id, run.run_id);
    expect(d.status).toBe('delivered');
    expect(d.attempts.map((a) => [a.response_status, a.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [200, null],
    ]);
    expect(at('flaky').map((r) => JSON.parse(r.body).attempt)).toEqual([1, 2, 3]);
    expect(new Set(at('flaky').map((r) => r.headers['x-taskrun-delivery']))).toEqual(new Set([String(d.id)]));
  });

  it('gives up after NOTIFY_ATTEMPTS, and does not follow redirects', async () => {
    plans.set('/t/down', () => 503);
    plans.set('/t/moved', () => ({ status: 302, location: 'http://elsewhere.invalid/' }));
    const down = await addTarget('ok', 'down', ['success']);
    const moved = await addTarget('ok', 'moved', ['success']);
    const run = await runToEnd('ok');
    const d = await settled(down.id, run.run_id);
    expect(d.status).toBe('failed');
    expect(d.attempts.map((a) => a.response_status)).toEqual([503, 503, 503]);
    expect(at('down')).toHaveLength(3);
    const m = await settled(moved.id, run.run_id);
    expect(m.status).toBe('failed');
    expect(m.attempts.map((a) => [a.response_status, a.error])).toEqual([
      [302, 'redirect not followed'],
      [302, 'redirect not followed'],
      [302, 'redirect not followed'],
    ]);
  });

  it('records a hanging endpoint as a timeout, without holding up other targets', async () => {
    plans.set('/t/hangs', () => 'hang');
    const hangs = await addTarget('bad', 'hangs', ['failed']);
    const quick = await addTarget('bad', 'quick', ['failed']);
    const run = await runToEnd('bad');
    expect((await settled(quick.id, run.run_id)).status).toBe('delivered');
    const d = await settled(hangs.id, run.run_id);
    expect(d.status).toBe('failed');
    expect(d.attempts).toHaveLength(3);
    for (const a of d.attempts) expect(a).toMatchObject({ response_status: null, error: 'no answer within 0.5 s' });
  });

  it('tells a global target about every task, and a disabled target about none', async () => {
    const all = await addTarget(null, 'everything', ['any']);
    const off = await addTarget('ok', 'off', ['any']);
    await h.app.request(`/api/notifications/${off.id}`, json('PATCH', { enabled: false }));
    const a = await runToEnd('ok');
    const b = await runToEnd('bad');
    expect((await settled(all.id, a.run_id)).event).toBe('success');
    expect((await settled(all.id, b.run_id)).event).toBe('failed');
    expect(
      at('everything')
        .map((r) => JSON.parse(r.body).task_id)
        .sort(),
    ).toEqual(['bad', 'ok']);
    expect(await deliveries(off.id)).toEqual([]);
    await h.app.request(`/api/notifications/${all.id}`, { method: 'DELETE' });
  });

  it('refuses a delivery to a name that now resolves to a metadata address (DNS rebinding), sending nothing', async () => {
    names.set('rebind.test', '127.0.0.1');
    const port = new URL(recvBase).port;
    const t = await addTarget('ok', 'rebind', ['success'], `http://rebind.test:${port}`);
    const first = await runToEnd('ok');
    expect(await settled(t.id, first.run_id)).toMatchObject({ status: 'delivered', attempts: [{ response_status: 200, error: null }] });
    names.set('rebind.test', '169.254.169.254');
    const second = await runToEnd('ok');
    const d = await settled(t.id, second.run_id);
    expect(d.status).toBe('failed');
    expect(d.attempts.map((a) => [a.response_status, a.error])).toEqual(
      Array(3).fill([null, 'refused: rebind.test resolved to 169.254.169.254, a link-local or cloud metadata address']),
    );
    expect(at('rebind')).toHaveLength(1);
    names.delete('rebind.test');
  });

  it('sends each delivery once with two notifiers racing for them', async () => {
    const t = await addTarget('ok', 'raced', ['success']);
    const run = await runToEnd('ok');
    await settled(t.id, run.run_id);
    // Forty more deliveries of that run at once, as a burst of run ends would queue them.
    await h.deps.db.execute(sql`
      insert into notification_deliveries (target_id, run_id, event) select ${t.id}, ${run.run_id}, 'success' from generate_series(1, 40)`);
    await h.deps.db.execute(sql`select pg_notify('taskrun_notify', '')`);
    const all = await waitFor(
      async () => {
        const list = (await (await h.app.request(`/api/notifications/${t.id}/deliveries?limit=100`)).json()).deliveries as Delivery[];
        return list.length === 41 && list.every((d) => d.status === 'delivered') ? list : undefined;
      },
      30_000,
      'forty-one deliveries',
    );
    const sent = at('raced').map((r) => r.headers['x-taskrun-delivery']);
    expect(sent).toHaveLength(41);
    expect(new Set(sent)).toEqual(new Set(all.map((d) => String(d.id))));
    expect(all.every((d) => d.attempts.length === 1)).toBe(true);

    // The log pages by keyset.
    const first = await (await h.app.request(`/api/notifications/${t.id}/deliveries?limit=30`)).json();
    expect(first.deliveries).toHaveLength(30);
    const rest = await (await h.app.request(`/api/notifications/${t.id}/deliveries?limit=30&before=${first.next_cursor}`)).json();
    expect(rest.deliveries).toHaveLength(11);
    expect(rest.next_cursor).toBeNull();
    const bad = await h.app.request(`/api/notifications/${t.id}/deliveries?limit=0`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe('limit: must be a whole number from 1 to 200');
  });
});

describe('with NOTIFY_ALLOWED_HOSTS', () => {
  const LIST = 'hooks.example.test, *.fleet.test, 127.0.0.1';
  // The web side as a process started with the list would be.
  const listed = () => asCaller(createApp({ ...h.deps, cfg: loadConfig({ ...h.env, NOTIFY_ALLOWED_HOSTS: LIST }) }), h.token);

  beforeAll(async () => {
    await Promise.all(notifiers.map((n) => n.stop()));
    notifiers = [await startNotifier(h.runnerContext({ NOTIFY_ALLOWED_HOSTS: LIST }), { resolve })];
  });

  it('accepts only the hosts it lists, and private addresses only as it lists them', async () => {
    const app = listed();
    const create = async (url: string) => {
      const res = await app.request('/api/tasks/ok/notifications', json('POST', { name: 'x', url, events: ['any'] }));
      return [res.status, res.status === 201 ? null : (await res.json()).error];
    };
    expect(await create('https://hooks.example.test/x')).toEqual([201, null]);
    expect(await create('https://HOOKS.example.test./x')).toEqual([201, null]);
    expect(await create('https://a.b.fleet.test/x')).toEqual([201, null]);
    expect(await create('http://127.0.0.1:9/x')).toEqual([201, null]);
    expect(await create('https://fleet.test/x')).toEqual([400, 'url: fleet.test is not in NOTIFY_ALLOWED_HOSTS']);
    expect(await create('https://example.com/x')).toEqual([400, 'url: example.com is not in NOTIFY_ALLOWED_HOSTS']);
    expect(await create('http://203.0.113.7/x')).toEqual([400, 'url: 203.0.113.7 is not in NOTIFY_ALLOWED_HOSTS']);
    expect(await create('http://10.0.0.5/x')).toEqual([
      400,
      'url: 10.0.0.5 is a loopback or private address that NOTIFY_ALLOWED_HOSTS does not list',
    ]);
    expect(await create('http://[::1]:9/x')).toEqual([
      400,
      'url: ::1 is a loopback or private address that NOTIFY_ALLOWED_HOSTS does not list',
    ]);
    expect(await create('http://169.254.169.254/x')).toEqual([400, 'url: 169.254.169.254 is a link-local or cloud metadata address']);
  });

  it('checks each send against the list: the host, and the addresses a listed name resolves to', async () => {
    const port = new URL(recvBase).port;
    names.set('hooks.example.test', '127.0.0.1');
    names.set('inside.fleet.test', '10.1.2.3');
    // Saved before the list was set (through the app without it).
    const listedName = await addTarget('ok', 'listed', ['success'], `http://hooks.example.test:${port}`);
    const privateName = await addTarget('ok', 'private', ['success'], `http://inside.fleet.test:${port}`);
    const unlisted = await addTarget('ok', 'unlisted', ['success'], `http://localhost:${port}`);
    const run = await runToEnd('ok');
    expect(await settled(listedName.id, run.run_id)).toMatchObject({ status: 'delivered', attempts: [{ response_status: 200 }] });
    expect(at('listed')).toHaveLength(1);
    const inside = await settled(privateName.id, run.run_id);
    expect(inside.status).toBe('failed');
    expect(new Set(inside.attempts.map((a) => a.error))).toEqual(
      new Set(['refused: inside.fleet.test resolved to 10.1.2.3, a loopback or private address that NOTIFY_ALLOWED_HOSTS does not list']),
    );
    // The URL itself is refused: no second attempt.
    expect(await settled(unlisted.id, run.run_id)).toMatchObject({
      status: 'failed',
      attempts: [{ response_status: null, error: 'refused: localhost is not in NOTIFY_ALLOWED_HOSTS' }],
    });
    expect(at('unlisted')).toEqual([]);
  });
});
