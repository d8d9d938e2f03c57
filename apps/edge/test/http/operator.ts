/**
 * What operators and browser clients meet before the API proper: the public schema and health
 * checks, caching headers, CORS (off by default) and OPTIONS's Allow.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { CONNECT, launched, makeEndpoint } from "../connectionFixtures.ts";
import { ADMIN, BASE, call, get, makeUser, post, unique } from "../helpers.ts";

const raw = (path: string, init: RequestInit = {}) => exports.default.fetch(new Request(`${BASE}${path}`, init));
/** The Worker with other vars or bindings (CORS_ORIGINS, a failing D1). */
const withEnv = (path: string, init: RequestInit, overrides: Record<string, unknown>) =>
  worker.fetch(
    new Request(`${BASE}${path}`, init),
    { ...env, ...overrides } as never,
    { waitUntil() {}, passThroughOnException() {} } as never,
  );

describe("public routes", () => {
  it("serves the OpenAPI document without a token, and with any header", async () => {
    for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: "Basic x" }] as Record<
      string,
      string
    >[]) {
      const response = await raw("/api/v3/schema/", { headers });
      expect(response.status).toBe(200);
      const document = (await response.json()) as { paths: Record<string, unknown>; info: { description: string } };
      expect(Object.keys(document.paths)).toContain("/rac/endpoints/");
      expect(document.info.description).toContain("on every call but this document (public");
    }
    expect((await raw("/api/v3/schema/", { method: "HEAD" })).status).toBe(200);
  });

  it("answers authentik's health checks without a token: 204, and 503 when D1 fails", async () => {
    for (const path of ["/-/health/live/", "/-/health/ready/", "/-/health/ready"]) {
      const response = await raw(path);
      expect(response.status, path).toBe(204);
      expect(response.headers.get("vary")).toContain("Authorization");
    }
    const broken = { prepare: () => ({ first: () => Promise.reject(new Error("D1 is down")) }) };
    const ready = await withEnv("/-/health/ready/", {}, { DB: broken });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ detail: "The database does not answer." });
    // Liveness does not touch the database.
    expect((await withEnv("/-/health/live/", {}, { DB: broken })).status).toBe(204);
    expect((await raw("/-/health/live/", { method: "POST" })).status).toBe(405);
  });
});

describe("caching headers", () => {
  const cacheOf = (reply: { headers: Headers }) => reply.headers.get("cache-control");

  it("no-store on every answer with a secret: launch, gateway connect, token create, view_key", async () => {
    const endpoint = await makeEndpoint();
    const launch = await post(`/api/v3/rac/endpoints/${endpoint.pk}/launch/`, {});
    expect(launch.status).toBe(201);
    expect(cacheOf(launch)).toBe("no-store");
    const connect = await post(CONNECT, { token: launch.body.token });
    expect(connect.status).toBe(200);
    expect(cacheOf(connect)).toBe("no-store");
    const user = await makeUser();
    const token = await post("/api/v3/core/tokens/", { identifier: unique("tok"), user: user.id });
    expect(token.status).toBe(201);
    expect(cacheOf(token)).toBe("no-store");
    const key = await get(`/api/v3/core/tokens/${token.body.identifier}/view_key/`);
    expect(key.status).toBe(200);
    expect(cacheOf(key)).toBe("no-store");
  });

  // Vary names Cookie because the API accepts a session cookie too.
  it("private, no-cache on the rest, errors included; Vary: Authorization, Cookie everywhere", async () => {
    const endpoint = await makeEndpoint();
    const connection = await launched(endpoint.pk);
    for (const reply of [
      await get("/api/v3/rac/endpoints/"),
      await get(`/api/v3/rac/connection_tokens/${connection.pk}/`),
      await get("/api/v3/rac/endpoints/", { token: null }),
      await get("/api/v3/nowhere/"),
      await call("DELETE", "/api/v3/rac/gateway/connect/"),
    ]) {
      expect(cacheOf(reply)).toBe("private, no-cache");
      expect(reply.headers.get("vary")).toBe("Authorization, Cookie");
    }
  });
});

describe("CORS", () => {
  const preflight = (origin: string, method = "PATCH") => ({
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": method,
      "access-control-request-headers": "authorization, content-type",
    },
  });

  it("is off by default: no Access-Control headers, and a preflight is an unauthenticated OPTIONS", async () => {
    const answer = await raw("/api/v3/rac/endpoints/", preflight("https://app.example"));
    expect(answer.status).toBe(403);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    const listed = await raw("/api/v3/rac/endpoints/", {
      headers: { origin: "https://app.example", authorization: `Bearer ${ADMIN}` },
    });
    expect(listed.status).toBe(200);
    expect(listed.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("CORS_ORIGINS allows exactly the listed origins, preflights answered before authentication", async () => {
    const vars = { CORS_ORIGINS: "https://app.example, https://other.example/" };
    const answer = await withEnv("/api/v3/rac/endpoints/x/", preflight("https://other.example"), vars);
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://other.example");
    const headers = (answer.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(",");
    expect(headers).toEqual(expect.arrayContaining(["authorization", "content-type", "idempotency-key", "if-match"]));
    expect(answer.headers.get("access-control-allow-methods")).toContain("PATCH");
    expect(answer.headers.get("vary")).toContain("Origin");
    const stranger = await withEnv("/api/v3/rac/endpoints/", preflight("https://evil.example"), vars);
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    // Actual requests: the allowed origin is echoed, on errors too; others get nothing.
    const auth = { authorization: `Bearer ${ADMIN}` };
    const ok = await withEnv("/api/v3/rac/endpoints/", { headers: { ...auth, origin: "https://app.example" } }, vars);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const refused = await withEnv("/api/v3/rac/endpoints/", { headers: { origin: "https://app.example" } }, vars);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await withEnv(
      "/api/v3/rac/endpoints/",
      { headers: { ...auth, origin: "https://evil.example" } },
      vars,
    );
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    // An OPTIONS that is not a preflight is still the API's own (authenticated, with Allow).
    expect((await withEnv("/api/v3/rac/endpoints/", { method: "OPTIONS" }, vars)).status).toBe(403);
  });
});

describe("OPTIONS", () => {
  it("lists only the methods that work, HEAD only where GET exists", async () => {
    const endpoint = await makeEndpoint();
    const connection = await launched(endpoint.pk);
    const allow = async (path: string) => (await call("OPTIONS", path)).headers.get("allow");
    expect(await allow("/api/v3/rac/gateway/connect/")).toBe("POST, OPTIONS");
    expect(await allow(`/api/v3/rac/endpoints/${endpoint.pk}/launch/`)).toBe("POST, OPTIONS");
    expect(await allow("/api/v3/rac/connection_tokens/")).toBe("GET, HEAD, OPTIONS");
    expect(await allow(`/api/v3/rac/connection_tokens/${connection.pk}/`)).toBe(
      "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
    );
    expect(await allow("/api/v3/rbac/permissions/assigned_by_users/1/unassign/")).toBe("PATCH, OPTIONS");
    expect((await call("HEAD", "/api/v3/rac/gateway/connect/")).status).toBe(405);
  });
});
