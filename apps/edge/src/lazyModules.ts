/**
 * Loads the separately built modules (scripts/build-modules.mjs) on first use. The specifiers are not literals
 * on purpose: wrangler's bundler inlines literal `import()`s, while these stay separate modules
 * (`find_additional_modules` and the rules in wrangler.jsonc), so API requests never load or parse them. This
 * file sits at src/ so that the paths resolve the same in the deployed bundle (relative to the entry module)
 * and under vitest.
 */

import type * as BridgeModule from "./sessions/bridge.ts";
import type * as SshModule from "./sessions/ssh/module.ts";
import type * as VncModule from "./sessions/vnc/opener.ts";
import type * as Argon2Module from "./signin/argon2.ts";

function lazy<M>(specifier: string): () => Promise<M> {
  let loading: Promise<M> | undefined;
  return () => {
    loading ??= import(/* @vite-ignore */ specifier) as Promise<M>;
    return loading;
  };
}

export const loadSshModule = lazy<typeof SshModule>("./generated/ssh.js");
export const loadBridgeModule = lazy<typeof BridgeModule>("./generated/bridge.js");
export const loadVncModule = lazy<typeof VncModule>("./generated/vnc.js");
export const loadArgon2Module = lazy<typeof Argon2Module>("./generated/argon2.js");
/** The OpenAPI document's JSON text (scripts/build-openapi.mjs builds it from core's descriptors). */
const loadDocumentModule = lazy<{ default: string }>("./generated/openapi.js");
export const loadOpenApiDocument = async (): Promise<string> => (await loadDocumentModule()).default;
