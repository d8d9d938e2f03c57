/**
 * The OpenAPI 3.1 document, generated from core's resource descriptors, their prose and their valibot
 * schemas: nothing in it is written by hand but prose. Built at build time (scripts/build-openapi.mjs).
 */
import { RESOURCES, type ResourceName } from "@rac-edge/core";
import { GenericErrorSchema, REQUEST_NAMES, RESPONSE_NAMES, ValidationErrorSchema } from "./names.ts";
import { API_DESCRIPTION, FIELD_NOTES } from "./notes.ts";
import type { OperationDoc, ParamDoc } from "./operation.ts";
import { resourceOperations } from "./resources.ts";
import { ResponseSchemas, requestJsonSchema } from "./schemas.ts";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

type Json = Record<string, unknown>;

/** The prefix of every route; the document's server. */
export const API_BASE = "/api/v3";
/** The authentik version whose client shapes rac-edge serves. */
export const API_VERSION = "2024.6.4";

const METHODS: readonly Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const PARAM_TYPES: Record<ParamDoc["type"], Json> = {
  string: { type: "string" },
  integer: { type: "integer" },
  number: { type: "number" },
  boolean: { type: "boolean" },
  uuid: { type: "string", format: "uuid" },
};

function parameter(param: ParamDoc, name: string, location: "path" | "query"): Json {
  const base = param.enum ? { type: "string", enum: [...param.enum] } : PARAM_TYPES[param.type];
  const schema = param.repeatable ? { type: "array", items: base } : base;
  return {
    name,
    in: location,
    required: location === "path",
    description: param.description,
    schema,
    ...(param.repeatable ? { style: "form", explode: true } : {}),
  };
}

/** `/api/v3/rac/endpoints/:key/` -> `/rac/endpoints/{pbm_uuid}/`, with its path parameters. */
function documentPath(route: string, doc: OperationDoc): { path: string; params: Json[] } {
  if (!route.startsWith(`${API_BASE}/`)) throw new Error(`route ${route} is outside ${API_BASE}/`);
  const params: Json[] = [];
  const path = route.slice(API_BASE.length).replace(/:(\w+)/g, (_, name: string) => {
    const param = doc.path?.[name];
    if (param === undefined) throw new Error(`${route}: the document names no path parameter "${name}"`);
    const documented = param.name ?? name;
    params.push(parameter(param, documented, "path"));
    return `{${documented}}`;
  });
  return { path, params };
}

/** drf-spectacular's operation ids: the path's fixed segments, then the action. */
function operationId(path: string, method: Method, doc: OperationDoc): string {
  if (doc.operationId) return doc.operationId;
  const segments = path.split("/").filter((segment) => segment !== "" && !segment.startsWith("{"));
  const action =
    method === "GET"
      ? doc.success.shape === "page" || doc.success.shape === "array"
        ? "list"
        : "retrieve"
      : { POST: "create", PUT: "update", PATCH: "partial_update", DELETE: "destroy" }[method];
  return [...segments, action].join("_").replaceAll("-", "_");
}

const json = (schema: Json) => ({ "application/json": { schema } });

const ERROR_STATUS_TEXT: Record<number, string> = {
  400: "Invalid input.",
  403: "Missing or invalid credentials, or no permission (authentik's texts).",
  404: "Not found.",
  409: "Conflict.",
  410: "Gone.",
  412:
    "`If-Match` names no current representation: the object changed since it was read (or meanwhile); " +
    "nothing was changed.",
  422:
    "This `Idempotency-Key` was already used by this caller for a different request (method, path or body) " +
    "in the last 24 hours.",
  413: "The body is over 1 MiB.",
  415: "The body is not JSON.",
  429: "Too many failed authentications from this address: `Request was throttled. Expected available in N seconds.`",
  500: "An unexpected fault: `A server error occurred.`; the cause is logged, never answered.",
  503: "The deployment is misconfigured (an invalid `BOOTSTRAP_TOKEN`); the detail says what to fix.",
};

const ETAG_HEADER = {
  ETag: {
    description: "A strong entity tag of this representation as this caller receives it.",
    schema: { type: "string" },
  },
};

const CONDITIONAL_HEADERS: Record<NonNullable<OperationDoc["conditional"]>, Json> = {
  read: {
    name: "If-None-Match",
    in: "header",
    required: false,
    description: "ETags the client holds: when one is current, the answer is 304 without a body.",
    schema: { type: "string" },
  },
  write: {
    name: "If-Match",
    in: "header",
    required: false,
    description:
      "Apply only if the object's current ETag is listed (or `*`); otherwise, or if it changes meanwhile, 412.",
    schema: { type: "string" },
  },
  idempotent: {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "A client-chosen key: a retry with the same key and body within 24 hours answers the first answer again " +
      "without writing.",
    schema: { type: "string", minLength: 1, maxLength: 255 },
  },
};

/** What a conditional operation adds to its responses: the ETag header, 304 or 412/422. */
function addConditional(responses: Json, doc: OperationDoc, genericError: Json): void {
  const success = responses[doc.success.status] as Json;
  if (doc.conditional !== "idempotent" && doc.success.status !== 204) success.headers = ETAG_HEADER;
  if (doc.conditional === "read") {
    responses[304] = { description: "The client's copy (If-None-Match) is current; no body.", headers: ETAG_HEADER };
  }
  const status = doc.conditional === "write" ? 412 : doc.conditional === "idempotent" ? 422 : undefined;
  if (status !== undefined)
    responses[status] = { description: ERROR_STATUS_TEXT[status]!, content: json(genericError) };
}

function operation(
  route: string,
  method: Method,
  doc: OperationDoc,
  schemas: ResponseSchemas,
  requests: (schema: OperationDoc["body"]) => Json,
): Json {
  const { path, params } = documentPath(route, doc);
  const { success } = doc;
  const body =
    success.schema === undefined
      ? undefined
      : success.shape === "page"
        ? schemas.page(success.schema)
        : schemas.ref(success.schema);
  const successBody = body !== undefined && success.shape === "array" ? { type: "array", items: body } : body;
  const always = { ...(doc.public ? {} : { 403: undefined, 429: undefined }), 500: undefined, 503: undefined };
  const errors: Record<number, string | undefined> = { ...always, ...doc.errors };
  if (doc.body) Object.assign(errors, { 400: doc.errors?.[400], 413: undefined, 415: undefined });
  const genericError = schemas.ref(GenericErrorSchema);
  const responses: Json = {
    [success.status]: { description: success.description, ...(successBody ? { content: json(successBody) } : {}) },
  };
  for (const status of Object.keys(errors).map(Number).sort()) {
    const when = errors[status];
    const schema = status === 400 ? { oneOf: [schemas.ref(ValidationErrorSchema), genericError] } : genericError;
    responses[status] = { description: when ?? ERROR_STATUS_TEXT[status]!, content: json(schema) };
  }
  if (doc.conditional) addConditional(responses, doc, genericError);
  const headers = doc.conditional ? [CONDITIONAL_HEADERS[doc.conditional]] : [];
  const parameters = [
    ...params,
    ...(doc.query ?? []).map((param) => parameter(param, param.name!, "query")),
    ...headers,
  ];
  return {
    operationId: operationId(path, method, doc),
    tags: [path.split("/")[1]!],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.public ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: doc.body.required,
            ...(doc.body.description ? { description: doc.body.description } : {}),
            content: json(requests(doc.body)),
          },
        }
      : {}),
    responses,
  };
}

function addFieldNotes(components: Record<string, Json>): void {
  for (const [name, notes] of Object.entries(FIELD_NOTES)) {
    const properties = components[name]?.properties as Record<string, Json> | undefined;
    if (properties === undefined) throw new Error(`field notes for unknown component ${name}`);
    for (const [field, description] of Object.entries(notes)) {
      if (properties[field] === undefined) throw new Error(`field notes for unknown field ${name}.${field}`);
      properties[field] = { ...properties[field], description };
    }
  }
}

/** Every operation of every resource: the route (as the Worker's router names it), method and document. */
export function documentedRoutes(): { route: string; method: Method; doc: OperationDoc }[] {
  return (Object.keys(RESOURCES) as ResourceName[]).flatMap((name) => resourceOperations(name));
}

/** The document of every resource's operations. */
export function buildDocument(): Json {
  const schemas = new ResponseSchemas(RESPONSE_NAMES);
  const requestComponents: Record<string, Json> = {};
  const requests = (body: OperationDoc["body"]): Json => {
    const name = REQUEST_NAMES.get(body!.schema);
    if (name === undefined) return requestJsonSchema(body!.schema);
    requestComponents[name] ??= requestJsonSchema(body!.schema);
    return { $ref: `#/components/schemas/${name}` };
  };
  const paths: Record<string, Record<string, Json>> = {};
  const routes = documentedRoutes();
  for (const method of METHODS) {
    for (const { route, doc } of routes.filter((entry) => entry.method === method)) {
      const op = operation(route, method, doc, schemas, requests);
      const { path } = documentPath(route, doc);
      paths[path] ??= {};
      if (paths[path][method.toLowerCase()]) throw new Error(`${method} ${route} is documented twice`);
      paths[path][method.toLowerCase()] = op;
    }
  }
  const components = { ...schemas.components(), ...requestComponents };
  addFieldNotes(components);
  return {
    openapi: "3.1.0",
    info: { title: "rac-edge", version: API_VERSION, description: API_DESCRIPTION },
    servers: [{ url: API_BASE }],
    security: [{ authentik: [] }],
    tags: [...new Set(Object.keys(paths).map((path) => path.split("/")[1]!))].sort().map((name) => ({ name })),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      // What any path answers beyond its operations (see the description).
      responses: {
        NotFound: { description: "An unknown path: `Not found.`", content: json(schemas.ref(GenericErrorSchema)) },
        MethodNotAllowed: {
          description: 'A method the path does not list: `Method "X" not allowed.`',
          content: json(schemas.ref(GenericErrorSchema)),
        },
      },
      securitySchemes: { authentik: { type: "http", scheme: "bearer", description: "An API token's key." } },
    },
  };
}
