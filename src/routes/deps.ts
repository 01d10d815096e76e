// A file of its own: every route module takes these, and app.ts imports every route module, so
// defining them in app.ts would make each route import the module that imports it.
import type { HashQueue } from '../auth/hash-queue';
import type { Logger } from '../log';
import type { LogTails } from '../logs';
import type { Deps } from '../services/deps';
import type { RunEvents } from '../web/run-events';

/** What the routes need: the services' deps, the run status fan-out, the live logs' shared tails and the logger. */
export type WebDeps = Deps & { events: RunEvents; logTails: LogTails; log: Logger };

/** What the routes get from createApp: also the app's password hashing queue. */
export type AppDeps = WebDeps & { hashQueue: HashQueue };
