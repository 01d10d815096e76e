import { Hono } from 'hono';
import { listRunsPage, parseRunsQuery } from '../../runs/service';
import { RunsPage, RunsResults } from '../../views/runs-view';
import { allow } from '../security/authenticate';
import type { WebDeps } from '../deps';
import { isHtmx, sendFragment, sendPage, type PageEnv } from './render';

const KEYS = ['task_id', 'status', 'cursor'] as const;

/** The history: the same query parsing and keyset page as GET /api/runs. */
export function runsPages(deps: WebDeps): Hono<PageEnv> {
  return new Hono<PageEnv>().get('/runs', allow('viewer'), async (c) => {
    c.set('errorTarget', '#runs-results');
    // Only the form's own parameters: a stray one (a tracking tag, say) must not make the page fail.
    const raw = Object.fromEntries(KEYS.map((k) => [k, c.req.query(k) ?? '']));
    const query = parseRunsQuery(raw);
    const page = await listRunsPage(deps, query);
    const filter = { task_id: query.task_id ?? '', status: query.status ?? '', cursor: query.cursor ?? '' };
    c.header('Vary', 'HX-Request, HX-Target');
    if (isHtmx(c) && c.req.header('HX-Target') === 'runs-results') return sendFragment(c, <RunsResults page={page} filter={filter} />);
    return sendPage(c, <RunsPage page={page} filter={filter} />);
  });
}
