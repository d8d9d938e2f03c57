import type { SettingsMapping } from "@rac-edge/core";
import { parseJson, planOneRow, type ReadPlan } from "./d1.ts";
import { type Actor, EVENT_APPS, eventStatement, modelJson } from "./events.ts";

/** A live token as the gateway sees it: the rows its settings are computed from, read fresh. */
export interface GatewayRow {
  uuid: string;
  provider_id: number;
  endpoint_id: string;
  user_id: number;
  expires: number | null;
  /** The sealed prompt settings. */
  settings: string;
  protocol: string;
  host: string;
  provider_settings: string;
  endpoint_settings: string;
  provider_mappings: string;
  endpoint_mappings: string;
  /** 0 when the calling outpost does not serve the token's provider. */
  allowed: number;
  endpoint_name: string;
  /** 0 when the token's user is deactivated: the data plane refuses such tokens. */
  user_active: number;
}

export interface GatewayToken extends Omit<GatewayRow, "provider_mappings" | "endpoint_mappings"> {
  provider_mappings: SettingsMapping[];
  endpoint_mappings: SettingsMapping[];
}

/** The session's endpoint in its events, as authentik's `model_to_dict`. */
const ENDPOINT_JSON = modelJson("authentik_providers_rac.endpoint", "e");

/** `?1` token hash, `?2` now, `?3` the calling outpost (null for a superuser). */
const LIVE_BY_HASH = "t.token_hash = ?1 AND (t.expires IS NULL OR t.expires > ?2)";
const OUTPOST_SERVES =
  "(?3 IS NULL OR EXISTS (SELECT 1 FROM outpost_providers op " +
  "WHERE op.outpost_id = ?3 AND op.provider_id = t.provider_id))";
const mappings = (link: string, owner: string, id: string) =>
  `(SELECT json_group_array(json_object('name', m.name, 'static_settings', json(m.static_settings)))
    FROM ${link} l JOIN property_mappings m ON m.uuid = l.mapping_id WHERE l.${owner} = ${id})`;

/** The rows an endpoint's connection settings are merged from, without a token (no prompt). */
export interface EndpointSettingsSources {
  uuid: string;
  protocol: string;
  auth_mode: string;
  host: string;
  provider_settings: unknown;
  endpoint_settings: unknown;
  provider_mappings: SettingsMapping[];
  endpoint_mappings: SettingsMapping[];
}

/** An endpoint's settings sources by uuid, as planned reads (it rides in the authentication's batch). */
export function endpointSettingsSources(db: D1Database, uuid: string | null): ReadPlan<EndpointSettingsSources | null> {
  const statement =
    uuid === null
      ? null
      : db
          .prepare(
            `SELECT e.uuid, e.protocol, e.auth_mode, e.host,
               p.settings AS provider_settings, e.settings AS endpoint_settings,
               ${mappings("provider_property_mappings", "provider_id", "p.id")} AS provider_mappings,
               ${mappings("endpoint_property_mappings", "endpoint_id", "e.uuid")} AS endpoint_mappings
             FROM endpoints e JOIN providers p ON p.id = e.provider_id WHERE e.uuid = ?1`,
          )
          .bind(uuid);
  return planOneRow(statement, (row: Record<string, string>) => ({
    uuid: row.uuid!,
    protocol: row.protocol!,
    auth_mode: row.auth_mode!,
    host: row.host!,
    provider_settings: parseJson(row.provider_settings!),
    endpoint_settings: parseJson(row.endpoint_settings!),
    provider_mappings: parseJson<SettingsMapping[]>(row.provider_mappings!),
    endpoint_mappings: parseJson<SettingsMapping[]>(row.endpoint_mappings!),
  }));
}

const selectGateway = (db: D1Database, hash: string, now: number, outpost: string | null) =>
  db
    .prepare(
      `SELECT t.uuid, t.provider_id, t.endpoint_id, t.user_id, t.expires, t.settings, e.protocol, e.host,
         p.settings AS provider_settings, e.settings AS endpoint_settings,
         ${mappings("provider_property_mappings", "provider_id", "p.id")} AS provider_mappings,
         ${mappings("endpoint_property_mappings", "endpoint_id", "e.uuid")} AS endpoint_mappings,
         ${OUTPOST_SERVES} AS allowed, e.name AS endpoint_name,
         (SELECT u.is_active FROM users u WHERE u.id = t.user_id) AS user_active
       FROM connection_tokens t JOIN endpoints e ON e.uuid = t.endpoint_id JOIN providers p ON p.id = t.provider_id
       WHERE ${LIVE_BY_HASH}`,
    )
    .bind(hash, now, outpost);

const gatewayToken = (row: GatewayRow | undefined): GatewayToken | null =>
  row === undefined
    ? null
    : {
        ...row,
        provider_mappings: parseJson<SettingsMapping[]>(row.provider_mappings),
        endpoint_mappings: parseJson<SettingsMapping[]>(row.endpoint_mappings),
      };

/**
 * Looks the live token up and, when the caller may use it, records `connected_at`: one batch.
 * A data-plane socket passes its `session` id, which takes the token over from any older socket.
 */
export async function connectToken(
  db: D1Database,
  hash: string,
  now: number,
  outpost: string | null,
  session: string | null = null,
  actor?: Actor,
): Promise<GatewayToken | null> {
  const [, , selected] = await db.batch<GatewayRow>([
    db
      .prepare(
        `UPDATE connection_tokens AS t
         SET connected_at = ?2, session_id = coalesce(?4, session_id), session_error = NULL
         WHERE ${LIVE_BY_HASH} AND ${OUTPOST_SERVES}`,
      )
      .bind(hash, now, outpost, session),
    // Written when the UPDATE found the token: the same conditions, read after it.
    eventStatement(db, {
      action: "rac_connect",
      app: EVENT_APPS.session,
      context: session === null ? {} : { session },
      contextSql: { sql: `json_set(?, '$.endpoint', ${ENDPOINT_JSON}, '$.connection_token', t.uuid)`, params: [] },
      source: {
        sql: `connection_tokens t JOIN endpoints e ON e.uuid = t.endpoint_id
          WHERE t.token_hash = ? AND (t.expires IS NULL OR t.expires > ?) AND t.connected_at = ?
            AND (? IS NULL OR EXISTS (SELECT 1 FROM outpost_providers op
              WHERE op.outpost_id = ? AND op.provider_id = t.provider_id))`,
        params: [hash, now, now, outpost, outpost],
      },
      ...(actor ? { actor } : {}),
    }),
    selectGateway(db, hash, now, outpost),
  ]);
  return gatewayToken(selected!.results[0]);
}

/** The live token as the gateway would see it, without recording anything (the session page, before a connect). */
export async function liveToken(db: D1Database, hash: string, now: number): Promise<GatewayToken | null> {
  return gatewayToken((await selectGateway(db, hash, now, null).all<GatewayRow>()).results[0]);
}

/** Remembers why a session was refused before its upgrade, so the page can say it (browsers cannot read the 502). */
export async function recordSessionError(db: D1Database, hash: string, now: number, reason: string): Promise<void> {
  await db
    .prepare(`UPDATE connection_tokens AS t SET session_error = ?3 WHERE ${LIVE_BY_HASH}`)
    .bind(hash, now, reason)
    .run();
}

/** What the session page may learn about its token: whether it is live, and the last refusal. */
export async function sessionStatus(
  db: D1Database,
  hash: string,
  now: number,
): Promise<{ error: string | null } | null> {
  return db
    .prepare(
      `SELECT t.session_error AS error FROM connection_tokens t JOIN users u ON u.id = t.user_id
       WHERE ${LIVE_BY_HASH} AND u.is_active = 1`,
    )
    .bind(hash, now)
    .first<{ error: string | null }>();
}

/**
 * A socket's revocation check, one indexed single-row read: `live` while the token is live, its
 * user active and the socket still holds it; `taken` when a newer socket holds it; else `revoked`.
 */
export async function sessionState(
  db: D1Database,
  uuid: string,
  session: string,
  now: number,
): Promise<"live" | "taken" | "revoked"> {
  const row = await db
    .prepare(
      `SELECT t.session_id FROM connection_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.uuid = ?1 AND (t.expires IS NULL OR t.expires > ?2) AND u.is_active = 1`,
    )
    .bind(uuid, now)
    .first<{ session_id: string | null }>();
  if (row === null) return "revoked";
  return row.session_id === session ? "live" : "taken";
}

/**
 * The disconnect: deletes the token when its provider says so (`delete_token_on_disconnect`) or
 * when it has no time limit (nothing else would ever remove it); otherwise it stays reusable.
 */
export async function disconnectToken(
  db: D1Database,
  hash: string,
  now: number,
  outpost: string | null,
  session: string | null = null,
  ending?: SessionEnd,
): Promise<{ token: GatewayToken; deleted: boolean } | null> {
  // A data-plane socket (`session`) disconnects only while it still holds the token: after a
  // takeover the newer one does.
  const [selected, deleted] = await db.batch<GatewayRow>([
    selectGateway(db, hash, now, outpost),
    db
      .prepare(
        `DELETE FROM connection_tokens AS t
         WHERE ${LIVE_BY_HASH} AND ${OUTPOST_SERVES} AND (?4 IS NULL OR t.session_id = ?4)
           AND (t.expires IS NULL
             OR EXISTS (SELECT 1 FROM providers dp WHERE dp.id = t.provider_id AND dp.delete_token_on_disconnect = 1))
         RETURNING uuid`,
      )
      .bind(hash, now, outpost, session),
    // The socket's end is recorded whatever the token's state (a revoked token is already gone).
    ...(ending ? [sessionEndEvent(db, ending)] : []),
  ]);
  const token = gatewayToken(selected!.results[0]);
  // The returned row, not `meta.changes`: that also counts the counter rows the triggers write.
  return token && { token, deleted: deleted!.results.length > 0 };
}

/** How a data-plane socket ended, for its `rac_disconnect` or `rac_revoked` event. */
export interface SessionEnd {
  action: "rac_disconnect" | "rac_revoked";
  /** The token's user and the browser's address. */
  actor: Actor;
  context: {
    connection_token: string;
    endpoint: { pk: string; name: string };
    reason: string;
    duration_ms: number;
    bytes_to_target: number;
    bytes_to_browser: number;
  };
}

const sessionEndEvent = (db: D1Database, ending: SessionEnd) =>
  eventStatement(db, { action: ending.action, app: EVENT_APPS.session, context: ending.context, actor: ending.actor });

/** A socket's end when no disconnect bookkeeping runs (another socket took the token over): the event alone. */
export async function recordSessionEnd(db: D1Database, ending: SessionEnd): Promise<void> {
  await sessionEndEvent(db, ending).run();
}
