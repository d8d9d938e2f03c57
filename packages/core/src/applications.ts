import * as v from "valibot";
import { boolean, choice, intRef, nullableRef, optionalText, text } from "./fields.ts";
import { slug } from "./flows.ts";
import { ProviderSchema } from "./providers.ts";

export const POLICY_ENGINE_MODES = ["all", "any"] as const;

export const ApplicationSchema = v.object({
  pk: v.string(),
  name: v.string(),
  slug: v.string(),
  provider: v.nullable(v.number()),
  provider_obj: v.nullable(ProviderSchema),
  backchannel_providers: v.array(v.number()),
  backchannel_providers_obj: v.array(ProviderSchema),
  launch_url: v.nullable(v.string()),
  open_in_new_tab: v.boolean(),
  meta_launch_url: v.string(),
  meta_icon: v.nullable(v.string()),
  meta_description: v.string(),
  meta_publisher: v.string(),
  policy_engine_mode: v.picklist(POLICY_ENGINE_MODES),
  group: v.string(),
});
export type Application = v.InferOutput<typeof ApplicationSchema>;

/** The launch URL of authentik's RAC provider, used when an application sets no `meta_launch_url`. */
export const RAC_LAUNCH_URL = "goauthentik.io://providers/rac/launch";

/**
 * authentik's `DomainlessFormattedURLValidator`, simplified: blank, or `<scheme>://<anything but
 * whitespace>` for its schemes (host names need no dot, `%(username)s` placeholders are allowed).
 */
const launchUrl = () =>
  v.pipe(
    optionalText(),
    v.transform((value) => value.trim()),
    v.check((value) => value === "" || /^(https?|ftps?|ssh|sftp|blank):\/\/\S+$/i.test(value), "Enter a valid URL."),
  );

export const ApplicationRequestSchema = v.object({
  name: text(),
  slug: slug(),
  provider: v.optional(nullableRef(intRef())),
  open_in_new_tab: v.optional(boolean()),
  meta_launch_url: v.optional(launchUrl()),
  meta_description: v.optional(optionalText()),
  meta_publisher: v.optional(optionalText()),
  policy_engine_mode: v.optional(choice(POLICY_ENGINE_MODES)),
  group: v.optional(optionalText()),
});
export type ApplicationRequest = v.InferOutput<typeof ApplicationRequestSchema>;
export const PatchedApplicationRequestSchema = v.partial(ApplicationRequestSchema);
export type PatchedApplicationRequest = v.InferOutput<typeof PatchedApplicationRequestSchema>;
