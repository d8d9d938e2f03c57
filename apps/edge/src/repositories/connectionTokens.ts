import { type ConnectionToken, errors, normalizeUuid } from "@rac-edge/core";
import { iso } from "../clock.ts";
import type { Condition, ListSpec } from "../lists.ts";
import { ENDPOINT_PROVIDER_JOIN, endpointColumns, endpointFromRow } from "./endpoints.ts";
import { PROVIDER_APPLICATION_JOIN, providerColumns, providerFromRow } from "./providers.ts";
import { userColumns, userFromPrefixedRow } from "./users.ts";

export type ConnectionTokenRow = Record<string, unknown>;

/**
 * A token with everything it nests, in one statement. The endpoint and its provider come from
 * ENDPOINT_PROVIDER_JOIN (`e`, `p`); the token's own provider is a derived table `tp` (it is the
 * endpoint's provider unless the endpoint was later moved to another one).
 */
const FROM = `connection_tokens t
  JOIN endpoints e ON e.uuid = t.endpoint_id ${ENDPOINT_PROVIDER_JOIN}
  JOIN (SELECT ${providerColumns("tp_")} FROM providers p ${PROVIDER_APPLICATION_JOIN}) tp ON tp.tp_id = t.provider_id
  JOIN users u ON u.id = t.user_id`;
const COLUMNS = `t.uuid AS uuid, t.provider_id AS provider_id, t.endpoint_id AS endpoint_id, t.expires AS expires, tp.*, ${endpointColumns("e_")}, ${userColumns("u", "u_")}`;

/** Live tokens only: an expiry exactly now is already expired. */
export const live = (now: number): Condition => ({ sql: "(t.expires IS NULL OR t.expires > ?)", params: [now] });

export function connectionTokenFromRow(row: ConnectionTokenRow): ConnectionToken {
  const { pk, username, name, is_active, last_login, email, attributes, uid } = userFromPrefixedRow(row, "u_");
  return {
    pk: row.uuid as string,
    provider: row.provider_id as number,
    provider_obj: providerFromRow(row, "tp_"),
    endpoint: row.endpoint_id as string,
    endpoint_obj: endpointFromRow(row, "e_"),
    user: { pk, username, name, is_active, last_login, email, attributes, uid },
    expires: iso(row.expires as number | null),
  };
}

export const connectionTokenList: ListSpec = {
  from: FROM,
  select: COLUMNS,
  pk: "t.uuid",
  ordering: {
    pk: "t.uuid",
    endpoint__name: "e.name",
    provider__name: "tp.tp_name",
    endpoint: "t.endpoint_id",
    provider: "t.provider_id",
    session__user: "t.user_id",
    expires: "t.expires",
  },
  defaultOrdering: [
    { field: "endpoint__name", descending: false },
    { field: "provider__name", descending: false },
  ],
  search: ["e.name", "tp.tp_name"],
};

/** One live token by pk, with its nested objects, as a statement for a batch. */
export const selectConnectionToken = (db: D1Database, uuid: string, now: number) =>
  db.prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE t.uuid = ?1 AND (t.expires IS NULL OR t.expires > ?2)`).bind(uuid, now);

/** null for unknown, expired and malformed keys (all answer 404). */
export async function findConnectionToken(db: D1Database, key: string, now: number): Promise<ConnectionToken | null> {
  const uuid = normalizeUuid(key);
  if (uuid === null) return null;
  const row = await selectConnectionToken(db, uuid, now).first<ConnectionTokenRow>();
  return row && connectionTokenFromRow(row);
}

/** The list filters' referenced objects, in one batch: which of them exist. */
export async function existingFilterTargets(
  db: D1Database,
  targets: { endpoint?: string; provider?: number; user?: number },
): Promise<{ endpoint: boolean; provider: boolean; user: boolean }> {
  const checks: [keyof typeof targets, D1PreparedStatement][] = [];
  if (targets.endpoint !== undefined) checks.push(["endpoint", db.prepare("SELECT 1 AS found FROM endpoints WHERE uuid = ?1").bind(targets.endpoint)]);
  if (targets.provider !== undefined) checks.push(["provider", db.prepare("SELECT 1 AS found FROM providers WHERE id = ?1").bind(targets.provider)]);
  if (targets.user !== undefined) checks.push(["user", db.prepare("SELECT 1 AS found FROM users WHERE id = ?1").bind(targets.user)]);
  const found = { endpoint: true, provider: true, user: true };
  if (checks.length === 0) return found;
  const results = await db.batch(checks.map(([, statement]) => statement));
  checks.forEach(([field], index) => {
    found[field] = results[index]!.results.length > 0;
  });
  return found;
}

/** The provider an endpoint belongs to, or null for an unknown endpoint. */
export async function endpointProvider(db: D1Database, endpoint: string): Promise<number | null> {
  const row = await db.prepare("SELECT provider_id FROM endpoints WHERE uuid = ?1").bind(endpoint).first<{ provider_id: number }>();
  return row?.provider_id ?? null;
}

/**
 * Points a live token at a provider and endpoint. Checked in the same statement: the endpoint still
 * belongs to the provider, and moving to another endpoint respects that endpoint's connection
 * limit (as a launch would). Answers 404 if the token is gone, 409 if the limit refused the move.
 */
export async function moveConnectionToken(db: D1Database, uuid: string, provider: number, endpoint: string, now: number): Promise<ConnectionToken> {
  const [moved, selected] = await db.batch<ConnectionTokenRow>([
    db
      .prepare(
        `UPDATE connection_tokens SET provider_id = ?2, endpoint_id = ?3
         WHERE uuid = ?1 AND (expires IS NULL OR expires > ?4)
           AND EXISTS (SELECT 1 FROM endpoints target WHERE target.uuid = ?3 AND target.provider_id = ?2
             AND (connection_tokens.endpoint_id = ?3 OR target.maximum_connections < 0
               OR (SELECT count(*) FROM connection_tokens c WHERE c.endpoint_id = ?3 AND (c.expires IS NULL OR c.expires > ?4)) < target.maximum_connections))`,
      )
      .bind(uuid, provider, endpoint, now),
    selectConnectionToken(db, uuid, now),
  ]);
  const row = selected!.results[0];
  if (row === undefined) throw errors.notFound(); // deleted or expired meanwhile
  if (moved!.meta.changes === 0) throw errors.conflict("Maximum connection limit reached.");
  return connectionTokenFromRow(row);
}

export async function deleteConnectionToken(db: D1Database, uuid: string): Promise<void> {
  await db.prepare("DELETE FROM connection_tokens WHERE uuid = ?1").bind(uuid).run();
}
