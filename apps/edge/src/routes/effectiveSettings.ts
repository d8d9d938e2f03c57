import {
  type EffectiveSettings,
  EffectiveSettingsSchema,
  errors,
  explainSettings,
  normalizeUuid,
  PROMPT_KEYS,
} from "@rac-edge/core";
import { taggedJson } from "../http/etag.ts";
import { prefetching, type Routes } from "../http/router.ts";
import { documented } from "../openapi/operation.ts";
import { endpointSettingsSources } from "../repositories/gateway.ts";

/**
 * What a connection to the endpoint would use now, explained: core's merge with each key's source.
 * The prompt layer exists only per launch, so the answer lists which keys a prompt would set instead.
 */
const effectiveSettings = prefetching(
  ({ db, params }) => endpointSettingsSources(db, normalizeUuid(params.key!)),
  async (context, found) => {
    const sources = found();
    if (sources === null) throw errors.notFound();
    await context.access.requireVisible("authentik_providers_rac.endpoint", sources.uuid);
    const settings = explainSettings({
      host: sources.host,
      providerSettings: sources.provider_settings,
      endpointSettings: sources.endpoint_settings,
      providerMappings: sources.provider_mappings,
      endpointMappings: sources.endpoint_mappings,
    });
    const prompt = sources.auth_mode === "prompt" ? [...PROMPT_KEYS] : [];
    const body: EffectiveSettings = {
      endpoint: sources.uuid,
      protocol: sources.protocol,
      auth_mode: sources.auth_mode,
      settings,
      prompt,
    };
    return taggedJson(context.request, body);
  },
);

export const effectiveSettingsRoutes: Routes = {
  "/api/v3/rac/endpoints/:key/effective_settings/": {
    GET: documented(
      {
        summary: "The settings a connection to an endpoint would use, explained",
        description:
          "An extension. Needs view permission on the endpoint (as retrieving it). Each Guacamole setting the data plane would open a connection with now, with its value as text (secrets masked as `********`) and its source: `default` (host, port, client name), `provider`, `endpoint`, or `mapping:<name>` (the last layer that set the key wins, as in the merge). A launch's prompt values exist only per connection token: for a `prompt` endpoint, `prompt` lists the keys a launch would set over these.",
        path: { key: { name: "pbm_uuid", type: "uuid", description: "The endpoint's uuid." } },
        success: {
          status: 200,
          description: "The effective settings with their sources.",
          schema: EffectiveSettingsSchema,
        },
        errors: { 404: "No such endpoint, or the caller may not view it." },
        conditional: "read",
      },
      effectiveSettings,
    ),
  },
};
