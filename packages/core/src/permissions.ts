/**
 * authentik's permission model, by codename: `<app_label>.<action>_<model>`, granted to a user
 * globally or on one object through `/rbac/permissions/assigned_by_users/{id}/assign/`.
 */
import * as v from "valibot";
import { choice, list, text } from "./fields.ts";

export const MODELS = [
  "authentik_core.user",
  "authentik_core.token",
  "authentik_core.application",
  "authentik_flows.flow",
  "authentik_outposts.outpost",
  "authentik_providers_rac.racprovider",
  "authentik_providers_rac.endpoint",
  "authentik_providers_rac.racpropertymapping",
  "authentik_providers_rac.connectiontoken",
  "authentik_events.event",
] as const;
export type ModelName = (typeof MODELS)[number];

export const ACTIONS = ["view", "add", "change", "delete"] as const;
export type Action = (typeof ACTIONS)[number];

/** Permissions beyond the four per model that authentik defines and rac-edge checks. */
const EXTRA: Record<string, ModelName> = {
  "authentik_core.view_token_key": "authentik_core.token",
  "authentik_core.assign_user_permissions": "authentik_core.user",
  "authentik_core.unassign_user_permissions": "authentik_core.user",
};

export function codename(model: ModelName, action: Action): string {
  const [app, name] = model.split(".") as [string, string];
  return `${app}.${action}_${name}`;
}

/** Every known codename, mapped to the model it applies to. */
export const CODENAMES: ReadonlyMap<string, ModelName> = new Map([
  ...MODELS.flatMap((model) => ACTIONS.map((action) => [codename(model, action), model] as const)),
  ...Object.entries(EXTRA),
]);

export const PermissionAssignSchema = v.object({
  permissions: list(text()),
  model: v.optional(v.nullable(choice(MODELS))),
  object_pk: v.optional(v.nullable(text())),
});
export type PermissionAssign = v.InferOutput<typeof PermissionAssignSchema>;

/** One item of the assign answer: the assigned permission's id, as authentik's client models it. */
export const PermissionAssignResultSchema = v.object({ id: v.string() });
export type PermissionAssignResult = v.InferOutput<typeof PermissionAssignResultSchema>;
