/** Fixtures shared by the connection-token tests: endpoints, launches, outposts and the clock. */
import { env } from "cloudflare:workers";
import { afterEach } from "vitest";
import { clock } from "../src/clock.ts";
import { get, makeProvider, post, unique } from "./helpers.ts";

export const TOKENS = "/api/v3/rac/connection_tokens/";
export const CONNECT = "/api/v3/rac/gateway/connect/";
export const DISCONNECT = "/api/v3/rac/gateway/disconnect/";
export const launchPath = (endpoint: string) => `/api/v3/rac/endpoints/${endpoint}/launch/`;

export interface EndpointFixture {
  pk: string;
  name: string;
  provider: number;
  [key: string]: unknown;
}

/** An endpoint through the API; a new provider unless one is given. Unlimited connections by default. */
export async function makeEndpoint(
  overrides: Record<string, unknown> = {},
  provider?: Record<string, unknown>,
): Promise<EndpointFixture> {
  const providerPk = overrides.provider ?? (await makeProvider(provider)).pk;
  const reply = await post("/api/v3/rac/endpoints/", {
    name: unique("endpoint"),
    provider: providerPk,
    protocol: "rdp",
    host: "10.0.0.1:3389",
    auth_mode: "static",
    maximum_connections: -1,
    ...overrides,
  });
  if (reply.status !== 201) throw new Error(`endpoint: ${reply.status} ${reply.text}`);
  return reply.body as EndpointFixture;
}

export const launch = (endpoint: string, body: unknown = {}, token?: string) =>
  post(launchPath(endpoint), body, token === undefined ? {} : { token });

/** A launch that must succeed; its answer (with the secret in `token`). */
export async function launched(endpoint: string, body: unknown = {}, token?: string) {
  const reply = await launch(endpoint, body, token);
  if (reply.status !== 201) throw new Error(`launch: ${reply.status} ${reply.text}`);
  return reply.body as { pk: string; token: string; expires: string | null; [key: string]: unknown };
}

/** An outpost serving `providers`, through the API, with its API key (shown once by view_key). */
export async function makeOutpost(providers: number[]) {
  const reply = await post("/api/v3/outposts/instances/", { name: unique("outpost"), type: "rac", providers });
  if (reply.status !== 201) throw new Error(`outpost: ${reply.status} ${reply.text}`);
  const key = await get(`/api/v3/core/tokens/${reply.body.token_identifier}/view_key/`);
  if (key.status !== 200) throw new Error(`view_key: ${key.status} ${key.text}`);
  return { pk: reply.body.pk as string, token: key.body.key as string };
}

const realNow = clock.now;
/** Freezes the Worker's clock at `ms` (the tests share the isolate with the Worker). */
export const setNow = (ms: number) => {
  clock.now = () => ms;
};
/** Every test file that imports the fixtures gets the real clock back after each test. */
afterEach(() => {
  clock.now = realNow;
});

export const count = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...params)
    .first<number>("n")) ?? 0;

export const tokenRows = () => count("SELECT count(*) AS n FROM connection_tokens");

/** Whether a string occurs anywhere in a JSON-encoded answer. */
export const mentions = (body: unknown, secret: string) => JSON.stringify(body).includes(secret);
