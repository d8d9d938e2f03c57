/**
 * The OpenAPI document, generated at build time (scripts/build-openapi.mjs writes openapi.json and
 * src/generated/openapi.js from core's descriptors). A separate module loaded on the first
 * `/api/v3/schema/` request, as src/sshModule.ts: the specifier is not a literal, so wrangler does not
 * inline it and API requests never parse it. It sits at src/ so the path resolves the same deployed
 * and under vitest.
 */

const DOCUMENT_MODULE: string = "./generated/openapi.js";

let loading: Promise<string> | undefined;

/** The document's JSON text, as generated. */
export function loadOpenApiDocument(): Promise<string> {
  loading ??= (import(/* @vite-ignore */ DOCUMENT_MODULE) as Promise<{ default: string }>).then(
    (module) => module.default,
  );
  return loading;
}
