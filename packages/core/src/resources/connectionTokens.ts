import type { ConnectionToken, ConnectionTokenRequest, PatchedConnectionTokenRequest } from "../connectionTokens.ts";
import { resource } from "./descriptor.ts";

/** Created only by a launch (`endpoints.operations.launch`): no create. */
export const connectionTokens = resource<ConnectionToken, ConnectionTokenRequest, PatchedConnectionTokenRequest>()({
  model: "authentik_providers_rac.connectiontoken",
  path: "rac/connection_tokens/",
  aliases: [],
  key: { name: "connection_token_uuid", kind: "uuid" },
  filters: { endpoint: { type: "uuid" }, provider: { type: "integer" }, session__user: { type: "integer" } },
  ordering: ["pk", "endpoint__name", "provider__name", "endpoint", "provider", "session__user", "expires"],
  search: true,
  standard: ["list", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: {},
});
