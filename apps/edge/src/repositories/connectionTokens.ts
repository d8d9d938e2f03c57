import { type ConnectionToken, type Endpoint, type GroupMember, normalizeUuid, type RacProvider } from "@rac-edge/core";
import { iso } from "../clock.ts";
import { type CountedField, counted } from "./counts.ts";
import { deleteExpiredRows, planOneRow, type ReadPlan } from "./d1.ts";
import { ENDPOINT_PROVIDER_JOIN, endpointColumns, endpointFromRow, endpointOwnColumns } from "./endpoints.ts";
import { modelEvent } from "./events.ts";
import type { Condition, ListSpec } from "./lists.ts";
import { outcome } from "./outcomes.ts";
import { existingProviders, PROVIDER_APPLICATION_JOIN, providerColumns, providerFromRow } from "./providers.ts";
import { memberColumns, memberFromPrefixedRow } from "./users.ts";

export type ConnectionTokenRow = Record<string, unknown>;

const TOKEN_COLUMNS = `t.uuid AS uuid, t.provider_id AS provider_id, t.endpoint_id AS endpoint_id, t.expires AS expires,
  t.created AS created, t.connected_at AS connected_at`;

/**
 * A token with everything it nests, in one statement. The endpoint and its provider come from
 * ENDPOINT_PROVIDER_JOIN (`e`, `p`); the token's own provider is a derived table `tp` (it is the
 * endpoint's provider unless the endpoint was later moved to another one).
 */
const FROM = `connection_tokens t
  JOIN endpoints e ON e.uuid = t.endpoint_id ${ENDPOINT_PROVIDER_JOIN}
  JOIN (SELECT ${providerColumns("tp_")} FROM providers p ${PROVIDER_APPLICATION_JOIN}) tp ON tp.tp_id = t.provider_id
  JOIN users u ON u.id = t.user_id`;
const COLUMNS = `${TOKEN_COLUMNS}, tp.*, ${endpointColumns("e_")}, ${memberColumns("u", "u_")}`;

/** Live tokens only: an expiry exactly now is already expired. */
export const live = (now: number): Condition => ({ sql: "(t.expires IS NULL OR t.expires > ?)", params: [now] });

/**
 * The number of live tokens (all, or one provider's, endpoint's or user's) without reading them:
 * the counter row counts every token, so the expired ones the sweep has not removed yet are
 * subtracted, read through an index on (`field`, expires) (few: the sweep runs every 5 minutes).
 */
export function liveCount(now: number, field?: CountedField, value?: string | number): Condition {
  const total = counted("connection_tokens", field, value);
  if (field === undefined) {
    const expired = "SELECT count(*) FROM connection_tokens WHERE expires <= ?";
    return { sql: `(${total.sql} - (${expired}))`, params: [...total.params, now] };
  }
  const expired = `SELECT count(*) FROM connection_tokens WHERE ${field} = ? AND expires <= ?`;
  return { sql: `(${total.sql} - (${expired}))`, params: [...total.params, value, now] };
}

const COUNTED_BY: Record<keyof FilterTargets, CountedField> = {
  endpoint: "endpoint_id",
  provider: "provider_id",
  user: "user_id",
};

/** The live-token count from counter rows, with no filter or one; two filters read the matching tokens instead. */
export function liveCountOf(targets: FilterTargets, now: number): Condition | undefined {
  const given = Object.entries(targets) as [keyof FilterTargets, string | number][];
  if (given.length === 0) return liveCount(now);
  if (given.length > 1) return undefined;
  const [target, value] = given[0]!;
  return liveCount(now, COUNTED_BY[target], value);
}

/**
 * The list filters' conditions. For a caller limited to some tokens (`restricted`), `+` keeps them off
 * the indexes: the visible tokens, looked up by key (visibleTokens), are fewer than a provider's.
 */
export function filterConditions(targets: FilterTargets, restricted: boolean): Condition[] {
  const column = (name: string) => (restricted ? `+t.${name}` : `t.${name}`);
  const filters: Condition[] = [];
  for (const [target, value] of Object.entries(targets) as [keyof FilterTargets, string | number][]) {
    filters.push({ sql: `${column(COUNTED_BY[target])} = ?`, params: [value] });
  }
  return filters;
}

/** What a caller limited to some tokens sees, by key: their own (through the user index) and the granted ones. */
export const visibleTokens = (userId: number, granted: string[]): Condition => ({
  sql: "t.uuid IN (SELECT uuid FROM connection_tokens WHERE user_id = ? UNION SELECT value FROM json_each(?))",
  params: [userId, JSON.stringify(granted)],
});

/** The token with the objects it nests (built by the caller, each once per page in a list). */
const tokenOf = (
  row: ConnectionTokenRow,
  provider: RacProvider,
  endpoint: Endpoint,
  user: GroupMember,
): ConnectionToken => ({
  pk: row.uuid as string,
  provider: row.provider_id as number,
  provider_obj: provider,
  endpoint: row.endpoint_id as string,
  endpoint_obj: endpoint,
  user,
  expires: iso(row.expires as number | null),
  created: iso(row.created as number)!,
  connected_at: iso(row.connected_at as number | null),
});

/** A token from a row of COLUMNS (a single token: retrieve, launch, move). */
export const connectionTokenFromRow = (row: ConnectionTokenRow): ConnectionToken =>
  tokenOf(row, providerFromRow(row, "tp_"), endpointFromRow(row, "e_"), memberFromPrefixedRow(row, "u_"));

/** A list page: its rows carry ids only, `related` the providers, endpoints and users they name. */
export function connectionTokenPage(
  rows: ConnectionTokenRow[],
  related: Record<string, Record<string, unknown>[]>,
): ConnectionToken[] {
  const providers = new Map(related.providers!.map((row) => [row.id as number, providerFromRow(row)]));
  const endpoints = new Map(
    related.endpoints!.map((row) => [
      row.uuid as string,
      endpointFromRow(row, "", providers.get(row.provider_id as number)),
    ]),
  );
  const users = new Map(related.users!.map((row) => [row.id as number, memberFromPrefixedRow(row, "")]));
  return rows.map((row) =>
    tokenOf(
      row,
      providers.get(row.provider_id as number)!,
      endpoints.get(row.endpoint_id as string)!,
      users.get(row.user_id as number)!,
    ),
  );
}

/**
 * Filters, search and ordering read the token row alone: it keeps copies of its endpoint's and
 * provider's names (migration 0002), so the default order is an index walk that stops at the
 * page's end. A page's rows are the tokens' own columns; the providers, endpoints and users they
 * nest, mostly shared by many tokens, come once each as `related` rows.
 */
export const connectionTokenList: ListSpec = {
  total: counted("connection_tokens"),
  from: "connection_tokens t",
  select: `${TOKEN_COLUMNS}, t.user_id AS user_id`,
  cheapSelect: true,
  related: {
    // The token's provider, and its endpoint's (another one if the endpoint was moved since).
    providers: (page) =>
      `WITH page AS (${page}) SELECT ${providerColumns()} FROM providers p ${PROVIDER_APPLICATION_JOIN}
       WHERE p.id IN (SELECT provider_id FROM page
         UNION SELECT provider_id FROM endpoints WHERE uuid IN (SELECT endpoint_id FROM page))`,
    endpoints: (page) =>
      `WITH page AS (${page}) SELECT ${endpointOwnColumns()} FROM endpoints e
       WHERE e.uuid IN (SELECT endpoint_id FROM page)`,
    users: (page) =>
      `WITH page AS (${page}) SELECT ${memberColumns("u", "")} FROM users u WHERE u.id IN (SELECT user_id FROM page)`,
  },
  pk: "t.uuid",
  ordering: {
    pk: "t.uuid",
    endpoint__name: "t.endpoint_name",
    provider__name: "t.provider_name",
    endpoint: "t.endpoint_id",
    provider: "t.provider_id",
    session__user: "t.user_id",
    expires: "t.expires",
  },
  defaultOrdering: [
    { field: "endpoint__name", descending: false },
    { field: "provider__name", descending: false },
  ],
  search: ["t.endpoint_name", "t.provider_name"],
};

/** One live token by pk, with its nested objects, as a statement for a batch. */
export const selectConnectionToken = (db: D1Database, uuid: string, now: number) =>
  db
    .prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE t.uuid = ?1 AND (t.expires IS NULL OR t.expires > ?2)`)
    .bind(uuid, now);

/** null for unknown, expired and malformed keys (all answer 404). */
export function connectionTokenByKey(db: D1Database, key: string, now: number): ReadPlan<ConnectionToken | null> {
  const uuid = normalizeUuid(key);
  return planOneRow(uuid === null ? null : selectConnectionToken(db, uuid, now), connectionTokenFromRow);
}

export type FilterTargets = { endpoint?: string; provider?: number; user?: number };

/**
 * Whether the list filters' referenced objects exist: the statements (for the list's own batch)
 * and how to read their results.
 */
export function filterTargetChecks(
  db: D1Database,
  targets: FilterTargets,
): {
  statements: D1PreparedStatement[];
  found(results: D1Result[]): { endpoint: boolean; provider: boolean; user: boolean };
} {
  const checks: [keyof FilterTargets, D1PreparedStatement][] = [];
  if (targets.endpoint !== undefined)
    checks.push(["endpoint", db.prepare("SELECT 1 AS found FROM endpoints WHERE uuid = ?1").bind(targets.endpoint)]);
  if (targets.provider !== undefined) checks.push(["provider", existingProviders(db, [targets.provider])]);
  if (targets.user !== undefined)
    checks.push(["user", db.prepare("SELECT 1 AS found FROM users WHERE id = ?1").bind(targets.user)]);
  return {
    statements: checks.map(([, statement]) => statement),
    found(results) {
      const found = { endpoint: true, provider: true, user: true };
      checks.forEach(([field], index) => {
        found[field] = results[index]!.results.length > 0;
      });
      return found;
    },
  };
}

/** The provider an endpoint belongs to, or null for an unknown endpoint. */
export async function endpointProvider(db: D1Database, endpoint: string): Promise<number | null> {
  const row = await db
    .prepare("SELECT provider_id FROM endpoints WHERE uuid = ?1")
    .bind(endpoint)
    .first<{ provider_id: number }>();
  return row?.provider_id ?? null;
}

/**
 * Points a live token at a provider and endpoint. Checked in the same statement: the endpoint still
 * belongs to the provider, and moving to another endpoint respects that endpoint's connection
 * limit (as a launch would). Outcomes: notFound if the token is gone, limitReached if the limit refused the move.
 */
export async function moveConnectionToken(
  db: D1Database,
  uuid: string,
  provider: number,
  endpoint: string,
  now: number,
): Promise<ConnectionToken> {
  const where = { sql: "t.uuid = ? AND t.provider_id = ? AND t.endpoint_id = ?", params: [uuid, provider, endpoint] };
  const [, , selected] = await db.batch<ConnectionTokenRow>([
    db
      .prepare(
        `UPDATE connection_tokens SET provider_id = ?2, endpoint_id = ?3,
           endpoint_name = (SELECT name FROM endpoints WHERE uuid = ?3),
           provider_name = (SELECT name FROM providers WHERE id = ?2)
         WHERE uuid = ?1 AND (expires IS NULL OR expires > ?4)
           AND EXISTS (SELECT 1 FROM endpoints target WHERE target.uuid = ?3 AND target.provider_id = ?2
             AND (connection_tokens.endpoint_id = ?3 OR target.maximum_connections < 0
               OR (SELECT count(*) FROM connection_tokens c
                   WHERE c.endpoint_id = ?3 AND (c.expires IS NULL OR c.expires > ?4)) < target.maximum_connections))`,
      )
      .bind(uuid, provider, endpoint, now),
    // Written when the token is where it was asked to go (a move the limit refused changed nothing).
    modelEvent(db, "model_updated", "authentik_providers_rac.connectiontoken", uuid, where),
    selectConnectionToken(db, uuid, now),
  ]);
  const row = selected!.results[0];
  if (row === undefined) throw outcome({ kind: "notFound" }); // deleted or expired meanwhile
  // The read-back says whether the token is where it was asked to go: `meta.changes` would also
  // count the counter rows the UPDATE's triggers write (migration 0007).
  const moved = row.endpoint_id === endpoint && row.provider_id === provider;
  if (!moved) throw outcome({ kind: "limitReached" });
  return connectionTokenFromRow(row);
}

export async function deleteConnectionToken(db: D1Database, uuid: string): Promise<void> {
  await db.batch([
    modelEvent(db, "model_deleted", "authentik_providers_rac.connectiontoken", uuid),
    db.prepare("DELETE FROM connection_tokens WHERE uuid = ?1").bind(uuid),
  ]);
}

/** One bounded step of the token sweep (`expires <= now`, oldest first); answers how many it removed. */
export function deleteExpiredConnectionTokens(db: D1Database, now: number, limit: number): Promise<number> {
  return deleteExpiredRows(db, "connection_tokens", "uuid", now, limit);
}
