import {
  DEFAULT_CONNECTION_EXPIRY,
  isIntegerKey,
  type PatchedRacProviderRequest,
  type Provider,
  providerOf,
  type RacProvider,
  type RacProviderRequest,
  racProviderOf,
  type StoredProvider,
} from "@rac-edge/core";
import { shownSettings } from "../secretSettings.ts";
import { counted } from "./counts.ts";
import { parseJson, planOneRow, type ReadPlan } from "./d1.ts";
import { lastInserted, modelEvent } from "./events.ts";
import { exactNoCase, type FilterTable, flag } from "./filters.ts";
import type { ListSpec } from "./lists.ts";
import { condition } from "./lists.ts";
import { asFlag, asIs, asJson, updateRow, type Writable, writeBatch } from "./write.ts";

/**
 * A provider's columns with its application and related ids, for `p` joined as in
 * PROVIDER_FROM; `prefix` lets endpoints and tokens nest it (`provider_obj`).
 */
export const providerColumns = (prefix = "") =>
  [
    `p.id AS ${prefix}id`,
    `p.name AS ${prefix}name`,
    `p.authorization_flow AS ${prefix}authorization_flow`,
    `p.authentication_flow AS ${prefix}authentication_flow`,
    `p.settings AS ${prefix}settings`,
    `p.connection_expiry AS ${prefix}connection_expiry`,
    `p.delete_token_on_disconnect AS ${prefix}delete_token_on_disconnect`,
    `pa.slug AS ${prefix}app_slug`,
    `pa.name AS ${prefix}app_name`,
    `(SELECT json_group_array(mapping_id) FROM (SELECT mapping_id FROM provider_property_mappings
      WHERE provider_id = p.id ORDER BY mapping_id)) AS ${prefix}mappings`,
    `(SELECT json_group_array(label) FROM (SELECT 'Outpost ' || o.name AS label
      FROM outpost_providers op JOIN outposts o ON o.uuid = op.outpost_id
      WHERE op.provider_id = p.id ORDER BY o.name)) AS ${prefix}outposts`,
  ].join(", ");

/** Joins a provider's application; `p` must be the providers table. */
export const PROVIDER_APPLICATION_JOIN = "LEFT JOIN applications pa ON pa.provider_id = p.id";

/** A provider's row as providerColumns() selects it. */
export type ProviderRow = {
  id: number;
  name: string;
  authorization_flow: string;
  authentication_flow: string | null;
  settings: string;
  connection_expiry: string;
  delete_token_on_disconnect: number;
  app_slug: string | null;
  app_name: string | null;
  /** JSON arrays. */
  mappings: string;
  outposts: string;
};

/** The stored fields of a provider row of providerColumns(`prefix`). */
function storedProvider(row: Record<string, unknown>, prefix: string): StoredProvider {
  const get = <T>(column: string) => row[prefix + column] as T;
  return {
    pk: get<number>("id"),
    name: get<string>("name"),
    authentication_flow: get<string | null>("authentication_flow"),
    authorization_flow: get<string>("authorization_flow"),
    property_mappings: parseJson<string[]>(get("mappings")),
    app_slug: get<string | null>("app_slug"),
    app_name: get<string | null>("app_name"),
  };
}

/** authentik's base Provider (no RAC fields), as an application nests it. */
export const baseProviderFromRow = (row: Record<string, unknown>, prefix = ""): Provider =>
  providerOf(storedProvider(row, prefix));

/** The provider of a row; `prefix`: its columns as providerColumns(prefix) nests them in another object's row. */
export function providerFromRow(row: ProviderRow): RacProvider;
export function providerFromRow(row: Record<string, unknown>, prefix?: string): RacProvider;
export function providerFromRow(row: Record<string, unknown>, prefix = ""): RacProvider {
  const get = <T>(column: string) => row[prefix + column] as T;
  return racProviderOf({
    ...storedProvider(row, prefix),
    settings: shownSettings(parseJson(get("settings"))),
    outpost_set: parseJson<string[]>(get("outposts")),
    connection_expiry: get<string>("connection_expiry"),
    delete_token_on_disconnect: get<number>("delete_token_on_disconnect") === 1,
  });
}

const FROM = `providers p ${PROVIDER_APPLICATION_JOIN}`;

export const providerList: ListSpec = {
  total: counted("providers"),
  from: FROM,
  select: providerColumns(),
  pk: "p.id",
  ordering: {
    pk: "p.id",
    name: "p.name",
    connection_expiry: "p.connection_expiry",
    delete_token_on_disconnect: "p.delete_token_on_disconnect",
    authorization_flow: "p.authorization_flow",
    authentication_flow: "p.authentication_flow",
  },
  defaultOrdering: [{ field: "name", descending: false }],
  search: ["p.name"],
};

export const providerFilters: FilterTable = {
  application__isnull: flag((isNull) => condition(isNull ? "pa.uuid IS NULL" : "pa.uuid IS NOT NULL")),
  name__iexact: exactNoCase("p.name"),
};

const selectWhere = (where: string) => `SELECT ${providerColumns()} FROM ${FROM} WHERE ${where}`;

/** Which of these provider ids exist, as a statement for a batch (rows: `id`); the list filters' checks. */
export const existingProviders = (db: D1Database, ids: number[]): D1PreparedStatement =>
  db.prepare("SELECT id FROM providers WHERE id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(ids));

export const providerByKey = (db: D1Database, key: string): ReadPlan<RacProvider | null> =>
  planOneRow(isIntegerKey(key) ? db.prepare(selectWhere("p.id = ?1")).bind(Number(key)) : null, (row: ProviderRow) =>
    providerFromRow(row),
  );

const WRITABLE: Writable = {
  ...asIs("name", "authorization_flow", "authentication_flow", "connection_expiry"),
  settings: { column: "settings", encode: asJson },
  delete_token_on_disconnect: { column: "delete_token_on_disconnect", encode: asFlag },
};

/** Links mappings to the provider `?1` selects (its id, or its name's id). */
const linkMappings = (db: D1Database, provider: "id" | "name", key: number | string, ids: string[]) =>
  db
    .prepare(
      `INSERT INTO provider_property_mappings (provider_id, mapping_id)
       SELECT ${provider === "id" ? "?1" : "(SELECT id FROM providers WHERE name = ?1)"}, value
       FROM (SELECT DISTINCT value FROM json_each(?2))`,
    )
    .bind(key, JSON.stringify(ids));

export async function insertProvider(db: D1Database, input: RacProviderRequest): Promise<RacProvider> {
  const statements = [
    db
      .prepare(
        `INSERT INTO providers (name, authorization_flow, authentication_flow, settings, connection_expiry,
           delete_token_on_disconnect)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
      )
      .bind(
        input.name,
        input.authorization_flow,
        input.authentication_flow ?? null,
        JSON.stringify(input.settings ?? {}),
        input.connection_expiry ?? DEFAULT_CONNECTION_EXPIRY,
        input.delete_token_on_disconnect ? 1 : 0,
      ),
    modelEvent(db, "model_created", "authentik_providers_rac.racprovider", 0, lastInserted()),
  ];
  if (input.property_mappings?.length) {
    statements.push(linkMappings(db, "name", input.name, input.property_mappings));
  }
  statements.push(db.prepare(selectWhere("p.name = ?1")).bind(input.name));
  const results = await writeBatch<ProviderRow>(db, statements);
  return providerFromRow(results[results.length - 1]!.results[0]!);
}

export async function updateProvider(
  db: D1Database,
  id: number,
  input: PatchedRacProviderRequest,
): Promise<RacProvider> {
  const also: D1PreparedStatement[] = [];
  if (input.property_mappings !== undefined) {
    also.push(db.prepare("DELETE FROM provider_property_mappings WHERE provider_id = ?1").bind(id));
    if (input.property_mappings.length > 0) also.push(linkMappings(db, "id", id, input.property_mappings));
  }
  const row = await updateRow<ProviderRow>(db, {
    table: "providers",
    key: ["id", id],
    writable: WRITABLE,
    input,
    also,
    event: modelEvent(db, "model_updated", "authentik_providers_rac.racprovider", id),
    readBack: db.prepare(selectWhere("p.id = ?1")).bind(id),
  });
  return providerFromRow(row);
}

/** Cascades (foreign keys) to endpoints, connection tokens and links; unlinks the application. */
export async function deleteProvider(db: D1Database, id: number): Promise<void> {
  const remove = db.prepare("DELETE FROM providers WHERE id = ?1").bind(id);
  await db.batch([modelEvent(db, "model_deleted", "authentik_providers_rac.racprovider", id), remove]);
}
