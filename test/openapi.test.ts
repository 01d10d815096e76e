import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness';

// The JSON API is defined route by route with createRoute (src/routes/openapi.ts); these check that the
// definitions make one OpenAPI document and that no /api or /hooks route is served without one.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

// Served by plain routes outside the document: the log and live-stream routes (logs.ts, stream.ts).
const UNDOCUMENTED = new Set(['GET /api/logs/{name}', 'GET /api/runs/{run_id}/stream']);

const document = () => h.rawApp.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'taskrun', version: 'test' } });

// Every method and path the app routes under /api and /hooks, in OpenAPI's spelling (`{id}` for `:id`).
function servedRoutes(): Set<string> {
  const served = new Set<string>();
  for (const r of h.rawApp.routes) {
    if (r.method === 'ALL' || r.path.includes('*') || !/^\/(api|hooks)\//.test(r.path)) continue;
    served.add(`${r.method} ${r.path.replace(/:([^/]+)/g, '{$1}')}`);
  }
  return served;
}

describe('the OpenAPI document', () => {
  it('documents every /api and /hooks route but the log and stream ones', () => {
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(document().paths ?? {})) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const served = servedRoutes();
    expect([...served].filter((r) => !documented.has(r) && !UNDOCUMENTED.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
    expect([...UNDOCUMENTED].filter((r) => !served.has(r))).toEqual([]);
    expect(served.size).toBeGreaterThan(40);
  });

  it('gives each documented route its answers, errors as {error, fields?}', () => {
    const doc = document();
    expect(doc.components?.schemas?.Error).toMatchObject({ properties: { error: { type: 'string' } }, required: ['error'] });
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, { responses?: Record<string, unknown> }>)) {
        const codes = Object.keys(op.responses ?? {});
        expect(
          codes.some((c) => c.startsWith('2')),
          `${method} ${path}`,
        ).toBe(true);
        if (!path.startsWith('/hooks/')) expect(codes, `${method} ${path}`).toContain('401');
      }
    }
  });
});
