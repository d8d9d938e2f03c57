import { BOOTSTRAP_TOKEN_IDENTIFIER } from "@rac-edge/core";
import { sha256Hex } from "../crypto.ts";
import { newUserValues } from "./users.ts";

export const BOOTSTRAP_USERNAME = "akadmin";

/**
 * Whether the bootstrap token holds the key hashed `hash`, under its identifier and akadmin's: a read by
 * primary key that the authentication's batch carries on an isolate's first request (src/auth.ts).
 */
export function bootstrapCurrent(db: D1Database, hash: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id
       WHERE t.identifier = ?1 AND t.key_hash = ?2 AND u.username = ?3`,
    )
    .bind(BOOTSTRAP_TOKEN_IDENTIFIER, hash, BOOTSTRAP_USERNAME);
}

/**
 * The superuser `akadmin` and its API token, created if missing (only when `bootstrapCurrent` finds
 * nothing). Idempotent: a token that already holds the key is left alone, and the bootstrap token only ever
 * takes the configured key.
 */
export async function ensureBootstrap(db: D1Database, key: string, email: string): Promise<void> {
  const hash = await sha256Hex(key);
  const user = await newUserValues();
  await db.batch([
    db
      .prepare(
        `INSERT INTO users (uuid, uid, username, name, email, is_superuser, path, type)
         VALUES (?1, ?2, ?3, 'authentik Default Admin', ?4, 1, 'users', 'internal')
         ON CONFLICT (username) DO NOTHING`,
      )
      .bind(user.uuid, user.uid, BOOTSTRAP_USERNAME, email),
    db
      .prepare(
        `INSERT INTO tokens (uuid, identifier, user_id, intent, description, managed, expiring, key_hash)
         SELECT ?1, ?2, id, 'api', 'Bootstrap token', NULL, 0, ?3 FROM users WHERE username = ?4
           AND NOT EXISTS (SELECT 1 FROM tokens WHERE key_hash = ?3)
         ON CONFLICT (identifier) DO UPDATE SET
           key_hash = excluded.key_hash, key_pending = NULL, user_id = excluded.user_id`,
      )
      .bind(crypto.randomUUID(), BOOTSTRAP_TOKEN_IDENTIFIER, hash, BOOTSTRAP_USERNAME),
  ]);
}
