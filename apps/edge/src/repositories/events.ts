import {
  ANONYMOUS_EVENT_USER,
  DEFAULT_EVENT_RETENTION_DAYS,
  type Event,
  type EventAction,
  type EventUser,
  type ModelName,
  maskSecrets,
  normalizeUuid,
} from "@rac-edge/core";
import { clock, iso } from "../clock.ts";
import { counted } from "./counts.ts";
import { deleteExpiredRows, parseJson, planOneRow, type ReadPlan } from "./d1.ts";
import type { Filter, FilterTable } from "./filters.ts";
import type { Condition, ListSpec } from "./lists.ts";
import { condition } from "./lists.ts";
import { MODEL_TABLES } from "./models.ts";

/**
 * Who makes the writes of a request (or of a data-plane socket): the event's `user` is read from
 * `userId` inside the event's own INSERT, so recording it costs no round trip of its own.
 */
export interface Actor {
  /** null: nobody is signed in (the anonymous user). */
  userId: number | null;
  /** `CF-Connecting-IP`. */
  clientIp: string | null;
  /** authentik's `context.http_request` of API writes. */
  request?: { path: string; method: string; user_agent: string };
  retentionDays: number;
}

/** `EVENTS_RETENTION_DAYS` as a whole number of days over 0, else the default. */
export function retentionDays(value: string | undefined): number {
  const days = Number(value);
  return Number.isInteger(days) && days > 0 ? days : DEFAULT_EVENT_RETENTION_DAYS;
}

/** The actor of a request: its (metered, per-request) binding carries it to the repositories' writes. */
const actors = new WeakMap<object, Actor>();

export function actAs(db: D1Database, actor: Actor): void {
  actors.set(db, actor);
}

/** The actor recorded for `db`; a binding without one writes as the anonymous user. */
export function actorOf(db: D1Database): Actor {
  return actors.get(db) ?? { userId: null, clientIp: null, retentionDays: DEFAULT_EVENT_RETENTION_DAYS };
}

/** The actor of an API request. */
export function requestActor(request: Request, userId: number | null, retention: string | undefined): Actor {
  const url = new URL(request.url);
  return {
    userId,
    clientIp: request.headers.get("cf-connecting-ip"),
    request: { path: url.pathname, method: request.method, user_agent: request.headers.get("user-agent") ?? "" },
    retentionDays: retentionDays(retention),
  };
}

/** What emits each kind of event in authentik (`Event.app`); rac-edge's own under `rac_edge`. */
export const EVENT_APPS = {
  model: "authentik.events.middleware",
  login: "authentik.events.signals",
  launch: "authentik.providers.rac.views",
  rbac: "authentik.rbac.api.rbac_assigned_by_users",
  session: "rac_edge.sessions",
} as const;

export interface EventSpec {
  action: EventAction;
  app: string;
  /** Known before the write; secrets are masked. */
  context?: Record<string, unknown>;
  /**
   * `FROM ... WHERE ...` of the row(s) the event is about, aliased as the `context` expression reads
   * them: no row, no event (the write it describes found nothing). Absent: the event is always written.
   */
  source?: Condition;
  /** An SQL expression of the final context; its first `?` is the context above as JSON text. */
  contextSql?: Condition;
  /** Another actor than the binding's (the data plane's sockets). */
  actor?: Actor;
}

const USER_JSON = "(SELECT json_object('pk', id, 'username', username, 'email', email) FROM users WHERE id = ?)";
/** The actor's user, read once: `who.user` (JSON text) for the event's two user columns. */
const WHO = `(SELECT coalesce(${USER_JSON}, ?) AS user) AS who`;

/** The INSERT of one event: appended to the batch of the write it describes, so both commit or neither. */
export function eventStatement(db: D1Database, spec: EventSpec): D1PreparedStatement {
  const actor = spec.actor ?? actorOf(db);
  const now = clock.now();
  const base = { ...maskSecrets(spec.context ?? {}), ...(actor.request ? { http_request: actor.request } : {}) };
  const context = spec.contextSql ?? { sql: "json(?)", params: [] };
  const source = spec.source ?? { sql: "(SELECT 1)", params: [] };
  const anonymous = JSON.stringify(ANONYMOUS_EVENT_USER);
  return db
    .prepare(
      `INSERT INTO events (event_uuid, action, app, user, username, client_ip, context, created, expires)
       SELECT ?, ?, ?, who.user, json_extract(who.user, '$.username'), ?, ${context.sql}, ?, ?
       FROM ${WHO} CROSS JOIN ${source.sql}`,
    )
    .bind(
      crypto.randomUUID(),
      spec.action,
      spec.app,
      actor.clientIp,
      JSON.stringify(base),
      ...context.params,
      now,
      now + actor.retentionDays * 86_400_000,
      actor.userId,
      anonymous,
      ...source.params,
    );
}

/** authentik's str() of each model, over its table aliased `t`. */
const NAME_SQL: Record<ModelName, string> = {
  "authentik_core.user": "t.username",
  "authentik_core.token": "t.identifier",
  "authentik_core.application": "t.name",
  "authentik_flows.flow": "'Flow ' || t.name || ' (' || t.slug || ')'",
  "authentik_outposts.outpost": "'Outpost ' || t.name",
  "authentik_providers_rac.racprovider": "t.name",
  "authentik_providers_rac.endpoint": "'RAC Endpoint ' || t.name",
  "authentik_providers_rac.racpropertymapping": "'Property Mapping ' || t.name",
  "authentik_providers_rac.connectiontoken": "'RAC Connection token ' || t.uuid",
  "authentik_events.event": "t.action",
};

/**
 * authentik's `model_to_dict` of the row `t` of `model`, as an SQL JSON expression: a uuid pk is
 * stored as its hex without dashes (authentik's `sanitize_dict`), an integer pk as a number.
 */
export function modelJson(model: ModelName, alias = "t"): string {
  const [app, name] = model.split(".") as [string, string];
  const { pk, integer } = MODEL_TABLES[model];
  const pkSql = integer ? `${alias}.${pk}` : `replace(${alias}.${pk}, '-', '')`;
  const nameSql = NAME_SQL[model].replaceAll("t.", `${alias}.`);
  return `json_object('app', '${app}', 'model_name', '${name}', 'pk', ${pkSql}, 'name', ${nameSql})`;
}

/**
 * `model_created`, `model_updated` or `model_deleted` of the object `pk` of `model`, read from its row:
 * after the INSERT or UPDATE in the batch, and before the DELETE (the row must still be there).
 * `where` replaces the pk lookup (a row whose generated id the caller does not know yet).
 */
export function modelEvent(
  db: D1Database,
  action: "model_created" | "model_updated" | "model_deleted",
  model: ModelName,
  pk: string | number,
  where?: Condition,
): D1PreparedStatement {
  const { table, pk: column } = MODEL_TABLES[model];
  const source = where ?? { sql: `t.${column} = ?`, params: [pk] };
  return eventStatement(db, {
    action,
    app: EVENT_APPS.model,
    source: { sql: `${table} t WHERE ${source.sql}`, params: source.params },
    contextSql: { sql: `json_set(?, '$.model', ${modelJson(model)})`, params: [] },
  });
}

/** The object written last in this batch (its INTEGER PRIMARY KEY): right after its INSERT only. */
export const lastInserted = (column = "id"): Condition => ({ sql: `t.${column} = last_insert_rowid()`, params: [] });

export interface EventRow {
  event_uuid: string;
  action: Event["action"];
  app: string;
  user: string;
  client_ip: string | null;
  context: string;
  created: number;
  expires: number;
}

export function eventFromRow(row: EventRow): Event {
  return {
    pk: row.event_uuid,
    user: parseJson<EventUser>(row.user),
    action: row.action,
    app: row.app,
    context: parseJson<Record<string, unknown>>(row.context),
    client_ip: row.client_ip,
    created: iso(row.created)!,
    expires: iso(row.expires)!,
    brand: null,
  };
}

export const eventList: ListSpec = {
  total: counted("events"),
  from: "events ev",
  select: "ev.event_uuid, ev.action, ev.app, ev.user, ev.client_ip, ev.context, ev.created, ev.expires",
  cheapSelect: true,
  pk: "ev.event_uuid",
  ordering: {
    created: "ev.created",
    action: "ev.action",
    app: "ev.app",
    client_ip: "ev.client_ip",
    user: "ev.username",
    context: "ev.context",
  },
  defaultOrdering: [{ field: "created", descending: true }],
  // authentik's EventViewSet.search_fields: event_uuid, user, action, app, context.
  search: ["ev.event_uuid", "ev.user", "ev.action", "ev.app", "ev.context", "ev.client_ip"],
};

/** authentik stores uuid pks as hex without dashes and compares integer pks as numbers. */
const pkOf = (value: string) => value.replaceAll("-", "");

/** An exact match of a non-empty value (empty ones are ignored). */
const given =
  (sql: string, map: (value: string) => string = (value) => value): Filter =>
  ([value]) =>
    value === undefined || value === "" ? undefined : { where: condition(sql, map(value)) };

/** authentik's EventsFilter: each given parameter is an exact match. */
export const eventFilters: FilterTable = {
  action: given("ev.action = ?"),
  username: given("ev.username = ?"),
  client_ip: given("ev.client_ip = ?"),
  context_model_app: given("json_extract(ev.context, '$.model.app') = ?"),
  context_model_name: given("json_extract(ev.context, '$.model.model_name') = ?"),
  context_model_pk: given("CAST(json_extract(ev.context, '$.model.pk') AS TEXT) = ?", pkOf),
  context_authorized_app: given("json_extract(ev.context, '$.authorized_application.pk') = ?", pkOf),
};

/** null for unknown and malformed keys (both answer 404). */
export function eventByKey(db: D1Database, key: string): ReadPlan<Event | null> {
  const uuid = normalizeUuid(key);
  const sql = `SELECT ${eventList.select} FROM events ev WHERE ev.event_uuid = ?1`;
  const statement = uuid === null ? null : db.prepare(sql).bind(uuid);
  return planOneRow(statement, eventFromRow);
}

/** One bounded step of the events' retention sweep (oldest first); answers how many it removed. */
export function deleteExpiredEvents(db: D1Database, now: number, limit: number): Promise<number> {
  return deleteExpiredRows(db, "events", "event_uuid", now, limit);
}

/**
 * `login`, `login_failed` or `logout`, for the sign-in's own batch (the session row it writes or
 * deletes): `actor.userId` null records the anonymous user, and `context` is authentik's (e.g.
 * `{username}` of a failed attempt; secrets in it are masked).
 */
export function signInEvent(
  db: D1Database,
  action: "login" | "login_failed" | "logout",
  actor: Actor,
  context: Record<string, unknown> = {},
): D1PreparedStatement {
  return eventStatement(db, { action, app: EVENT_APPS.login, context, actor });
}
