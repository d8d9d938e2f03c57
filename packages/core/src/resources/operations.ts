/** Operations outside any collection: the gateway's, RBAC's and the OpenAPI document. */
import type { GatewayConnection, GatewayDisconnection, GatewayTokenRequest } from "../connectionTokens.ts";
import type { PermissionAssign, PermissionAssignResult } from "../permissions.ts";
import { operation, resource } from "./descriptor.ts";

const none = { aliases: [], filters: {}, ordering: [], search: false, standard: [] } as const;

/** For an outpost's API token (or a superuser's). */
export const gateway = resource<never>()({
  ...none,
  model: null,
  path: "rac/gateway/",
  key: { name: "", kind: "string" },
  operations: {
    connect: operation<GatewayTokenRequest, GatewayConnection>("POST", "connect/"),
    disconnect: operation<GatewayTokenRequest, GatewayDisconnection>("POST", "disconnect/"),
  },
});

/** Grants by codename, to a user (the key), globally or on one object. */
export const rbac = resource<never>()({
  ...none,
  model: "authentik_core.user",
  path: "rbac/permissions/assigned_by_users/",
  key: { name: "id", kind: "integer" },
  operations: {
    assign: operation<PermissionAssign, PermissionAssignResult[]>("POST", ":key/assign/"),
    unassign: operation<PermissionAssign, void>("PATCH", ":key/unassign/"),
  },
});

/** The OpenAPI document. */
export const schema = resource<never>()({
  ...none,
  model: null,
  path: "schema/",
  key: { name: "", kind: "string" },
  operations: { document: operation<never, Record<string, unknown>>("GET", "") },
});
