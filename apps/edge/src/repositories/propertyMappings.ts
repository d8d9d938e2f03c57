import {
  normalizeUuid,
  type PatchedRacPropertyMappingRequest,
  RAC_PROPERTY_MAPPING,
  type RacPropertyMapping,
  type RacPropertyMappingRequest,
} from "@rac-edge/core";
import { shownSettings } from "../secretSettings.ts";
import { counted } from "./counts.ts";
import { parseJson, planOneRow, type ReadPlan } from "./d1.ts";
import { modelEvent } from "./events.ts";
import { exact, type FilterTable } from "./filters.ts";
import type { ListSpec } from "./lists.ts";
import { condition } from "./lists.ts";
import { outcome } from "./outcomes.ts";
import { asIs, asJson, updateRow, type Writable, writeBatch } from "./write.ts";

export interface MappingRow {
  uuid: string;
  managed: string | null;
  name: string;
  expression: string;
  static_settings: string;
}

const COLUMNS = "m.uuid, m.managed, m.name, m.expression, m.static_settings";

export const mappingFromRow = (row: MappingRow): RacPropertyMapping => ({
  pk: row.uuid,
  managed: row.managed,
  name: row.name,
  expression: row.expression,
  ...RAC_PROPERTY_MAPPING,
  static_settings: shownSettings(parseJson(row.static_settings)),
});

export const mappingList: ListSpec = {
  total: counted("property_mappings"),
  from: "property_mappings m",
  select: COLUMNS,
  pk: "m.uuid",
  ordering: { pk: "m.uuid", name: "m.name", managed: "m.managed", expression: "m.expression" },
  defaultOrdering: [{ field: "name", descending: false }],
  search: ["m.name"],
};

export const mappingFilters: FilterTable = {
  // Repeatable: any of the given values.
  managed(values) {
    const managed = values.filter((value) => value !== "");
    if (managed.length === 0) return undefined;
    return { where: condition("m.managed IN (SELECT value FROM json_each(?))", JSON.stringify(managed)) };
  },
  name: exact("m.name"),
};

const selectByUuid = (db: D1Database, uuid: string) =>
  db.prepare(`SELECT ${COLUMNS} FROM property_mappings m WHERE m.uuid = ?1`).bind(uuid);

export function mappingByKey(db: D1Database, key: string): ReadPlan<RacPropertyMapping | null> {
  const uuid = normalizeUuid(key);
  return planOneRow(uuid === null ? null : selectByUuid(db, uuid), mappingFromRow);
}

/**
 * authentik reports every taken unique field at once, so both are checked in one query before
 * writing; the UNIQUE constraints still guard against a concurrent writer (taken()).
 */
async function requireUnique(
  db: D1Database,
  input: PatchedRacPropertyMappingRequest,
  self: string | null,
): Promise<void> {
  const name = input.name ?? null;
  const managed = input.managed ?? null;
  if (name === null && managed === null) return;
  const row = await db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM property_mappings WHERE name = ?1 AND uuid IS NOT ?3) AS name_taken,
              EXISTS (SELECT 1 FROM property_mappings WHERE managed = ?2 AND uuid IS NOT ?3) AS managed_taken`,
    )
    .bind(name, managed, self)
    .first<{ name_taken: number; managed_taken: number }>();
  const columns: string[] = [];
  if (row?.name_taken) columns.push("property_mappings.name");
  if (row?.managed_taken) columns.push("property_mappings.managed");
  if (columns.length > 0) throw outcome({ kind: "taken", columns });
}

export async function insertMapping(db: D1Database, input: RacPropertyMappingRequest): Promise<RacPropertyMapping> {
  await requireUnique(db, input, null);
  const uuid = crypto.randomUUID();
  const [inserted] = await writeBatch<MappingRow>(db, [
    db
      .prepare(
        `INSERT INTO property_mappings (uuid, name, managed, expression, static_settings) VALUES (?1, ?2, ?3, ?4, ?5)
           RETURNING uuid, managed, name, expression, static_settings`,
      )
      .bind(uuid, input.name, input.managed ?? null, input.expression ?? "", JSON.stringify(input.static_settings)),
    modelEvent(db, "model_created", "authentik_providers_rac.racpropertymapping", uuid),
  ]);
  return mappingFromRow(inserted!.results[0]!);
}

const WRITABLE: Writable = {
  ...asIs("name", "managed", "expression"),
  static_settings: { column: "static_settings", encode: asJson },
};

export async function updateMapping(
  db: D1Database,
  current: RacPropertyMapping,
  input: PatchedRacPropertyMappingRequest,
): Promise<RacPropertyMapping> {
  await requireUnique(db, input, current.pk);
  const row = await updateRow<MappingRow>(db, {
    table: "property_mappings",
    key: ["uuid", current.pk],
    writable: WRITABLE,
    input,
    event: modelEvent(db, "model_updated", "authentik_providers_rac.racpropertymapping", current.pk),
    readBack: selectByUuid(db, current.pk),
  });
  return mappingFromRow(row);
}

/** One statement: foreign keys unlink it from every provider and endpoint. */
export async function deleteMapping(db: D1Database, uuid: string): Promise<void> {
  await db.batch([
    modelEvent(db, "model_deleted", "authentik_providers_rac.racpropertymapping", uuid),
    db.prepare("DELETE FROM property_mappings WHERE uuid = ?1").bind(uuid),
  ]);
}
