import * as v from "valibot";
import { boolean, duration, list, nullableRef, settingsJson, text, uuidRef } from "./fields.ts";

export const RAC_PROVIDER = {
  component: "ak-provider-rac-form",
  verbose_name: "RAC Provider",
  verbose_name_plural: "RAC Providers",
  meta_model_name: "authentik_providers_rac.racprovider",
} as const;

export const DEFAULT_CONNECTION_EXPIRY = "hours=8";

/** authentik's base `Provider` (as nested in an application's `provider_obj`). */
export const ProviderSchema = v.object({
  pk: v.number(),
  name: v.string(),
  authentication_flow: v.nullable(v.string()),
  authorization_flow: v.string(),
  property_mappings: v.array(v.string()),
  component: v.string(),
  assigned_application_slug: v.nullable(v.string()),
  assigned_application_name: v.nullable(v.string()),
  assigned_backchannel_application_slug: v.nullable(v.string()),
  assigned_backchannel_application_name: v.nullable(v.string()),
  verbose_name: v.string(),
  verbose_name_plural: v.string(),
  meta_model_name: v.string(),
});
export type Provider = v.InferOutput<typeof ProviderSchema>;

export const RacProviderSchema = v.object({
  ...ProviderSchema.entries,
  settings: v.unknown(),
  outpost_set: v.array(v.string()),
  connection_expiry: v.string(),
  delete_token_on_disconnect: v.boolean(),
});
export type RacProvider = v.InferOutput<typeof RacProviderSchema>;

export const RacProviderRequestSchema = v.object({
  name: text(),
  authorization_flow: uuidRef(),
  authentication_flow: v.optional(nullableRef(uuidRef())),
  property_mappings: v.optional(list(uuidRef())),
  settings: v.optional(settingsJson()),
  connection_expiry: v.optional(duration()),
  delete_token_on_disconnect: v.optional(boolean()),
});
export type RacProviderRequest = v.InferOutput<typeof RacProviderRequestSchema>;
export const PatchedRacProviderRequestSchema = v.partial(RacProviderRequestSchema);
export type PatchedRacProviderRequest = v.InferOutput<typeof PatchedRacProviderRequestSchema>;
