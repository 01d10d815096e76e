import type { runs } from '../db/schema';

/** A row of the runs table. */
export type Run = typeof runs.$inferSelect;
