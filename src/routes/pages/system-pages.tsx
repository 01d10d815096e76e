import type { Context } from 'hono';
import { Hono } from 'hono';
import { processScope, systemInfo, topProcesses } from '../../services/system-service';
import { SystemStats } from '../../views/system-stats';
import { ProcessTable, SystemPage } from '../../views/system-view';
import { allow } from '../security/authenticate';
import { callerAtLeast } from '../security/context';
import type { WebDeps } from '../deps';
import { sendFragment, sendPage, type PageEnv } from './render';

const PROCESSES = 30;

/** The system monitor and its two self-refreshing parts; the same calls as /api/system/info and /processes. */
export function systemPages(deps: WebDeps): Hono<PageEnv> {
  const processes = async (c: Context) => {
    const scope = processScope(callerAtLeast(c, 'admin'));
    return { scope, procs: await topProcesses(deps, scope, PROCESSES) };
  };
  return new Hono<PageEnv>()
    .get('/system', allow('viewer'), async (c) => {
      const [info, procs] = await Promise.all([systemInfo(deps), processes(c)]);
      return sendPage(c, <SystemPage info={info} {...procs} at={new Date()} />);
    })
    .get('/system/stats', allow('viewer'), async (c) => sendFragment(c, <SystemStats info={await systemInfo(deps)} at={new Date()} />))
    .get('/system/processes', allow('viewer'), async (c) => sendFragment(c, <ProcessTable {...(await processes(c))} />));
}
