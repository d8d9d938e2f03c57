import {
  type Endpoint,
  type EndpointRequest,
  EndpointRequestSchema,
  EndpointSchema,
  type PatchedEndpointRequest,
  PatchedEndpointRequestSchema,
} from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import {
  deleteEndpoint,
  type EndpointRow,
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
export const endpointRoutes = crudRoutes<Endpoint, EndpointRequest, PatchedEndpointRequest, EndpointRow>({
  model: "authentik_providers_rac.endpoint",
  path: "/api/v3/rac/endpoints/",
  list: endpointList,
  fromRow: endpointFromRow,
  filters: filtering(endpointFilters),
  row: { table: "endpoints", column: "uuid" },
  byKey: endpointByKey,
  createSchema: EndpointRequestSchema,
  patchSchema: PatchedEndpointRequestSchema,
  schema: EndpointSchema,
  doc: {
    noun: "RAC endpoint",
    key: { name: "pbm_uuid", type: "uuid", description: "The endpoint's uuid." },
    filters: [
      { name: "name", type: "string", description: "Exact name." },
      { name: "provider", type: "integer", description: "The provider's id; an unknown or malformed id is a 400." },
      {
        name: "superuser_full_list",
        type: "boolean",
        description: "Accepted for authentik's clients; changes nothing here.",
      },
    ],
    notes: {
      list: "Standard RBAC filtering, correctly paginated: rac-edge has no policy engine, so this is not authentik's policy-filtered launcher list (whose pagination block disagrees with its results), and nothing is cached.",
      create: "`host` is `name`, `name:port`, `[IPv6]` or `[IPv6]:port` (authentik accepts any text and mangles IPv6).",
    },
  },
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
