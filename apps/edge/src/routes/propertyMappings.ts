import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { type Condition, condition } from "../lists.ts";
import {
  deleteMapping,
  insertMapping,
  mappingByKey,
  mappingFromRow,
  mappingList,
  updateMapping,
} from "../repositories/propertyMappings.ts";
import { toStore } from "../secretSettings.ts";

/** The client's path, plus the 2024.6 tag's `/propertymappings/rac/` (the descriptor's alias), served alike. */
export const propertyMappingRoutes = crudRoutes(RESOURCES.propertyMappings, {
  list: mappingList,
  fromRow: mappingFromRow,
  filters(url) {
    const filters: Condition[] = [];
    // Repeatable: any of the given values.
    const managed = url.searchParams.getAll("managed").filter((value) => value !== "");
    if (managed.length > 0)
      filters.push(condition("m.managed IN (SELECT value FROM json_each(?))", JSON.stringify(managed)));
    const name = url.searchParams.get("name");
    if (name !== null) filters.push(condition("m.name = ?", name));
    return filters;
  },
  row: { table: "property_mappings", column: "uuid" },
  byKey: mappingByKey,
  create: ({ db }, input) => insertMapping(db, input),
  update: ({ db }, current, input) => {
    const stored = toStore(input, "static_settings", current.static_settings);
    return updateMapping(db, current, stored);
  },
  remove: ({ db }, current) => deleteMapping(db, current.pk),
});
