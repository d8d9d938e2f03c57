import { queryBoolean, RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { type Condition, condition } from "../lists.ts";
import {
  deleteProvider,
  insertProvider,
  providerByKey,
  providerFromRow,
  providerList,
  updateProvider,
} from "../repositories/providers.ts";
import { toStore } from "../secretSettings.ts";

export const providerRoutes = crudRoutes(RESOURCES.providers, {
  list: providerList,
  fromRow: providerFromRow,
  filters(url) {
    const filters: Condition[] = [];
    const hasApplication = queryBoolean(url.searchParams.get("application__isnull"));
    if (hasApplication !== null) filters.push(condition(hasApplication ? "pa.uuid IS NULL" : "pa.uuid IS NOT NULL"));
    const name = url.searchParams.get("name__iexact");
    if (name !== null) filters.push(condition("p.name = ? COLLATE NOCASE", name));
    return filters;
  },
  row: { table: "providers", column: "id" },
  byKey: providerByKey,
  refs: (input) => [
    {
      field: "authorization_flow",
      table: "flows",
      column: "uuid",
      ids: input.authorization_flow ? [input.authorization_flow] : [],
    },
    {
      field: "authentication_flow",
      table: "flows",
      column: "uuid",
      ids: input.authentication_flow ? [input.authentication_flow] : [],
    },
    { field: "property_mappings", table: "property_mappings", column: "uuid", ids: input.property_mappings ?? [] },
  ],
  create: ({ db }, input) => insertProvider(db, input),
  update: ({ db }, current, input) => updateProvider(db, current.pk, toStore(input, "settings", current.settings)),
  remove: ({ db }, current) => deleteProvider(db, current.pk),
});
