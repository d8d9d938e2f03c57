import { type ConnectionSettings, connectionSettings } from "@rac-edge/core";
import { parseJson } from "./repositories/d1.ts";
import type { GatewayToken } from "./repositories/gateway.ts";
import { openSettings } from "./sealedSettings.ts";

/** The merged settings of a live token, prompt settings included: what gateway connect answers and a session opens. */
export async function tokenSettings(secret: string, token: GatewayToken): Promise<ConnectionSettings> {
  return connectionSettings({
    host: token.host,
    providerSettings: parseJson(token.provider_settings),
    endpointSettings: parseJson(token.endpoint_settings),
    providerMappings: token.provider_mappings,
    endpointMappings: token.endpoint_mappings,
    prompt: await openSettings(secret, token.settings),
  });
}
