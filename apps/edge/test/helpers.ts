/** Test helpers: requests through the Worker's own fetch handler, against the real D1 binding. */
import { env, exports } from "cloudflare:workers";
import { sha256Hex } from "../src/crypto.ts";
import worker from "../src/index.ts";
import { newUserValues } from "../src/repositories/users.ts";
import { checkClientModel } from "./clientModels.ts";
import { checkCacheHeaders, checkResponse } from "./openapiCheck.ts";

export const ADMIN = "rac-edge-test-bootstrap-token-0123456789";
export const BASE = "https://rac-edge.test";

export interface Reply<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the body as is (a string), without JSON encoding. */
  raw?: boolean;
}

/** A request through the deployed entry point (`exports.default.fetch`). */
export async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? ADMIN : options.token;
  if (token !== null) headers.authorization ??= `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = options.raw ? String(options.body) : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  const text = await response.text();
  // Every answer the suite receives must match the served OpenAPI document (status and body).
  const operationId = await checkResponse(method, path, response.status, response.headers, text);
  checkCacheHeaders(method, path, response.headers);
  // ... and what authentik's own client parses it into.
  if (method !== "HEAD") checkClientModel(operationId, response.status, text);
  let parsed: unknown = null;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}

export const get = <T = any>(path: string, options?: CallOptions) => call<T>("GET", path, options);
export const post = <T = any>(path: string, body: unknown, options?: CallOptions) =>
  call<T>("POST", path, { ...options, body });
export const put = <T = any>(path: string, body: unknown, options?: CallOptions) =>
  call<T>("PUT", path, { ...options, body });
export const patch = <T = any>(path: string, body: unknown, options?: CallOptions) =>
  call<T>("PATCH", path, { ...options, body });
export const del = <T = any>(path: string, options?: CallOptions) => call<T>("DELETE", path, options);

let counter = 0;
/** A name no other test in the file uses. */
export const unique = (prefix: string) => `${prefix}-${++counter}-${crypto.randomUUID().slice(0, 8)}`;

/** A user with an API token, written straight to D1 (the users API is tested on its own). */
export async function makeUser(options: { superuser?: boolean; active?: boolean; username?: string } = {}) {
  const username = options.username ?? unique("user");
  const key = `key-${crypto.randomUUID()}`;
  const { uuid, uid } = await newUserValues();
  const user = await env.DB.prepare(
    "INSERT INTO users (uuid, uid, username, name, is_superuser, is_active) " +
      "VALUES (?1, ?2, ?3, ?3, ?4, ?5) RETURNING id",
  )
    .bind(uuid, uid, username, options.superuser ? 1 : 0, options.active === false ? 0 : 1)
    .first<{ id: number }>();
  await env.DB.prepare(
    "INSERT INTO tokens (uuid, identifier, user_id, intent, expiring, key_hash) VALUES (?1, ?2, ?3, 'api', 0, ?4)",
  )
    .bind(crypto.randomUUID(), unique("token"), user!.id, await sha256Hex(key))
    .run();
  return { id: user!.id, username, token: key };
}

/** Grants permissions through the RBAC API, as an admin would. */
export async function grant(userId: number, permissions: string[], object?: { model: string; pk: string | number }) {
  const body = object ? { permissions, model: object.model, object_pk: String(object.pk) } : { permissions };
  const reply = await post(`/api/v3/rbac/permissions/assigned_by_users/${userId}/assign/`, body);
  if (reply.status !== 200) throw new Error(`grant failed: ${reply.status} ${reply.text}`);
}

export async function makeFlow(slug = unique("flow")) {
  const reply = await post("/api/v3/flows/instances/", { name: slug, slug, title: slug, designation: "authorization" });
  if (reply.status !== 201) throw new Error(`flow: ${reply.status} ${reply.text}`);
  return reply.body as { pk: string; slug: string };
}

export async function makeProvider(overrides: Record<string, unknown> = {}) {
  const flow = overrides.authorization_flow ?? (await makeFlow()).pk;
  const reply = await post("/api/v3/providers/rac/", {
    name: unique("provider"),
    authorization_flow: flow,
    ...overrides,
  });
  if (reply.status !== 201) throw new Error(`provider: ${reply.status} ${reply.text}`);
  return reply.body as { pk: number; name: string; [key: string]: unknown };
}

/** Counts D1 round trips (prepared statement runs and batches) made through a wrapped binding. */
export function countingDb(db: D1Database) {
  /** Round trips, and the rows D1 reports read by batches and `all()`. */
  const counter = { queries: 0, rowsRead: 0 };
  const read = <R extends D1Result | D1Result[]>(results: R): R => {
    for (const result of [results].flat()) counter.rowsRead += result.meta?.rows_read ?? 0;
    return results;
  };
  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, property) {
        if (property === "__target") return target;
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args));
        if (["first", "all", "run", "raw"].includes(String(property))) {
          return (...args: unknown[]) => {
            counter.queries++;
            const answer = value.apply(target, args);
            return property === "all" ? (answer as Promise<D1Result>).then(read) : answer;
          };
        }
        return value.bind(target);
      },
    });
  // The router reads through D1 sessions (withSession): they are counted alike.
  const wrapDb = <D extends object>(db: D): D =>
    new Proxy(db, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as (...args: unknown[]) => any;
        if (property === "prepare") return (sql: string) => wrapStatement(value.call(target, sql));
        if (property === "withSession") return (constraint?: string) => wrapDb(value.call(target, constraint));
        if (property === "batch") {
          return (statements: D1PreparedStatement[]) => {
            counter.queries++;
            return value
              .call(
                target,
                statements.map((s) => (s as unknown as { __target?: D1PreparedStatement }).__target ?? s),
              )
              .then(read);
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const wrapped = wrapDb(db);
  return { db: wrapped, counter };
}

/** Calls the Worker's fetch handler directly with a custom env (e.g. a counting D1). */
export async function callWith(customEnv: typeof env, method: string, path: string, token = ADMIN) {
  const request = new Request(`${BASE}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const response = await worker.fetch(
    request,
    customEnv as never,
    { waitUntil() {}, passThroughOnException() {} } as never,
  );
  return { status: response.status, body: (await response.json()) as any };
}

/**
 * `fetch` for HTTP clients under test (@rac-edge/client, @goauthentik/api): the Worker's own fetch
 * handler, with every answer checked against the OpenAPI document, as `call()` does.
 */
export async function checkedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const response = await exports.default.fetch(request);
  const text = await response.text();
  const operationId = await checkResponse(
    request.method,
    url.pathname + url.search,
    response.status,
    response.headers,
    text,
  );
  checkCacheHeaders(request.method, url.pathname, response.headers);
  if (request.method !== "HEAD") checkClientModel(operationId, response.status, text);
  return new Response(response.status === 204 ? null : text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * D1 round trips of one GET through the Worker, counted with a wrapped binding after a warm-up
 * call (the isolate's bootstrap runs once): lists must cost the same at page size 1 and 100.
 */
export async function roundTrips(path: string, token = ADMIN) {
  const { db, counter } = countingDb(env.DB);
  const customEnv = { ...env, DB: db };
  await callWith(customEnv, "GET", path, token);
  counter.queries = 0;
  const reply = await callWith(customEnv, "GET", path, token);
  return { body: reply.body, queries: counter.queries };
}
