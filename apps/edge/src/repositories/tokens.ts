export interface CallerRow {
  identifier: string;
  user_id: number;
  username: string;
  is_superuser: number;
  outpost_id: string | null;
}

/** The active user behind an unexpired API token, by the key's hash: one query. */
export function findCallerByKeyHash(db: D1Database, keyHash: string, now: number): Promise<CallerRow | null> {
  return db
    .prepare(
      `SELECT t.identifier, t.user_id, u.username, u.is_superuser, o.uuid AS outpost_id
       FROM tokens t JOIN users u ON u.id = t.user_id LEFT JOIN outposts o ON o.token_identifier = t.identifier
       WHERE t.key_hash = ?1 AND t.intent = 'api' AND u.is_active = 1
         AND (t.expiring = 0 OR t.expires IS NULL OR t.expires > ?2)`,
    )
    .bind(keyHash, now)
    .first<CallerRow>();
}
