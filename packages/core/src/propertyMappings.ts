import * as v from "valibot";
import { optionalText, settingsDictionary, text } from "./fields.ts";

/** The client era's constants (2024.8 line; the 2024.6 tag said "RAC Property Mapping"). */
export const RAC_PROPERTY_MAPPING = {
  component: "ak-property-mapping-provider-rac-form",
  verbose_name: "RAC Provider Property Mapping",
  verbose_name_plural: "RAC Provider Property Mappings",
  meta_model_name: "authentik_providers_rac.racpropertymapping",
} as const;

export const RacPropertyMappingSchema = v.object({
  pk: v.string(),
  managed: v.nullable(v.string()),
  name: v.string(),
  expression: v.string(),
  component: v.string(),
  verbose_name: v.string(),
  verbose_name_plural: v.string(),
  meta_model_name: v.string(),
  static_settings: v.record(v.string(), v.unknown()),
});
export type RacPropertyMapping = v.InferOutput<typeof RacPropertyMappingSchema>;

/**
 * `expression` is Python in authentik; here it is stored and returned but never run or
 * syntax-checked. Only `static_settings` take effect at connect time.
 */
export const RacPropertyMappingRequestSchema = v.object({
  managed: v.optional(v.nullable(text())),
  name: text(),
  expression: v.optional(optionalText()),
  static_settings: settingsDictionary(),
});
export type RacPropertyMappingRequest = v.InferOutput<typeof RacPropertyMappingRequestSchema>;
export const PatchedRacPropertyMappingRequestSchema = v.partial(RacPropertyMappingRequestSchema);
export type PatchedRacPropertyMappingRequest = v.InferOutput<typeof PatchedRacPropertyMappingRequestSchema>;
