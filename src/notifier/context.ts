import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Logger } from '../log';

/** What the notifier needs; a runner's context has all of it. */
export type NotifierContext = { cfg: Config; db: Db; log: Logger; secretKey: Buffer };
