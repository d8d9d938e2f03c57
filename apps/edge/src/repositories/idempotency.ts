/** Idempotency-Key records (migration 0010): one per caller and key, kept 24 hours. */

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyRecord {
  requestHash: string;
  status: number;
  /** The sealed answer; empty while the first request's answer is not recorded yet. */
  body: string;
}

/** The caller's live record for a key, or null. */
export async function findRecord(
  db: D1Database,
  userId: number,
  keyHash: string,
  now: number,
): Promise<IdempotencyRecord | null> {
  const row = await db
    .prepare(
      "SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = ?1 AND key_hash = ?2 AND expires > ?3",
    )
    .bind(userId, keyHash, now)
    .first<{ request_hash: string; status: number; body: string }>();
  return row === null ? null : { requestHash: row.request_hash, status: row.status, body: row.body };
}

/**
 * The statements that record a key with its write, for that write's batch: an expired record of the
 * same key goes, the new one is claimed with an empty answer (filled by `completeRecord`). `onlyIf`:
 * an SQL condition (with `?6`) that says whether the write happened (a launch the limit refused writes nothing).
 */
export function recordStatements(
  db: D1Database,
  record: { userId: number; keyHash: string; requestHash: string; status: number; now: number },
  onlyIf?: { sql: string; param: unknown },
): D1PreparedStatement[] {
  const { userId, keyHash, requestHash, status, now } = record;
  return [
    db
      .prepare("DELETE FROM idempotency_keys WHERE user_id = ?1 AND key_hash = ?2 AND expires <= ?3")
      .bind(userId, keyHash, now),
    db
      .prepare(
        `INSERT INTO idempotency_keys (user_id, key_hash, request_hash, status, body, expires)
         SELECT ?1, ?2, ?3, ?4, '', ?5 WHERE ${onlyIf?.sql ?? "?6 IS NULL"}`,
      )
      .bind(userId, keyHash, requestHash, status, now + IDEMPOTENCY_TTL_MS, onlyIf?.param ?? null),
  ];
}

/** Stores the answer to replay (sealed) once the write's answer is known. */
export async function completeRecord(db: D1Database, userId: number, keyHash: string, body: string): Promise<void> {
  await db
    .prepare("UPDATE idempotency_keys SET body = ?3 WHERE user_id = ?1 AND key_hash = ?2")
    .bind(userId, keyHash, body)
    .run();
}

export const isRecordConflict = (error: unknown): boolean =>
  /UNIQUE constraint failed: idempotency_keys\./.test(String((error as Error)?.message ?? error));

/** Removes at most `limit` expired records; answers how many went. */
export async function deleteExpiredRecords(db: D1Database, now: number, limit: number): Promise<number> {
  const result = await db
    .prepare(
      `DELETE FROM idempotency_keys WHERE (user_id, key_hash) IN
         (SELECT user_id, key_hash FROM idempotency_keys WHERE expires <= ?1 LIMIT ?2)`,
    )
    .bind(now, limit)
    .run();
  return result.meta.changes ?? 0;
}
