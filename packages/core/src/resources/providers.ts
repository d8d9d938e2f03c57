import type { PatchedRacProviderRequest, RacProvider, RacProviderRequest } from "../providers.ts";
import { resource } from "./descriptor.ts";

export const providers = resource<RacProvider, RacProviderRequest, PatchedRacProviderRequest>()({
  model: "authentik_providers_rac.racprovider",
  path: "providers/rac/",
  aliases: [],
  key: { name: "id", kind: "integer" },
  filters: { application__isnull: { type: "boolean" }, name__iexact: { type: "string" } },
  ordering: [
    "pk",
    "name",
    "connection_expiry",
    "delete_token_on_disconnect",
    "authorization_flow",
    "authentication_flow",
  ],
  search: true,
  standard: ["list", "create", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: {},
});
