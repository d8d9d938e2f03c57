import {
  INTERNAL_SERVICE_ACCOUNT,
  isIntegerKey,
  normalizeUuid,
  OUTPOST_USER_PATH,
  type Outpost,
  type OutpostRequest,
  outpostTokenDescription,
  outpostTokenIdentifier,
  outpostTokenManaged,
  outpostUserDisplayName,
  outpostUsername,
  type PatchedOutpostRequest,
  providerOf,
  refreshIntervalSeconds,
  type StoredProvider,
} from "@rac-edge/core";
import { randomKey, sha256Hex } from "../crypto.ts";
import { counted } from "./counts.ts";
import { parseJson, planOneRow, type ReadPlan } from "./d1.ts";
import { modelEvent } from "./events.ts";
import { exactNoCase, type FilterTable, flag } from "./filters.ts";
import type { ListSpec } from "./lists.ts";
import { condition } from "./lists.ts";
import { outcome } from "./outcomes.ts";
import { existingProviders } from "./providers.ts";
import { newUserValues } from "./users.ts";
import { asIs, asJson, updateRow, type Writable, writeBatch } from "./write.ts";

export interface OutpostRow {
  uuid: string;
  name: string;
  type: Outpost["type"];
  config: string;
  token_identifier: string;
  providers: string;
  providers_obj: string;
}

/** The outpost's providers as base Provider objects, in one correlated subquery. */
const PROVIDERS_OBJ = `(SELECT json_group_array(json(obj)) FROM (
    SELECT json_object(
      'pk', p.id, 'name', p.name,
      'authentication_flow', p.authentication_flow, 'authorization_flow', p.authorization_flow,
      'property_mappings', json((SELECT json_group_array(mapping_id) FROM (
        SELECT mapping_id FROM provider_property_mappings WHERE provider_id = p.id ORDER BY mapping_id))),
      'app_slug', pa.slug, 'app_name', pa.name) AS obj
    FROM outpost_providers op JOIN providers p ON p.id = op.provider_id
      LEFT JOIN applications pa ON pa.provider_id = p.id
    WHERE op.outpost_id = o.uuid ORDER BY p.id))`;

const COLUMNS = [
  "o.uuid",
  "o.name",
  "o.type",
  "o.config",
  "o.token_identifier",
  "(SELECT json_group_array(provider_id) FROM " +
    "(SELECT provider_id FROM outpost_providers WHERE outpost_id = o.uuid ORDER BY provider_id)) AS providers",
  `${PROVIDERS_OBJ} AS providers_obj`,
].join(", ");

export const outpostFromRow = (row: OutpostRow): Outpost => ({
  pk: row.uuid,
  name: row.name,
  type: row.type,
  providers: parseJson<number[]>(row.providers),
  providers_obj: parseJson<StoredProvider[]>(row.providers_obj).map(providerOf),
  service_connection: null,
  service_connection_obj: null,
  refresh_interval_s: refreshIntervalSeconds(parseJson(row.config) as Record<string, unknown>),
  token_identifier: row.token_identifier,
  config: parseJson(row.config),
  managed: null,
});

export const outpostList: ListSpec = {
  total: counted("outposts"),
  from: "outposts o",
  select: COLUMNS,
  pk: "o.uuid",
  ordering: { pk: "o.uuid", name: "o.name", type: "o.type" },
  defaultOrdering: [{ field: "name", descending: false }],
  // authentik searches the outpost's name and its providers' names.
  search: [
    "o.name",
    "(SELECT group_concat(p.name, ' ') FROM outpost_providers op " +
      "JOIN providers p ON p.id = op.provider_id WHERE op.outpost_id = o.uuid)",
  ],
};

const HAS_PROVIDERS = "EXISTS (SELECT 1 FROM outpost_providers op WHERE op.outpost_id = o.uuid)";
const ANY_PROVIDER = `EXISTS (SELECT 1 FROM outpost_providers op
  WHERE op.outpost_id = o.uuid AND op.provider_id IN (SELECT value FROM json_each(?)))`;

export const outpostFilters: FilterTable = {
  name__iexact: exactNoCase("o.name"),
  name__icontains: (values) => ({ where: condition("instr(lower(o.name), lower(?)) > 0", values[0]) }),
  providers__isnull: flag((isNull) => condition(isNull ? `NOT ${HAS_PROVIDERS}` : HAS_PROVIDERS)),
  // django-filter's ModelMultipleChoiceFilter: every id must exist, else a 400 naming the first bad one.
  providers_by_pk(given, db) {
    const values = given.map((value) => value.trim()).filter((value) => value !== "");
    if (values.length === 0) return undefined;
    const ids = values.filter(isIntegerKey).map(Number);
    return {
      where: ids.length > 0 ? condition(ANY_PROVIDER, JSON.stringify(ids)) : undefined,
      check: {
        statements: [existingProviders(db, ids)],
        verify([existing]) {
          const found = new Set(existing!.results.map((row) => (row as { id: number }).id));
          const bad = values.find((value) => !isIntegerKey(value)) ?? values.find((value) => !found.has(Number(value)));
          if (bad !== undefined) throw outcome({ kind: "unknownChoice", parameter: "providers_by_pk", value: bad });
        },
      },
    };
  },
};

const selectByUuid = (db: D1Database, uuid: string) =>
  db.prepare(`SELECT ${COLUMNS} FROM outposts o WHERE o.uuid = ?1`).bind(uuid);

export function outpostByKey(db: D1Database, key: string): ReadPlan<Outpost | null> {
  const uuid = normalizeUuid(key);
  return planOneRow(uuid === null ? null : selectByUuid(db, uuid), outpostFromRow);
}

const linkProviders = (db: D1Database, uuid: string, ids: number[]) =>
  db
    .prepare(
      "INSERT INTO outpost_providers (outpost_id, provider_id) " +
        "SELECT ?1, value FROM (SELECT DISTINCT value FROM json_each(?2))",
    )
    .bind(uuid, JSON.stringify(ids));

/**
 * The outpost, its service account `ak-outpost-<uuid hex>` and that account's API token
 * `ak-outpost-<uuid>-api` in one batch. The key is stored hashed, and plain in key_pending
 * until `view_key/` has shown it once.
 */
export async function insertOutpost(db: D1Database, input: OutpostRequest): Promise<Outpost> {
  const uuid = crypto.randomUUID();
  const identifier = outpostTokenIdentifier(uuid);
  const username = outpostUsername(uuid);
  const user = await newUserValues();
  const key = randomKey(60);
  const tokenUuid = crypto.randomUUID();
  const keyHash = await sha256Hex(key);
  const description = outpostTokenDescription(input.name);
  // The account and its token first: the outpost row references the token (its gateway rights).
  const statements = [
    db
      .prepare("INSERT INTO users (uuid, uid, username, name, path, type) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .bind(
        user.uuid,
        user.uid,
        username,
        outpostUserDisplayName(input.name),
        OUTPOST_USER_PATH,
        INTERNAL_SERVICE_ACCOUNT,
      ),
    db
      .prepare(
        `INSERT INTO tokens (uuid, identifier, user_id, intent, description, managed, expires, expiring,
           key_hash, key_pending)
         SELECT ?1, ?2, id, 'api', ?3, ?4, NULL, 0, ?5, ?6 FROM users WHERE username = ?7`,
      )
      .bind(tokenUuid, identifier, description, outpostTokenManaged(uuid), keyHash, key, username),
    db
      .prepare(
        `INSERT INTO outposts (uuid, name, type, config, token_identifier, token_uuid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
      )
      .bind(uuid, input.name, input.type, JSON.stringify(input.config ?? {}), identifier, tokenUuid),
    linkProviders(db, uuid, input.providers),
    modelEvent(db, "model_created", "authentik_outposts.outpost", uuid),
    selectByUuid(db, uuid),
  ];
  const results = await writeBatch<OutpostRow>(db, statements);
  return outpostFromRow(results[results.length - 1]!.results[0]!);
}

/** The outpost `?1`'s own token, by the reference the outpost row keeps. */
const OWN_TOKEN = "uuid = (SELECT token_uuid FROM outposts WHERE uuid = ?1)";
/** The outpost `?1`'s service account: the user of its own token. */
const OWN_ACCOUNT = `id = (SELECT user_id FROM tokens WHERE ${OWN_TOKEN})`;

const WRITABLE: Writable = { ...asIs("name", "type"), config: { column: "config", encode: asJson } };

/** A rename also renames the service account and the token's description, as authentik does. */
export async function updateOutpost(db: D1Database, uuid: string, input: PatchedOutpostRequest): Promise<Outpost> {
  const also: D1PreparedStatement[] = [];
  if (input.name !== undefined) {
    const description = outpostTokenDescription(input.name);
    also.push(
      db.prepare(`UPDATE users SET name = ?2 WHERE ${OWN_ACCOUNT}`).bind(uuid, outpostUserDisplayName(input.name)),
      db.prepare(`UPDATE tokens SET description = ?2 WHERE ${OWN_TOKEN}`).bind(uuid, description),
    );
  }
  if (input.providers !== undefined) {
    also.push(
      db.prepare("DELETE FROM outpost_providers WHERE outpost_id = ?1").bind(uuid),
      linkProviders(db, uuid, input.providers),
    );
  }
  const row = await updateRow<OutpostRow>(db, {
    table: "outposts",
    key: ["uuid", uuid],
    writable: WRITABLE,
    input,
    also,
    event: modelEvent(db, "model_updated", "authentik_outposts.outpost", uuid),
    readBack: selectByUuid(db, uuid),
  });
  return outpostFromRow(row);
}

/**
 * The outpost's service account (its token cascades) and the outpost in one batch (links and
 * grants cascade), found through the outpost's own reference, not by name.
 */
export async function deleteOutpost(db: D1Database, outpost: Outpost): Promise<void> {
  const account = db.prepare(`DELETE FROM users WHERE ${OWN_ACCOUNT}`).bind(outpost.pk);
  const event = modelEvent(db, "model_deleted", "authentik_outposts.outpost", outpost.pk);
  await db.batch([event, account, db.prepare("DELETE FROM outposts WHERE uuid = ?1").bind(outpost.pk)]);
}
