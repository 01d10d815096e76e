import type { Db } from './client';

/**
 * A drizzle prepared query built once per pool, on first use: for queries every request runs, where
 * building the query cost more than running it.
 */
export function perPool<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const built = new WeakMap<Db, Q>();
  return (db) => {
    let query = built.get(db);
    if (!query) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}
