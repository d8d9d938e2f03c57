import { verifyPassword } from "../signin/passwords.ts";
import { type Condition, condition } from "./lists.ts";
import { grantsColumn } from "./permissions.ts";
import type { CallerRow } from "./tokens.ts";

/** Sessions end after this long without a request, and at the latest this long after sign-in. */
export const IDLE_MS = 8 * 60 * 60 * 1000;
export const ABSOLUTE_MS = 24 * 60 * 60 * 1000;
/** last_seen is written at most this often: most requests of a session then write nothing. */
export const TOUCH_MS = 60 * 1000;

export interface SessionCallerRow extends CallerRow {
  grants: string | null;
  csrf: string;
  last_seen: number;
  created: number;
}

/** The active user behind a live session, with their grants, as a statement that can lead a batch. */
/** The caller of a session cookie's key (an empty result: no live session). */
export const sessionCaller = (db: D1Database, keyHash: string, now: number): Promise<D1Result> =>
  selectSessionCaller(db, keyHash, now).all();

export const selectSessionCaller = (db: D1Database, keyHash: string, now: number): D1PreparedStatement =>
  db
    .prepare(
      `SELECT '' AS identifier, s.user_id, u.username, u.is_superuser, NULL AS outpost_id, NULL AS key_expires,
         s.csrf, s.last_seen, s.created, ${grantsColumn("u")}
       FROM browser_sessions s JOIN users u ON u.id = s.user_id
       WHERE s.key_hash = ?1 AND u.is_active = 1 AND s.last_seen > ?2 AND s.created > ?3`,
    )
    .bind(keyHash, now - IDLE_MS, now - ABSOLUTE_MS);

export const knownSession = (keyHash: string): Condition =>
  condition("SELECT 1 FROM browser_sessions WHERE key_hash = ?", keyHash);

/** Keeps an active session alive (the idle timeout counts from here). */
export async function touchSession(db: D1Database, keyHash: string, now: number): Promise<void> {
  await db.prepare("UPDATE browser_sessions SET last_seen = ?2 WHERE key_hash = ?1").bind(keyHash, now).run();
}

export async function insertSession(db: D1Database, keyHash: string, userId: number, csrf: string, now: number) {
  await db
    .prepare("INSERT INTO browser_sessions (key_hash, user_id, csrf, created, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)")
    .bind(keyHash, userId, csrf, now)
    .run();
}

export async function deleteSession(db: D1Database, keyHash: string): Promise<void> {
  await db.prepare("DELETE FROM browser_sessions WHERE key_hash = ?1").bind(keyHash).run();
}

/** Ends every session of the user: for the batch that deactivates them or changes their password. */
export const revokeUserSessions = (db: D1Database, userId: number): D1PreparedStatement =>
  db.prepare("DELETE FROM browser_sessions WHERE user_id = ?1").bind(userId);

export interface PasswordRow {
  id: number;
  username: string;
  password: string | null;
}

/** The active user signing in, by username. */
export const activeUserByUsername = (db: D1Database, username: string): Promise<PasswordRow | null> =>
  db.prepare("SELECT id, username, password FROM users WHERE username = ?1 AND is_active = 1").bind(username).first();

/** Stores a password hash and ends the user's sessions in one batch; false when the user is gone. */
export async function setPassword(db: D1Database, userId: number, hash: string, now: number): Promise<boolean> {
  const [updated] = await db.batch([
    db
      .prepare("UPDATE users SET password = ?2, password_change_date = ?3 WHERE id = ?1 RETURNING id")
      .bind(userId, hash, now),
    revokeUserSessions(db, userId),
  ]);
  return (updated?.results.length ?? 0) > 0;
}

/** A verified password stored again in the current form (no sessions end: it is the same password). */
export async function rehashPassword(db: D1Database, userId: number, hash: string): Promise<void> {
  await db.prepare("UPDATE users SET password = ?2 WHERE id = ?1").bind(userId, hash).run();
}

/** Records a sign-in: authentik's `last_login`. */
export async function recordLogin(db: D1Database, userId: number, now: number): Promise<void> {
  await db.prepare("UPDATE users SET last_login = ?2 WHERE id = ?1").bind(userId, now).run();
}

/** Whether the password is the user's current one (a user changing their own password proves it). */
export async function verifiedCurrentPassword(db: D1Database, userId: number, password: string): Promise<boolean> {
  const row = await db
    .prepare("SELECT password FROM users WHERE id = ?1")
    .bind(userId)
    .first<{ password: string | null }>();
  return row !== null && (await verifyPassword(password, row.password)) !== "wrong";
}
