/**
 * Issue 10's "tokens and bootstrap": a refused BOOTSTRAP_TOKEN, keys that cannot outlive
 * themselves or revive an expired token, and failed authentication throttled per client address.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { ADMIN, BASE, get, makeUser, patch, post, unique } from "./helpers.ts";
import { changedTables, dumpTables, send } from "./invariants.ts";

const LIST = "/api/v3/core/tokens/";
const as = (token: string) => ({ token });

/** A request through the Worker's fetch handler with another configuration. */
async function fetchWith(bindings: Partial<typeof env>, path: string, token: string) {
  const request = new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const context = { waitUntil() {}, passThroughOnException() {} } as never;
  const response = await worker.fetch(request, { ...env, ...bindings } as never, context);
  return { status: response.status, body: (await response.json()) as { detail?: string } };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("BOOTSTRAP_TOKEN", () => {
  it.each([
    ["shorter than 32 characters", "short-bootstrap-token", /shorter than 32 characters/],
    ["with surrounding whitespace", ` ${ADMIN}`, /whitespace/],
    ["with a trailing newline", `${ADMIN}\n`, /whitespace/],
  ])("%s: every request answers 503 and the reason is logged", async (_, key, reason) => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const path of ["/api/v3/core/users/", "/api/v3/nowhere/"]) {
      const reply = await fetchWith({ BOOTSTRAP_TOKEN: key }, path, ADMIN);
      expect(reply.status).toBe(503);
      expect(reply.body.detail).toMatch(reason);
    }
    expect(logged.mock.calls.flat().join(" ")).toMatch(reason);
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it("unset: requests are served and the missing superuser is logged once", async () => {
    const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
    const user = await makeUser();
    for (let i = 0; i < 2; i++) {
      expect((await fetchWith({ BOOTSTRAP_TOKEN: undefined }, "/api/v3/core/tokens/", user.token)).status).toBe(200);
    }
    expect(warned).toHaveBeenCalledTimes(1);
    expect(String(warned.mock.calls[0]![0])).toMatch(/no bootstrap superuser/);
  });

  /** The Worker as a fresh isolate loads it (its per-isolate memory empty), with the SQL it prepares recorded. */
  async function freshIsolate(bindings: Partial<typeof env> = {}) {
    vi.resetModules();
    const fresh = (await import("../src/index.ts")).default;
    const sql: string[] = [];
    const recording = <D extends D1Database | D1DatabaseSession>(db: D): D =>
      new Proxy(db, {
        get(target, name) {
          if (name === "prepare") {
            return (query: string) => {
              sql.push(query);
              return target.prepare(query);
            };
          }
          if (name === "withSession")
            return (constraint: never) => recording((target as D1Database).withSession(constraint));
          const value = Reflect.get(target, name, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    const DB = recording(env.DB);
    const fetch = async (path: string, token: string) => {
      const request = new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const context = { waitUntil() {}, passThroughOnException() {} } as never;
      const response = await fresh.fetch(request, { ...env, DB, ...bindings } as never, context);
      const cost = response.headers.get("server-timing") ?? "";
      return { status: response.status, batches: Number(/batches=(\d+)/.exec(cost)?.[1]) };
    };
    return { fetch, sql };
  }
  const writes = (sql: string[]) => sql.filter((query) => /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(query));

  it("an isolate's first request only reads a current bootstrap token: no write, no extra round trip", async () => {
    await get(LIST); // the bootstrap token exists
    const isolate = await freshIsolate();
    const first = await isolate.fetch(LIST, ADMIN);
    expect(first).toEqual({ status: 200, batches: 1 });
    expect(isolate.sql.filter((query) => query.includes("JOIN users u ON u.id = t.user_id"))).not.toEqual([]);
    expect(writes(isolate.sql)).toEqual([]);
    isolate.sql.length = 0;
    expect(await isolate.fetch(LIST, ADMIN)).toEqual({ status: 200, batches: 1 });
    expect(writes(isolate.sql)).toEqual([]);
  });

  it("a missing or changed bootstrap token is written by the first request, which may already use it", async () => {
    const other = "rac-edge-test-other-bootstrap-token-0123";
    const changed = await freshIsolate({ BOOTSTRAP_TOKEN: other });
    expect((await changed.fetch(LIST, other)).status).toBe(200);
    expect(writes(changed.sql)).not.toEqual([]);
    expect((await changed.fetch(LIST, ADMIN)).status).toBe(403);
    await env.DB.prepare("DELETE FROM tokens WHERE identifier = 'authentik-bootstrap-token'").run();
    const missing = await freshIsolate();
    expect((await missing.fetch(LIST, ADMIN)).status).toBe(200);
    expect(writes(missing.sql)).not.toEqual([]);
    expect((await missing.fetch(LIST, other)).status).toBe(403);
  });

  it("the shipped test default is valid", () => {
    expect(ADMIN.length).toBeGreaterThanOrEqual(32);
    expect(env.BOOTSTRAP_TOKEN).toBe(ADMIN);
  });
});

/** A user whose only key expires in `ms`. */
async function expiringKey(ms: number) {
  const user = await makeUser();
  const expires = Date.now() + ms;
  await env.DB.prepare("UPDATE tokens SET expiring = 1, expires = ?1 WHERE user_id = ?2").bind(expires, user.id).run();
  return { ...user, expires };
}

describe("a key cannot extend itself", () => {
  it("an expiring key creates only tokens that expire no later than itself", async () => {
    const key = await expiringKey(60 * 60_000);
    const at = (ms: number) => new Date(ms).toISOString();
    await get(LIST); // the isolate's first request ensures the bootstrap superuser
    const before = await dumpTables();
    const forever = await post(LIST, { identifier: unique("t"), expiring: false }, { token: key.token });
    expect([forever.status, Object.keys(forever.body)]).toEqual([400, ["expiring"]]);
    const later = await post(LIST, { identifier: unique("t"), expires: at(key.expires + 60_000) }, as(key.token));
    expect([later.status, Object.keys(later.body)]).toEqual([400, ["expires"]]);
    expect((await post(LIST, { identifier: unique("t"), expires: null }, { token: key.token })).status).toBe(400);
    expect(changedTables(before, await dumpTables())).toEqual([]);
    const sooner = await post(LIST, { identifier: unique("t"), expires: at(key.expires - 60_000) }, as(key.token));
    expect(sooner.status).toBe(201);
  });

  it("the default lifetime is cut to the key's expiry", async () => {
    const key = await expiringKey(5 * 60_000);
    const reply = await post(LIST, { identifier: unique("t") }, { token: key.token });
    expect(reply.status).toBe(201);
    expect(Date.parse(reply.body.expires)).toBe(key.expires);
  });

  it("an expiring key cannot lengthen a token either", async () => {
    const key = await expiringKey(60 * 60_000);
    const token = (await post(LIST, { identifier: unique("t") }, { token: key.token })).body;
    expect((await patch(`${LIST}${token.identifier}/`, { expiring: false }, { token: key.token })).status).toBe(400);
    const described = await patch(`${LIST}${token.identifier}/`, { description: "fine" }, as(key.token));
    expect(described.status).toBe(200);
  });

  it("an expired token is renewed by a superuser or another user with change_token, not its owner", async () => {
    const owner = await makeUser();
    const token = (await post(LIST, { identifier: unique("t") }, { token: owner.token })).body;
    await env.DB.prepare("UPDATE tokens SET expires = ?1 WHERE uuid = ?2")
      .bind(Date.now() - 1000, token.pk)
      .run();
    const future = new Date(Date.now() + 60 * 60_000).toISOString();
    const path = `${LIST}${token.identifier}/`;
    const before = await dumpTables();
    expect((await patch(path, { expires: future }, { token: owner.token })).status).toBe(403);
    expect((await patch(path, { expiring: false }, { token: owner.token })).status).toBe(403);
    expect(await dumpTables()).toBe(before);
    expect((await patch(path, { description: "still expired" }, { token: owner.token })).status).toBe(200);
    expect((await patch(path, { expires: future })).status).toBe(200);
  });
});

describe("failed authentication is throttled per client address", () => {
  const address = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 8)}`;

  it("answers 429 with Retry-After after 20 failures a minute, and changes no table", async () => {
    const client = address();
    const before = await dumpTables();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const reply = await send("GET", LIST, { authorization: `Bearer wrong-${i}`, "cf-connecting-ip": client });
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([...Array(20).fill(403), 429]);
    const response = await fetch429(client);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("60");
    expect(await response.json()).toEqual({ detail: "Request was throttled. Expected available in 60 seconds." });
    expect(await dumpTables()).toBe(before);
    // Another address is not affected, and a valid key is served from the throttled one.
    const elsewhere = await send("GET", LIST, { authorization: "Bearer wrong", "cf-connecting-ip": address() });
    expect(elsewhere.status).toBe(403);
    expect((await get(LIST, { headers: { "cf-connecting-ip": client } })).status).toBe(200);
  });

  it("uses the Workers rate-limiting binding", () => {
    expect(typeof env.AUTH_FAILURES.limit).toBe("function");
  });
});

async function fetch429(client: string) {
  const { exports } = await import("cloudflare:workers");
  const headers = { authorization: "Bearer wrong", "cf-connecting-ip": client };
  return exports.default.fetch(new Request(`${BASE}${LIST}`, { headers }));
}
