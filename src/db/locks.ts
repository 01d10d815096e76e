/**
 * Every advisory lock key taskrun takes, named once. Any numbers work as long as every taskrun process
 * (and every SQL function in drizzle/functions/) uses the same one for the same purpose; the SQL files
 * write `{{lock:NAME}}` and get the number from here when they are applied (src/db/functions.ts).
 */
export const LOCK = {
  // Session lock: one process at a time applies drizzle/'s migrations and its function files.
  migrate: 7_311_001,
  // Transaction lock in taskrun_enqueue: makes the queue bound exact when executes arrive together.
  enqueue: 7_311_002,
  // Transaction lock tried by retention: one node at a time deletes old runs.
  retention: 7_311_003,
} as const;

export type LockName = keyof typeof LOCK;
