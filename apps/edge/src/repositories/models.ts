import type { ModelName } from "@rac-edge/core";

/** Where each permission model's objects live, for object grants and used_by. */
export const MODEL_TABLES: Record<ModelName, { table: string; pk: string; integer: boolean }> = {
  "authentik_core.user": { table: "users", pk: "id", integer: true },
  "authentik_core.token": { table: "tokens", pk: "uuid", integer: false },
  "authentik_core.application": { table: "applications", pk: "uuid", integer: false },
  "authentik_flows.flow": { table: "flows", pk: "uuid", integer: false },
  "authentik_outposts.outpost": { table: "outposts", pk: "uuid", integer: false },
  "authentik_providers_rac.racprovider": { table: "providers", pk: "id", integer: true },
  "authentik_providers_rac.endpoint": { table: "endpoints", pk: "uuid", integer: false },
  "authentik_providers_rac.racpropertymapping": { table: "property_mappings", pk: "uuid", integer: false },
  "authentik_providers_rac.connectiontoken": { table: "connection_tokens", pk: "uuid", integer: false },
  "authentik_events.event": { table: "events", pk: "event_uuid", integer: false },
};
