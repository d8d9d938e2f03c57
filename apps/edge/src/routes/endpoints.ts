import { errors, MESSAGES, RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { type Condition, condition } from "../lists.ts";
import { counted } from "../repositories/counts.ts";
import {
  deleteEndpoint,
  endpointByKey,
  endpointFromRow,
  endpointList,
  insertEndpoint,
  updateEndpoint,
} from "../repositories/endpoints.ts";
import { existingProviders } from "../repositories/providers.ts";
import { nestedProvider, toStore } from "../secretSettings.ts";

/** The `provider` filter: undefined when absent or empty, null when malformed. */
function providerFilter(url: URL): number | null | undefined {
  const provider = url.searchParams.get("provider")?.trim() ?? "";
  if (provider === "") return undefined;
  return /^\d{1,15}$/.test(provider) ? Number(provider) : null;
}

/**
 * Standard RBAC on every route, list included: rac-edge has no policy engine, so the list is not
 * authentik's policy-filtered launcher list, and `superuser_full_list` (accepted) changes nothing.
 */
export const endpointRoutes = crudRoutes(RESOURCES.endpoints, {
  list: endpointList,
  fromRow: endpointFromRow,
  filters(url) {
    const filters: Condition[] = [];
    const name = url.searchParams.get("name");
    if (name !== null) filters.push(condition("e.name = ?", name));
    const provider = providerFilter(url);
    if (typeof provider === "number") filters.push(condition("e.provider_id = ?", provider));
    return filters;
  },
  count(url) {
    const provider = providerFilter(url);
    if (url.searchParams.get("name") !== null || typeof provider !== "number") return undefined;
    return counted("endpoints", "provider_id", provider);
  },
  precheck(url, db) {
    // django-filter's ModelChoiceFilter: an unknown or malformed id is a 400, not an empty list.
    const provider = providerFilter(url);
    return {
      statements: typeof provider === "number" ? [existingProviders(db, [provider])] : [],
      verify(results) {
        if (provider === null || (provider !== undefined && results[0]!.results.length === 0))
          throw errors.field("provider", MESSAGES.filterChoice);
      },
    };
  },
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
