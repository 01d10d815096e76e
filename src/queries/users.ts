import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users, type Role } from '../db/schema';

export type User = typeof users.$inferSelect;

/** Creates a user; false when the name is taken. */
export async function insertUser(db: Db, name: string, passwordHash: string, role: Role): Promise<boolean> {
  const rows = await db.insert(users).values({ name, passwordHash, role }).onConflictDoNothing().returning({ id: users.id });
  return rows.length === 1;
}

/** A user by name. */
export async function findUser(db: Db, name: string): Promise<User | undefined> {
  return (await db.select().from(users).where(eq(users.name, name)))[0];
}

/** A user by id. */
export async function findUserById(db: Db, id: number): Promise<User | undefined> {
  return (await db.select().from(users).where(eq(users.id, id)))[0];
}

/** Replaces a user's password hash. */
export async function setPasswordHash(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}

/** Every user, by name (without password hashes). */
export async function listUsers(db: Db): Promise<Pick<User, 'id' | 'name' | 'role' | 'createdAt'>[]> {
  return db.select({ id: users.id, name: users.name, role: users.role, createdAt: users.createdAt }).from(users).orderBy(asc(users.name));
}

/** Removes a user; their sessions go with them (cascade). */
export async function deleteUser(db: Db, name: string): Promise<boolean> {
  return (await db.delete(users).where(eq(users.name, name)).returning({ id: users.id })).length === 1;
}

/** How many users exist: none means the first admin has yet to be set up. */
export async function countUsers(db: Db): Promise<number> {
  const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from users`);
  return Number(rows[0]?.n ?? 0);
}
