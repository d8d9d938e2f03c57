import {
  DEFAULT_MAXIMUM_CONNECTIONS,
  type Endpoint,
  type EndpointRequest,
  endpointLaunchUrl,
  normalizeUuid,
  type PatchedEndpointRequest,
  type RacProvider,
} from "@rac-edge/core";
import { shownSettings } from "../secretSettings.ts";
import { counted } from "./counts.ts";
import { parseJson, planOneRow, type ReadPlan } from "./d1.ts";
import { modelEvent } from "./events.ts";
import { exact, type FilterTable, integerId } from "./filters.ts";
import type { ListSpec } from "./lists.ts";
import { condition } from "./lists.ts";
import { outcome } from "./outcomes.ts";
import {
  existingProviders,
  PROVIDER_APPLICATION_JOIN,
  type ProviderRow,
  providerColumns,
  providerFromRow,
} from "./providers.ts";
import { asIs, asJson, updateRow, type Writable } from "./write.ts";

/**
 * Joins an endpoint's provider (as `p`, with its application as `pa`) to `e`, the endpoints
 * table. Nesting an endpoint elsewhere (e.g. a connection token's `endpoint_obj`):
 *   FROM connection_tokens ct JOIN endpoints e ON e.uuid = ct.endpoint_id ${ENDPOINT_PROVIDER_JOIN}
 *   SELECT ..., ${endpointColumns("e_")}  ->  endpointFromRow(row, "e_")
 * The provider is always `p` (providerColumns' alias), so a token's own `provider_obj` can read
 * the same join with providerColumns("p_"): a token's endpoint belongs to the token's provider.
 */
export const ENDPOINT_PROVIDER_JOIN = `JOIN providers p ON p.id = e.provider_id ${PROVIDER_APPLICATION_JOIN}`;

/** An endpoint's own columns for `e`, without its provider (endpointColumns adds that). */
export const endpointOwnColumns = (prefix = "") =>
  [
    `e.uuid AS ${prefix}uuid`,
    `e.name AS ${prefix}name`,
    `e.provider_id AS ${prefix}provider_id`,
    `e.protocol AS ${prefix}protocol`,
    `e.host AS ${prefix}host`,
    `e.settings AS ${prefix}settings`,
    `e.auth_mode AS ${prefix}auth_mode`,
    `e.maximum_connections AS ${prefix}maximum_connections`,
    `(SELECT json_group_array(mapping_id) FROM (SELECT mapping_id FROM endpoint_property_mappings
      WHERE endpoint_id = e.uuid ORDER BY mapping_id)) AS ${prefix}mappings`,
  ].join(", ");

/** An endpoint's columns for `e` joined as in ENDPOINT_PROVIDER_JOIN; its provider under `<prefix>p_`. */
export const endpointColumns = (prefix = "") => `${endpointOwnColumns(prefix)}, ${providerColumns(`${prefix}p_`)}`;

/** An endpoint's row as endpointColumns() selects it: its own columns, its provider's under `p_`. */
export type EndpointRow = {
  uuid: string;
  name: string;
  provider_id: number;
  protocol: Endpoint["protocol"];
  host: string;
  settings: string;
  auth_mode: Endpoint["auth_mode"];
  maximum_connections: number;
  /** JSON array. */
  mappings: string;
} & { [K in keyof ProviderRow as `p_${K}`]: ProviderRow[K] };

/**
 * The endpoint of a row; `prefix`: its columns as endpointColumns(prefix) nests them in another
 * object's row; `provider`: the endpoint's provider when the row has only endpointOwnColumns.
 */
export function endpointFromRow(row: EndpointRow): Endpoint;
export function endpointFromRow(row: Record<string, unknown>, prefix?: string, provider?: RacProvider): Endpoint;
export function endpointFromRow(row: Record<string, unknown>, prefix = "", provider?: RacProvider): Endpoint {
  const get = <T>(column: string) => row[prefix + column] as T;
  const pk = get<string>("uuid");
  const providerObj = provider ?? providerFromRow(row, `${prefix}p_`);
  return {
    pk,
    name: get<string>("name"),
    provider: get<number>("provider_id"),
    provider_obj: providerObj,
    protocol: get<Endpoint["protocol"]>("protocol"),
    host: get<string>("host"),
    settings: shownSettings(parseJson(get("settings"))),
    property_mappings: parseJson<string[]>(get("mappings")),
    auth_mode: get<Endpoint["auth_mode"]>("auth_mode"),
    launch_url: endpointLaunchUrl(providerObj.assigned_application_slug, pk),
    maximum_connections: get<number>("maximum_connections"),
  };
}

const FROM = `endpoints e ${ENDPOINT_PROVIDER_JOIN}`;

export const endpointList: ListSpec = {
  total: counted("endpoints"),
  from: FROM,
  select: endpointColumns(),
  pk: "e.uuid",
  ordering: {
    pk: "e.uuid",
    name: "e.name",
    protocol: "e.protocol",
    host: "e.host",
    maximum_connections: "e.maximum_connections",
    provider: "e.provider_id",
  },
  defaultOrdering: [
    { field: "name", descending: false },
    { field: "protocol", descending: false },
  ],
  search: ["e.name", "e.protocol"],
};

/** `provider` is django-filter's ModelChoiceFilter: a malformed or unknown id is a 400, empty no filter. */
export const endpointFilters: FilterTable = {
  name: exact("e.name"),
  provider(values, db) {
    const provider = integerId(values[0]);
    if (provider === undefined) return undefined;
    if (provider === null) throw outcome({ kind: "unknownChoice", parameter: "provider" });
    return {
      where: condition("e.provider_id = ?", provider),
      count: counted("endpoints", "provider_id", provider),
      check: {
        statements: [existingProviders(db, [provider])],
        verify([found]) {
          if (found!.results.length === 0) throw outcome({ kind: "unknownChoice", parameter: "provider" });
        },
      },
    };
  },
};

const selectByUuid = (db: D1Database, uuid: string) =>
  db.prepare(`SELECT ${endpointColumns()} FROM ${FROM} WHERE e.uuid = ?1`).bind(uuid);

/** null for unknown and malformed keys (both answer 404). */
export function endpointByKey(db: D1Database, key: string): ReadPlan<Endpoint | null> {
  const uuid = normalizeUuid(key);
  return planOneRow(uuid === null ? null : selectByUuid(db, uuid), (row: EndpointRow) => endpointFromRow(row));
}

const WRITABLE: Writable = {
  ...asIs("name", "protocol", "host", "auth_mode", "maximum_connections"),
  provider: { column: "provider_id" },
  settings: { column: "settings", encode: asJson },
};

const linkMappings = (db: D1Database, uuid: string, ids: string[]) =>
  db
    .prepare(
      "INSERT INTO endpoint_property_mappings (endpoint_id, mapping_id) " +
        "SELECT ?1, value FROM (SELECT DISTINCT value FROM json_each(?2))",
    )
    .bind(uuid, JSON.stringify(ids));

/** The endpoint, its mapping links and the read-back in one batch (atomic). */
export async function insertEndpoint(db: D1Database, input: EndpointRequest): Promise<Endpoint> {
  const uuid = crypto.randomUUID();
  const statements = [
    db
      .prepare(
        `INSERT INTO endpoints (uuid, name, provider_id, protocol, host, settings, auth_mode, maximum_connections)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
      )
      .bind(
        uuid,
        input.name,
        input.provider,
        input.protocol,
        input.host,
        JSON.stringify(input.settings ?? {}),
        input.auth_mode,
        input.maximum_connections ?? DEFAULT_MAXIMUM_CONNECTIONS,
      ),
  ];
  if (input.property_mappings?.length) statements.push(linkMappings(db, uuid, input.property_mappings));
  statements.push(modelEvent(db, "model_created", "authentik_providers_rac.endpoint", uuid));
  statements.push(selectByUuid(db, uuid));
  const results = await db.batch<EndpointRow>(statements);
  return endpointFromRow(results[results.length - 1]!.results[0]!);
}

export async function updateEndpoint(db: D1Database, uuid: string, input: PatchedEndpointRequest): Promise<Endpoint> {
  const also: D1PreparedStatement[] = [];
  if (input.provider !== undefined) {
    // Tokens were issued under the old provider's policy (expiry, settings): moving the endpoint revokes them.
    also.push(
      db
        .prepare("DELETE FROM connection_tokens WHERE endpoint_id = ?1 AND provider_id <> ?2")
        .bind(uuid, input.provider),
    );
  }
  if (input.property_mappings !== undefined) {
    also.push(db.prepare("DELETE FROM endpoint_property_mappings WHERE endpoint_id = ?1").bind(uuid));
    if (input.property_mappings.length > 0) also.push(linkMappings(db, uuid, input.property_mappings));
  }
  const row = await updateRow<EndpointRow>(db, {
    table: "endpoints",
    key: ["uuid", uuid],
    writable: WRITABLE,
    input,
    also,
    event: modelEvent(db, "model_updated", "authentik_providers_rac.endpoint", uuid),
    readBack: selectByUuid(db, uuid),
  });
  return endpointFromRow(row);
}

/** One statement: foreign keys remove its connection tokens and mapping links. */
export async function deleteEndpoint(db: D1Database, uuid: string): Promise<void> {
  const remove = db.prepare("DELETE FROM endpoints WHERE uuid = ?1").bind(uuid);
  await db.batch([modelEvent(db, "model_deleted", "authentik_providers_rac.endpoint", uuid), remove]);
}

/**
 * Trust on first use for SSH: stores `keyLine` as the endpoint's `host-key` setting when it has none (or an
 * empty one). True when the endpoint's stored key is now this one; false when another key is stored.
 */
export async function recordHostKey(db: D1Database, uuid: string, keyLine: string): Promise<boolean> {
  const path = `'$."host-key"'`;
  const stored = await db
    .prepare(
      `UPDATE endpoints SET settings = json_set(settings, ${path}, ?2)
       WHERE uuid = ?1 AND coalesce(json_extract(settings, ${path}), '') = '' RETURNING uuid`,
    )
    .bind(uuid, keyLine)
    .first();
  if (stored !== null) return true;
  const read = `SELECT json_extract(settings, ${path}) AS key FROM endpoints WHERE uuid = ?1`;
  const current = await db.prepare(read).bind(uuid).first<{ key: unknown }>();
  return current?.key === keyLine;
}
