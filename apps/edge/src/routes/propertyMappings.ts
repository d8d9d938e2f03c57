import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteMapping,
  insertMapping,
  mappingByKey,
  mappingFilters,
  mappingFromRow,
  mappingList,
  updateMapping,
} from "../repositories/propertyMappings.ts";
import { toStore } from "../secretSettings.ts";

/** The client's path, plus the 2024.6 tag's `/propertymappings/rac/` (the descriptor's alias), served alike. */
export const propertyMappingRoutes = crudRoutes(RESOURCES.propertyMappings, {
  list: mappingList,
  fromRow: mappingFromRow,
  filters: filtering(mappingFilters),
  row: { table: "property_mappings", column: "uuid" },
  byKey: mappingByKey,
  create: ({ db }, input) => insertMapping(db, input),
  update: ({ db }, current, input) => {
    const stored = toStore(input, "static_settings", current.static_settings);
    return updateMapping(db, current, stored);
  },
  remove: ({ db }, current) => deleteMapping(db, current.pk),
});
