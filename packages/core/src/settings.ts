/**
 * The Guacamole parameters of a connection, computed at connect time from the current rows.
 * Layers, each later one winning: defaults (`hostname`, `port`, `client-name`), the provider's
 * settings, the endpoint's settings, the provider's RAC mappings by name, the endpoint's RAC
 * mappings by name, then the launch's prompt settings (username/password).
 *
 * Merge rules: objects merge key by key, recursively; lists append; any other value replaces the
 * earlier one; `null` removes the key (JSON Merge Patch); a layer that is not an object is ignored.
 * Every top-level value then becomes a string: strings as they are, booleans `"true"`/`"false"`,
 * numbers as JavaScript prints them (`6`, `1.5`), objects and lists as their merged JSON text
 * (`[1,2]`, `{"a":"b"}`).
 */
import { parseHost } from "./host.ts";
import { maskSecrets } from "./secrets.ts";

export type ConnectionSettings = Record<string, string>;
type JsonObject = Record<string, unknown>;

/** A RAC property mapping as far as the merge is concerned. */
export interface SettingsMapping {
  name: string;
  static_settings: unknown;
}

export interface SettingsSources {
  /** The endpoint's `host`. */
  host: string;
  providerSettings: unknown;
  endpointSettings: unknown;
  providerMappings: readonly SettingsMapping[];
  endpointMappings: readonly SettingsMapping[];
  /** What the launch prompted for (prompt auth mode), or nothing. */
  prompt?: unknown;
}

export const DEFAULT_CLIENT_NAME = "authentik";

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * `hostname` and `port` from a host. Accepted hosts (`name`, `name:port`, `[v6]`, `[v6]:port`)
 * split properly; a host stored before validation falls back to authentik's split at the single
 * colon (`host:` gives an empty port), and anything else is passed through as the hostname.
 */
export function hostSettings(host: string): ConnectionSettings {
  const parsed = parseHost(host);
  if (parsed !== null)
    return parsed.port === null
      ? { hostname: parsed.hostname }
      : { hostname: parsed.hostname, port: String(parsed.port) };
  const trimmed = host.trim();
  const parts = trimmed.split(":");
  if (parts.length === 2) return { hostname: parts[0]!, port: parts[1]! };
  return { hostname: trimmed };
}

export const defaultSettings = (host: string): ConnectionSettings => ({
  ...hostSettings(host),
  "client-name": DEFAULT_CLIENT_NAME,
});

function mergeValue(earlier: unknown, later: unknown): unknown {
  if (isObject(earlier) && isObject(later)) return mergeObjects(earlier, later);
  if (Array.isArray(earlier) && Array.isArray(later)) return [...earlier, ...later];
  return later;
}

/** Own data properties only, so a `__proto__` key stays an ordinary key. */
const define = (target: JsonObject, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

function mergeObjects(earlier: JsonObject, later: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(earlier)) define(out, key, value);
  for (const [key, value] of Object.entries(later)) {
    if (value === null) Reflect.deleteProperty(out, key);
    else define(out, key, Object.hasOwn(out, key) ? mergeValue(out[key], value) : value);
  }
  return out;
}

/** Deep-merges the object layers in order; non-object layers are skipped. */
export function mergeSettings(...layers: readonly unknown[]): JsonObject {
  let merged: JsonObject = {};
  for (const layer of layers) if (isObject(layer)) merged = mergeObjects(merged, layer);
  return merged;
}

/** Where a setting's value comes from: the last layer that set (or merged into) its key. */
export type SettingSource = "default" | "provider" | "endpoint" | `mapping:${string}` | "prompt";

/** A layer of the merge with its name, for `mergeSettingsExplained`. */
export interface NamedLayer {
  source: SettingSource;
  value: unknown;
}

/**
 * The same merge as mergeSettings, with each top-level key's source: the last layer that gave it
 * a value (a `null` removes the key and its source). Keys merged from several layers (objects,
 * lists) name the last of them.
 */
export function mergeSettingsExplained(layers: readonly NamedLayer[]): {
  merged: JsonObject;
  sources: Record<string, SettingSource>;
} {
  let merged: JsonObject = {};
  const sources: Record<string, SettingSource> = {};
  for (const layer of layers) {
    if (!isObject(layer.value)) continue;
    merged = mergeObjects(merged, layer.value);
    for (const [key, value] of Object.entries(layer.value)) {
      if (value === null) Reflect.deleteProperty(sources, key);
      else define(sources, key, layer.source);
    }
  }
  return { merged, sources };
}

/** One Guacamole parameter value as text. */
export function settingText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  return JSON.stringify(value);
}

export function stringifySettings(merged: JsonObject): ConnectionSettings {
  const out: ConnectionSettings = {};
  for (const [key, value] of Object.entries(merged)) define(out, key, settingText(value));
  return out;
}

const byName = (mappings: readonly SettingsMapping[]) =>
  [...mappings].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** The layers of a connection's settings, in merge order, each with its source. */
export function settingsLayers(sources: SettingsSources): NamedLayer[] {
  const mapped = (mappings: readonly SettingsMapping[]): NamedLayer[] =>
    byName(mappings).map((mapping) => ({ source: `mapping:${mapping.name}`, value: mapping.static_settings }));
  return [
    { source: "default", value: defaultSettings(sources.host) },
    { source: "provider", value: sources.providerSettings },
    { source: "endpoint", value: sources.endpointSettings },
    ...mapped(sources.providerMappings),
    ...mapped(sources.endpointMappings),
    { source: "prompt", value: sources.prompt },
  ];
}

/** The settings a gateway opens the connection with. */
export function connectionSettings(sources: SettingsSources): ConnectionSettings {
  return stringifySettings(mergeSettings(...settingsLayers(sources).map((layer) => layer.value)));
}

/** A setting as explained to an operator: its text (secrets masked) and where it comes from. */
export interface ExplainedSetting {
  value: string;
  source: SettingSource;
}

/** The settings a gateway would open the connection with, each with its source, secrets masked. */
export function explainSettings(sources: SettingsSources): Record<string, ExplainedSetting> {
  const { merged, sources: origin } = mergeSettingsExplained(settingsLayers(sources));
  const shown = stringifySettings(maskSecrets(merged));
  const out: Record<string, ExplainedSetting> = {};
  for (const [key, value] of Object.entries(shown)) define(out, key, { value, source: origin[key]! });
  return out;
}
