import { type ConnectionToken, normalizeUuid } from "@rac-edge/core";
import { type ConnectionTokenRow, connectionTokenFromRow, selectConnectionToken } from "./connectionTokens.ts";
import { isForeignKeyViolation, planOneRow, type ReadPlan } from "./d1.ts";
import { EVENT_APPS, eventStatement, modelJson } from "./events.ts";
import { outcome } from "./outcomes.ts";

/** What a launch needs to know about its endpoint before writing anything. */
export interface LaunchTarget {
  uuid: string;
  auth_mode: string;
  provider_name: string;
  connection_expiry: string;
}

/**
 * The endpoint a launch path names (planned: it rides in the authentication's batch); null for
 * unknown and malformed keys.
 */
export function launchTargetByKey(db: D1Database, key: string): ReadPlan<LaunchTarget | null> {
  const uuid = normalizeUuid(key);
  const sql = `SELECT e.uuid, e.auth_mode, p.name AS provider_name, p.connection_expiry
     FROM endpoints e JOIN providers p ON p.id = e.provider_id WHERE e.uuid = ?1`;
  return planOneRow(uuid === null ? null : db.prepare(sql).bind(uuid), (row: LaunchTarget) => row);
}

export interface NewConnection {
  uuid: string;
  endpoint: string;
  userId: number;
  tokenHash: string;
  /** The stored (sealed) prompt settings. */
  settings: string;
  now: number;
  expires: number | null;
}

/** Whether the launch of the token `uuid` wrote it (`?6`: for its Idempotency-Key record). */
export const launched = (uuid: string) => ({
  sql: "EXISTS (SELECT 1 FROM connection_tokens WHERE uuid = ?6)",
  param: uuid,
});

/**
 * The connection limit is checked and the token inserted by ONE statement, so concurrent launches
 * cannot exceed `maximum_connections` (negative: unlimited; live tokens of every user count).
 * The read-backs ride in the same batch: the new token, or whether the caller already holds one
 * (the limitReached outcome says it).
 */
export async function insertConnection(db: D1Database, input: NewConnection): Promise<ConnectionToken> {
  const batch = db.batch<Record<string, unknown>>([
    db
      .prepare(
        `INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, settings, created, expires,
           endpoint_name, provider_name)
         SELECT ?1, e.provider_id, e.uuid, ?2, ?3, ?4, ?5, ?6, e.name,
           (SELECT p.name FROM providers p WHERE p.id = e.provider_id) FROM endpoints e
         WHERE e.uuid = ?7 AND (e.maximum_connections < 0
           OR (SELECT count(*) FROM connection_tokens c
               WHERE c.endpoint_id = e.uuid AND (c.expires IS NULL OR c.expires > ?5)) < e.maximum_connections)`,
      )
      .bind(input.uuid, input.userId, input.tokenHash, input.settings, input.now, input.expires, input.endpoint),
    launchEvent(db, input.uuid),
    selectConnectionToken(db, input.uuid, input.now),
    db
      // Asked only when the insert was refused (no row with the new uuid): a launch that succeeds
      // does not read the caller's other tokens.
      .prepare(
        `SELECT CASE WHEN EXISTS (SELECT 1 FROM connection_tokens WHERE uuid = ?3) THEN 0
           ELSE EXISTS (SELECT 1 FROM connection_tokens
             WHERE endpoint_id = ?1 AND user_id = ?2 AND uuid <> ?3 AND (expires IS NULL OR expires > ?4)) END AS held`,
      )
      .bind(input.endpoint, input.userId, input.uuid, input.now),
    db.prepare("SELECT 1 AS found FROM endpoints WHERE uuid = ?1").bind(input.endpoint),
  ]);
  const [, , selected, holds, endpoint] = await batch.catch(callerGone);
  // The read-back of the fresh uuid says whether the INSERT wrote it: `meta.changes` also counts
  // the counter rows its triggers write (migration 0007).
  const row = selected!.results[0];
  if (row !== undefined) return connectionTokenFromRow(row as ConnectionTokenRow);
  // Deleted meanwhile: no limit refused anything.
  if (endpoint!.results.length === 0) throw outcome({ kind: "notFound" });
  const held = (holds!.results[0] as { held: number } | undefined)?.held === 1;
  throw outcome({ kind: "limitReached", callerHoldsOne: held });
}

/**
 * authentik's `authorize_application` of a launch, written only if the token was inserted: the
 * application of the endpoint's provider (null without one) and the endpoint, as authentik records them.
 */
function launchEvent(db: D1Database, uuid: string): D1PreparedStatement {
  const application = `CASE WHEN a.uuid IS NULL THEN NULL ELSE ${modelJson("authentik_core.application", "a")} END`;
  const set = `'$.authorized_application', ${application}, '$.endpoint', e.name, '$.connection_token', ct.uuid`;
  return eventStatement(db, {
    action: "authorize_application",
    app: EVENT_APPS.launch,
    contextSql: { sql: `json_set(?, ${set})`, params: [] },
    source: {
      sql: `connection_tokens ct JOIN endpoints e ON e.uuid = ct.endpoint_id
        LEFT JOIN applications a ON a.provider_id = ct.provider_id WHERE ct.uuid = ?`,
      params: [uuid],
    },
  });
}

/**
 * The token's provider and endpoint come from the endpoint row itself, so its foreign keys can only
 * fail on the user: the caller was deleted during the request, and their key with them.
 */
function callerGone(error: unknown): never {
  throw isForeignKeyViolation(error) ? outcome({ kind: "callerGone" }) : error;
}
