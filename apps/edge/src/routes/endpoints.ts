import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import {
  deleteEndpoint,
  endpointByKey,
  endpointFilters,
  endpointFromRow,
  endpointList,
  insertEndpoint,
  updateEndpoint,
} from "../repositories/endpoints.ts";
import { filtering } from "../repositories/filters.ts";
import { nestedProvider, toStore } from "../secretSettings.ts";

/**
 * Standard RBAC on every route, list included: rac-edge has no policy engine, so the list is not
 * authentik's policy-filtered launcher list, and `superuser_full_list` (accepted) changes nothing.
 */
export const endpointRoutes = crudRoutes(RESOURCES.endpoints, {
  list: endpointList,
  fromRow: endpointFromRow,
  filters: filtering(endpointFilters),
  row: { table: "endpoints", column: "uuid" },
  byKey: endpointByKey,
  refs: (input) => [
    { field: "provider", table: "providers", column: "id", ids: input.provider === undefined ? [] : [input.provider] },
    { field: "property_mappings", table: "property_mappings", column: "uuid", ids: input.property_mappings ?? [] },
  ],
  present: async ({ access }, endpoint) => {
    const provider = await nestedProvider(access, endpoint.provider_obj);
    return { ...endpoint, provider_obj: provider };
  },
  create: ({ db }, input) => insertEndpoint(db, input),
  update: ({ db }, current, input) => updateEndpoint(db, current.pk, toStore(input, "settings", current.settings)),
  remove: ({ db }, current) => deleteEndpoint(db, current.pk),
});
