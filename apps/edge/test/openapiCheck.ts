/**
 * Checks an answer of the Worker against the OpenAPI document it serves at /api/v3/schema/:
 * the status must be documented for the operation, and the body must validate against its schema
 * (@cfworker/json-schema: JSON Schema 2020-12 without code generation, so it runs in workerd).
 * `call()` in helpers.ts runs this on every answer the edge suite receives.
 */

import { env, exports } from "cloudflare:workers";
import { dereference, type OutputUnit, type Schema, validate } from "@cfworker/json-schema";

const ORIGIN = "https://rac-edge.test";
const API_BASE = "/api/v3";

type Json = Record<string, any>;

interface PathMatcher {
  path: string;
  pattern: RegExp;
  params: number;
}

interface Loaded {
  document: Json;
  lookup: Record<string, Schema | boolean>;
  paths: PathMatcher[];
}

let loaded: Promise<Loaded> | undefined;

async function load(): Promise<Loaded> {
  const response = await exports.default.fetch(
    new Request(`${ORIGIN}${API_BASE}/schema/`, { headers: { authorization: `Bearer ${env.BOOTSTRAP_TOKEN}` } }),
  );
  if (response.status !== 200)
    throw new Error(`GET /api/v3/schema/ answered ${response.status}: ${await response.text()}`);
  const document = (await response.json()) as Json;
  // Indexes every subschema of the document by its JSON pointer, so `#/components/schemas/X` resolves.
  const lookup = dereference(document as Schema);
  const paths = Object.keys(document.paths)
    .map((path) => ({
      path,
      pattern: new RegExp(`^${API_BASE}${path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
      params: (path.match(/\{/g) ?? []).length,
    }))
    // Fixed segments win over parameters, as in the router.
    .sort((a, b) => a.params - b.params);
  return { document, lookup, paths };
}

/** The document the Worker serves (fetched once per test file). */
export function servedDocument(): Promise<Json> {
  loaded ??= load();
  return loaded.then(({ document }) => document);
}

/** The path as the router sees it: repeated slashes folded, a final slash added. */
function routedPath(path: string): string {
  let pathname = new URL(`${ORIGIN}${path}`).pathname.replace(/\/{2,}/g, "/");
  if (!pathname.endsWith("/")) pathname += "/";
  return pathname;
}

const describeErrors = (errors: OutputUnit[]) =>
  errors
    .filter((error) => error.keyword !== "$ref" && error.keyword !== "properties" && error.keyword !== "items")
    .map((error) => `  ${error.instanceLocation}: ${error.error} (${error.keywordLocation})`)
    .join("\n");

/**
 * Throws when the answer does not match the document. `text` is the body as received; `schema`
 * and `status` come from the documented operation. Returns the operationId of the documented
 * operation that answered, if any.
 */
export async function checkResponse(
  method: string,
  path: string,
  status: number,
  headers: Headers,
  text: string,
): Promise<string | undefined> {
  loaded ??= load();
  const { document, lookup, paths } = await loaded;
  const where = `${method} ${path} answered ${status}`;
  const fail: (reason: string) => never = (reason) => {
    throw new Error(`OpenAPI: ${where}, which the document does not allow: ${reason}\nbody: ${text.slice(0, 1000)}`);
  };
  const validateBody = (response: Json | undefined) => {
    const schema = response?.content?.["application/json"]?.schema as Schema | undefined;
    if (schema === undefined) {
      if (text !== "") fail("the document says there is no body");
      return;
    }
    if (method === "HEAD") {
      if (text !== "") fail("HEAD answered a body");
      return;
    }
    if (headers.get("content-type") !== "application/json")
      fail(`content-type is ${headers.get("content-type")}, not application/json`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      fail("the body is not JSON");
    }
    const result = validate(body, schema, "2020-12", lookup, false);
    if (!result.valid) fail(`the body does not match the schema:\n${describeErrors(result.errors)}`);
  };
  const responses = document.components.responses as Json;
  const genericError = { content: { "application/json": { schema: { $ref: "#/components/schemas/GenericError" } } } };

  const routed = routedPath(path);
  const matched = paths.find((candidate) => candidate.pattern.test(routed));
  if (matched === undefined) {
    if (status !== 404) fail(`${routed} is no documented path, so only 404 is allowed`);
    validateBody(responses.NotFound);
    return undefined;
  }
  const item = document.paths[matched.path] as Json;
  if (method === "OPTIONS") {
    if (status === 403) {
      validateBody(genericError);
      return undefined;
    }
    if (status !== 204) fail("OPTIONS answers 204 (or 403 without credentials)");
    const allowed = Object.keys(item).map((name) => name.toUpperCase());
    const allow = (headers.get("allow") ?? "").split(",").map((name) => name.trim());
    const expected = [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
    if (expected.sort().join() !== [...allow].sort().join())
      fail(`Allow is "${headers.get("allow")}", the document lists ${allowed}`);
    validateBody(undefined);
    return undefined;
  }
  const operation = item[(method === "HEAD" ? "GET" : method).toLowerCase()] as Json | undefined;
  if (operation === undefined) {
    if (status === 403) {
      validateBody(genericError);
      return undefined;
    }
    if (status !== 405)
      fail(`${matched.path} documents no ${method}, so only 405 (or 403 without credentials) is allowed`);
    validateBody(responses.MethodNotAllowed);
    return undefined;
  }
  const response = operation.responses[String(status)] as Json | undefined;
  if (response === undefined) fail(`${operation.operationId} documents ${Object.keys(operation.responses).join(", ")}`);
  validateBody(response);
  return operation.operationId as string;
}

/**
 * The caching headers every answer carries: `Vary: Authorization`, and `Cache-Control` either
 * `no-store` (answers with a secret) or `private, no-cache`.
 */
export function checkCacheHeaders(method: string, path: string, headers: Headers): void {
  const vary = (headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase());
  if (!vary.includes("authorization"))
    throw new Error(`${method} ${path}: Vary is "${headers.get("vary")}", without Authorization`);
  const cache = headers.get("cache-control");
  if (cache !== "no-store" && cache !== "private, no-cache")
    throw new Error(`${method} ${path}: Cache-Control is "${cache}"`);
}
