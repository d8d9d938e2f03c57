import {
  type EffectiveSettings,
  errors,
  explainSettings,
  normalizeUuid,
  operationPath,
  PROMPT_KEYS,
  RESOURCES,
} from "@rac-edge/core";
import { taggedJson } from "../http/etag.ts";
import { prefetching, type Routes } from "../http/router.ts";
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
  [operationPath(RESOURCES.endpoints, "effectiveSettings")]: {
    GET: effectiveSettings,
  },
};
