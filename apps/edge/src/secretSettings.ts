import { codename, type Endpoint, maskSecrets, type RacProvider, restoreSecrets } from "@rac-edge/core";
import type { Access } from "./access.ts";

/**
 * Settings as the API shows them: secrets masked (core's maskSecrets). The shown object remembers
 * what is stored, so a write that sends the mask back can keep the stored value (`toStore`)
 * without reading the row again.
 */
const stored = new WeakMap<object, unknown>();

export function shownSettings<T>(value: T): T {
  const shown = maskSecrets(value);
  if (shown !== null && typeof shown === "object") stored.set(shown, value);
  return shown;
}

/** `input` with its `field` ready to store: masks sent back take the stored values behind `shown`. */
export function toStore<I extends object>(input: I, field: keyof I & string, shown: unknown): I {
  const sent = input[field];
  if (sent === undefined) return input;
  const held = shown !== null && typeof shown === "object" ? stored.get(shown) : undefined;
  return { ...input, [field]: restoreSecrets(sent, held) };
}

/** What a nested object shows of settings to a caller who may not view the object itself. */
const HIDDEN = {};

/** A nested provider, its settings hidden unless the caller may view the provider. */
export async function nestedProvider(access: Access, provider: RacProvider): Promise<RacProvider> {
  if (await access.has(codename("authentik_providers_rac.racprovider", "view"), provider.pk)) return provider;
  return { ...provider, settings: HIDDEN };
}

/** A nested endpoint, its settings (and its provider's) hidden from callers who may not view them. */
export async function nestedEndpoint(access: Access, endpoint: Endpoint): Promise<Endpoint> {
  const visible = await access.has(codename("authentik_providers_rac.endpoint", "view"), endpoint.pk);
  const provider = await nestedProvider(access, endpoint.provider_obj);
  return { ...endpoint, settings: visible ? endpoint.settings : HIDDEN, provider_obj: provider };
}

type Nesting = { provider_obj: RacProvider; endpoint_obj: Endpoint };

/** A connection token as this caller may see it: settings only of the objects they may view. */
export async function presentedToken<T extends Nesting>(access: Access, token: T): Promise<T> {
  const provider = await nestedProvider(access, token.provider_obj);
  return { ...token, provider_obj: provider, endpoint_obj: await nestedEndpoint(access, token.endpoint_obj) };
}
