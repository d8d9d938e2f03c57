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

/** A provider's stored fields as a repository reads them, with its application's slug and name (if any). */
export interface StoredProvider {
  pk: number;
  name: string;
  authentication_flow: string | null;
  authorization_flow: string;
  property_mappings: string[];
  app_slug: string | null;
  app_name: string | null;
}

/** authentik's base Provider from its stored fields: the one mapper for every place a provider is nested. */
export const providerOf = (stored: StoredProvider): Provider => ({
  pk: stored.pk,
  name: stored.name,
  authentication_flow: stored.authentication_flow,
  authorization_flow: stored.authorization_flow,
  property_mappings: stored.property_mappings,
  component: RAC_PROVIDER.component,
  assigned_application_slug: stored.app_slug,
  assigned_application_name: stored.app_name,
  assigned_backchannel_application_slug: null,
  assigned_backchannel_application_name: null,
  verbose_name: RAC_PROVIDER.verbose_name,
  verbose_name_plural: RAC_PROVIDER.verbose_name_plural,
  meta_model_name: RAC_PROVIDER.meta_model_name,
});

/** The RAC fields beyond the base ones; `settings` as the caller may see them. */
export interface StoredRacProvider extends StoredProvider {
  settings: unknown;
  outpost_set: string[];
  connection_expiry: string;
  delete_token_on_disconnect: boolean;
}

/** authentik's RACProvider from its stored fields. */
export const racProviderOf = (stored: StoredRacProvider): RacProvider => ({
  ...providerOf(stored),
  settings: stored.settings,
  outpost_set: stored.outpost_set,
  connection_expiry: stored.connection_expiry,
  delete_token_on_disconnect: stored.delete_token_on_disconnect,
});

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
