import {
  type PatchedRacProviderRequest,
  PatchedRacProviderRequestSchema,
  type RacProvider,
  type RacProviderRequest,
  RacProviderRequestSchema,
  RacProviderSchema,
} from "@rac-edge/core";
import { crudRoutes } from "../http/crud.ts";
import { filtering } from "../repositories/filters.ts";
import {
  deleteProvider,
  insertProvider,
  type ProviderRow,
  providerByKey,
  providerFilters,
  providerFromRow,
  providerList,
  updateProvider,
} from "../repositories/providers.ts";
import { toStore } from "../secretSettings.ts";

export const providerRoutes = crudRoutes<RacProvider, RacProviderRequest, PatchedRacProviderRequest, ProviderRow>({
  model: "authentik_providers_rac.racprovider",
  path: "/api/v3/providers/rac/",
  list: providerList,
  fromRow: providerFromRow,
  filters: filtering(providerFilters),
  row: { table: "providers", column: "id" },
  byKey: providerByKey,
  createSchema: RacProviderRequestSchema,
  patchSchema: PatchedRacProviderRequestSchema,
  schema: RacProviderSchema,
  doc: {
    noun: "RAC provider",
    key: { name: "id", type: "integer", description: "The provider's integer id." },
    filters: [
      {
        name: "application__isnull",
        type: "boolean",
        description: "`true`: providers without an application; `false`: with one.",
      },
      { name: "name__iexact", type: "string", description: "Exact name, case-insensitive." },
    ],
    notes: {
      create:
        "`connection_expiry` (default `hours=8`) is checked as described on the field; `authorization_flow` is required.",
      destroy: "Deletes its endpoints and connection tokens and unlinks its application, as in authentik.",
    },
  },
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
