import {
  type PatchedRacPropertyMappingRequest,
  PatchedRacPropertyMappingRequestSchema,
  type RacPropertyMapping,
  type RacPropertyMappingRequest,
  RacPropertyMappingRequestSchema,
  RacPropertyMappingSchema,
} from "@rac-edge/core";
import { type CrudResource, crudRoutes } from "../http/crud.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteMapping,
  insertMapping,
  type MappingRow,
  mappingByKey,
  mappingFilters,
  mappingFromRow,
  mappingList,
  updateMapping,
} from "../repositories/propertyMappings.ts";
import { toStore } from "../secretSettings.ts";

const resource = (
  path: string,
): CrudResource<RacPropertyMapping, RacPropertyMappingRequest, PatchedRacPropertyMappingRequest, MappingRow> => ({
  model: "authentik_providers_rac.racpropertymapping",
  path,
  list: mappingList,
  fromRow: mappingFromRow,
  filters: filtering(mappingFilters),
  row: { table: "property_mappings", column: "uuid" },
  byKey: mappingByKey,
  createSchema: RacPropertyMappingRequestSchema,
  patchSchema: PatchedRacPropertyMappingRequestSchema,
  schema: RacPropertyMappingSchema,
  doc: {
    noun: "RAC property mapping",
    key: { name: "pm_uuid", type: "uuid", description: "The property mapping's uuid." },
    filters: [
      { name: "managed", type: "string", repeatable: true, description: "Any of the given `managed` values." },
      { name: "name", type: "string", description: "Exact name." },
    ],
    notes: {
      list: "`/propertymappings/provider/rac/` (the client's path) and `/propertymappings/rac/` (the 2024.6 tag's) serve the same objects.",
      create:
        "`expression` is stored and returned but never executed or syntax-checked (rac-edge runs no Python); only `static_settings` take effect at connect time.",
    },
  },
  create: ({ db }, input) => insertMapping(db, input),
  update: ({ db }, current, input) => {
    const stored = toStore(input, "static_settings", current.static_settings);
    return updateMapping(db, current, stored);
  },
  remove: ({ db }, current) => deleteMapping(db, current.pk),
});

/** The client's path, plus the 2024.6 tag's `/propertymappings/rac/` served by the same handlers. */
export const propertyMappingRoutes = {
  ...crudRoutes(resource("/api/v3/propertymappings/provider/rac/")),
  ...crudRoutes(resource("/api/v3/propertymappings/rac/")),
};
