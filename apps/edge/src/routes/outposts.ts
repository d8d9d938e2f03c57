import { errors, filterChoiceMessage, queryBoolean, RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { type Condition, condition } from "../lists.ts";
import {
  deleteOutpost,
  insertOutpost,
  outpostByKey,
  outpostFromRow,
  outpostList,
  updateOutpost,
} from "../repositories/outposts.ts";
import { existingProviders } from "../repositories/providers.ts";

const HAS_PROVIDERS = "EXISTS (SELECT 1 FROM outpost_providers op WHERE op.outpost_id = o.uuid)";

/** The `providers_by_pk` values, and those of them that are well-formed ids. */
function providersByPk(url: URL): { values: string[]; ids: number[] } {
  const values = url.searchParams
    .getAll("providers_by_pk")
    .map((value) => value.trim())
    .filter((value) => value !== "");
  return { values, ids: values.filter((value) => /^\d{1,15}$/.test(value)).map(Number) };
}

export const outpostRoutes = crudRoutes(RESOURCES.outposts, {
  list: outpostList,
  fromRow: outpostFromRow,
  filters(url) {
    const params = url.searchParams;
    const filters: Condition[] = [];
    const exact = params.get("name__iexact");
    if (exact !== null) filters.push(condition("o.name = ? COLLATE NOCASE", exact));
    const contains = params.get("name__icontains");
    if (contains !== null) filters.push(condition("instr(lower(o.name), lower(?)) > 0", contains));
    const isNull = queryBoolean(params.get("providers__isnull"));
    if (isNull !== null) filters.push(condition(isNull ? `NOT ${HAS_PROVIDERS}` : HAS_PROVIDERS));
    const { ids } = providersByPk(url);
    if (ids.length > 0) {
      filters.push(
        condition(
          "EXISTS (SELECT 1 FROM outpost_providers op WHERE op.outpost_id = o.uuid AND op.provider_id IN (SELECT value FROM json_each(?)))",
          JSON.stringify(ids),
        ),
      );
    }
    return filters;
  },
  precheck(url, db) {
    // django-filter's ModelMultipleChoiceFilter: every id must exist, else a 400 naming the first bad one.
    const { values, ids } = providersByPk(url);
    return {
      statements: values.length > 0 ? [existingProviders(db, ids)] : [],
      verify(results) {
        if (values.length === 0) return;
        const found = new Set(results[0]!.results.map((row) => (row as { id: number }).id));
        const bad =
          values.find((value) => !/^\d{1,15}$/.test(value)) ?? values.find((value) => !found.has(Number(value)));
        if (bad !== undefined) throw errors.field("providers_by_pk", filterChoiceMessage(bad));
      },
    };
  },
  row: { table: "outposts", column: "uuid" },
  byKey: outpostByKey,
  refs: (input) => [{ field: "providers", table: "providers", column: "id", ids: input.providers ?? [] }],
  create: ({ db }, input) => insertOutpost(db, input),
  update: ({ db }, current, input) => updateOutpost(db, current.pk, input),
  remove: ({ db }, current) => deleteOutpost(db, current),
});
