import * as v from "valibot";
import { choice, int32, intRef, list, settingsJson, text, uuidRef } from "./fields.ts";
import { HOST_FORMAT_MESSAGE, parseHost } from "./host.ts";
import { RacProviderSchema } from "./providers.ts";

export const PROTOCOLS = ["rdp", "vnc", "ssh"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Accepted and returned; it changes nothing at connect time, as in authentik. */
export const AUTH_MODES = ["static", "prompt"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const DEFAULT_MAXIMUM_CONNECTIONS = 1;

export const RAC_ENDPOINT = {
  verbose_name: "RAC Endpoint",
  verbose_name_plural: "RAC Endpoints",
} as const;

/** authentik's `Endpoint`; `provider_obj` is the full RAC provider. */
export const EndpointSchema = v.object({
  pk: v.string(),
  name: v.string(),
  provider: v.number(),
  provider_obj: RacProviderSchema,
  protocol: v.picklist(PROTOCOLS),
  host: v.string(),
  settings: v.unknown(),
  property_mappings: v.array(v.string()),
  auth_mode: v.picklist(AUTH_MODES),
  launch_url: v.nullable(v.string()),
  maximum_connections: v.number(),
});
export type Endpoint = v.InferOutput<typeof EndpointSchema>;

/** `host` as `name`, `name:port`, `[IPv6]` or `[IPv6]:port`, stored trimmed. */
export const host = () =>
  v.pipe(
    text(),
    v.check((value) => parseHost(value) !== null, HOST_FORMAT_MESSAGE),
  );

export const EndpointRequestSchema = v.object({
  name: text(),
  provider: intRef(),
  protocol: choice(PROTOCOLS),
  host: host(),
  settings: v.optional(settingsJson()),
  property_mappings: v.optional(list(uuidRef())),
  auth_mode: choice(AUTH_MODES),
  maximum_connections: v.optional(int32()),
});
export type EndpointRequest = v.InferOutput<typeof EndpointRequestSchema>;
export const PatchedEndpointRequestSchema = v.partial(EndpointRequestSchema);
export type PatchedEndpointRequest = v.InferOutput<typeof PatchedEndpointRequestSchema>;

/** authentik's launch URL of an endpoint, relative; null when the provider has no application. */
export const endpointLaunchUrl = (applicationSlug: string | null, pk: string): string | null =>
  applicationSlug === null ? null : `/application/rac/${applicationSlug}/${pk}/`;
