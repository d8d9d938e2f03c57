import { RESOURCES } from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteProvider,
  insertProvider,
  providerByKey,
  providerFilters,
  providerFromRow,
  providerList,
  updateProvider,
} from "../repositories/providers.ts";
import { toStore } from "../secretSettings.ts";

export const providerRoutes = crudRoutes(RESOURCES.providers, {
  list: providerList,
  fromRow: providerFromRow,
  filters: filtering(providerFilters),
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
