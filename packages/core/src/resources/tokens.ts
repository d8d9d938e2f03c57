import type { PatchedTokenRequest, Token, TokenRequest, TokenView } from "../tokens.ts";
import { operation, resource } from "./descriptor.ts";

export const tokens = resource<Token, TokenRequest, PatchedTokenRequest>()({
  model: "authentik_core.token",
  path: "core/tokens/",
  aliases: [],
  key: { name: "identifier", kind: "string" },
  filters: {
    identifier: { type: "string" },
    intent: { type: "string" },
    description: { type: "string" },
    managed: { type: "string" },
    user__username: { type: "string" },
    expiring: { type: "boolean" },
  },
  ordering: ["pk", "identifier", "intent", "user", "description", "expires", "expiring", "managed"],
  search: true,
  standard: ["list", "create", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: { viewKey: operation<never, TokenView>("GET", ":key/view_key/") },
});
