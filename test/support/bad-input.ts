import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { expect } from 'vitest';

/** A route with a path parameter: its method, and its address with `p` in the parameter's place. */
export type ParamRoute = [method: string, url: (p: string) => string];

/** The core API routes that take a task id, run id or log name in the path (the fuzz test adds the rest). */
export const PARAM_ROUTES: ParamRoute[] = [
  ['GET', (p) => `/api/tasks/${p}`],
  ['PUT', (p) => `/api/tasks/${p}`],
  ['DELETE', (p) => `/api/tasks/${p}`],
  ['POST', (p) => `/api/tasks/${p}/execute`],
  ['GET', (p) => `/api/runs/${p}`],
  ['POST', (p) => `/api/runs/${p}/cancel`],
  ['GET', (p) => `/api/logs/${p}`],
  ['GET', (p) => `/logs/${p}/download`],
];

/** The text of `outside.txt`; no answer may ever contain it. */
export const SENTINEL = 'must never be read or changed';

// What a leaked stack trace, server path or SQL statement looks like in an answer.
const LEAKS = [
  /\n\s*at \S/,
  /\.[cm]?[jt]s:\d+/,
  /node_modules/,
  /taskrun-test-/,
  /\b(select|insert into|delete from)\b.*\b(from|where|values)\b/i,
  /postgres|drizzle|errno|ENOENT/i,
];

/** Every file and folder under `root` (bar the `skip`ped folders) with its mode and content hash. */
export function snapshotTree(root: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (skip.includes(p)) continue;
      const rel = path.relative(root, p);
      if (e.isSymbolicLink()) out[rel] = `link ${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) {
        out[`${rel}/`] = `dir ${fs.statSync(p).mode}`;
        walk(p);
      } else out[rel] = `${fs.statSync(p).mode} ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
    }
  };
  walk(root);
  return out;
}

/**
 * Runs `fn` and asserts that no file or folder under `root` was created, changed or deleted meanwhile;
 * runs' scratch folders (`work/`) come and go with the runs.
 */
export async function expectNoFileChange<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const skip = [path.join(root, 'work')];
  const before = snapshotTree(root, skip);
  const result = await fn();
  expect(snapshotTree(root, skip)).toEqual(before);
  return result;
}

/** Whether the app answers `url` from its JSON API; any other path is a page, whose errors are HTML. */
export function isApiPath(url: string): boolean {
  return /^\/(api\/|logs\/[^/]+\/download$)/.test(new URL(url, 'http://localhost').pathname);
}

/** The problem with an error answer to `url`, or undefined when it is clear (JSON with an `error` for the API) and leaks nothing. */
export function errorProblem(url: string, res: Response, text: string): string | undefined {
  if (text.includes(SENTINEL)) return 'leaks outside.txt';
  const leak = LEAKS.find((re) => re.test(text));
  if (leak) return `leaks ${leak}`;
  const type = res.headers.get('content-type') ?? '';
  if (!isApiPath(url) && type.startsWith('text/html')) return undefined;
  if (!type.startsWith('application/json')) return `content-type ${type}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === 'string' && error.trim() !== '' ? undefined : 'no error message';
}

/** Requests `url` and asserts an error answer: exactly `status`, clear (matching `mentions`), no leak. Returns the JSON body. */
export async function expectError(
  app: Hono,
  url: string,
  init: RequestInit,
  status: number,
  mentions?: RegExp,
): Promise<Record<string, unknown>> {
  const res = await app.request(url, init);
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(errorProblem(url, res, text), text).toBeUndefined();
  if (!isApiPath(url)) return {};
  const body = JSON.parse(text);
  if (mentions) expect(body.error).toMatch(mentions);
  return body;
}

/** A request with a raw body (a string that may or may not be JSON). */
export function withBody(method: string, body: string): RequestInit {
  return { method, body, headers: { 'content-type': 'application/json' } };
}

/**
 * Hostile forms of an id or log name, as written into a URL, with the status each must get. Dot segments,
 * a raw `/` or `\` make the URL itself name another path (404, no route: JSON under /api, else the HTML
 * page); everything else reaches the route and is refused as an invalid id (400).
 */
export const HOSTILE_SEGMENTS: [segment: string, status: 400 | 404][] = [
  ['..', 404],
  ['../outside.txt', 404],
  ['..\\outside.txt', 404],
  ['%2e%2e', 404],
  ['/etc/passwd', 404],
  ['%2e%2e%2f', 400],
  ['%2e%2e%2foutside.txt', 400],
  ['..%2Foutside.txt', 400],
  ['..%5Coutside.txt', 400],
  ['%252e%252e%252f', 400],
  ['%C0%AE%C0%AE%2F', 400],
  ['%2F', 400],
  ['%2Fetc%2Fpasswd', 400],
  ['%00', 400],
  ['alpha%00', 400],
  ['alpha_1.log%00', 400],
  ['%', 400],
  ['a'.repeat(200), 400],
  ['1'.repeat(200), 400],
  ['tâche', 400],
  ['%E2%80%AEgol.1_ahpla', 400],
  ['日本語', 400],
  ['a b', 400],
  ['a%20b', 400],
  ['.hidden', 400],
];

/** Hostile task ids as a JSON body or query string carries them (already decoded). */
export const HOSTILE_IDS = [
  '',
  '.',
  '..',
  '../outside',
  '../outside.txt',
  '../../etc/passwd',
  '/etc/passwd',
  'a/b',
  'a\\b',
  'a\0b',
  '\0',
  'a'.repeat(65),
  'a'.repeat(200),
  'tâche',
  'a b',
  ' a',
  'a\n',
  '.hidden',
  '-x',
  '_x',
  'x.py',
  '%2e%2e%2f',
];
