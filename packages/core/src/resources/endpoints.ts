import type { EffectiveSettings, LaunchedConnectionToken, LaunchRequest } from "../connectionTokens.ts";
import type { Endpoint, EndpointRequest, PatchedEndpointRequest } from "../endpoints.ts";
import { operation, resource } from "./descriptor.ts";

export const endpoints = resource<Endpoint, EndpointRequest, PatchedEndpointRequest>()({
  model: "authentik_providers_rac.endpoint",
  path: "rac/endpoints/",
  aliases: [],
  key: { name: "pbm_uuid", kind: "uuid" },
  filters: { name: { type: "string" }, provider: { type: "integer" }, superuser_full_list: { type: "boolean" } },
  ordering: ["pk", "name", "protocol", "host", "maximum_connections", "provider"],
  search: true,
  standard: ["list", "create", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: {
    launch: operation<LaunchRequest, LaunchedConnectionToken>("POST", ":key/launch/"),
    effectiveSettings: operation<never, EffectiveSettings>("GET", ":key/effective_settings/"),
  },
});
