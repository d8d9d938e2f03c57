import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/clock.ts";
import { IDEMPOTENCY_TTL_MS } from "../../src/repositories/idempotency.ts";
import { sweepIdempotencyKeys } from "../../src/sweep.ts";
import { launchPath, makeEndpoint } from "../connectionFixtures.ts";
import { makeFlow, makeUser, post, unique } from "../helpers.ts";
import { dumpTables } from "../invariants.ts";

const PROVIDERS = "/api/v3/providers/rac/";
const withKey = (key: string, token?: string) => ({ headers: { "idempotency-key": key }, ...(token ? { token } : {}) });
const liveTokens = async (endpoint: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM connection_tokens WHERE endpoint_id = ?1")
    .bind(endpoint)
    .first<{ n: number }>())!.n;

describe("Idempotency-Key on POST", () => {
  it("a retried create answers the first status and body again and writes nothing", async () => {
    const flow = await makeFlow();
    const body = { name: unique("p"), authorization_flow: flow.pk };
    const key = crypto.randomUUID();
    const first = await post(PROVIDERS, body, withKey(key));
    expect(first.status).toBe(201);
    const before = await dumpTables();
    const again = await post(PROVIDERS, body, withKey(key));
    expect([again.status, again.text, again.headers.get("idempotent-replayed")]).toEqual([201, first.text, "true"]);
    expect(await dumpTables()).toBe(before);
    // Without the key the same body is a new request (here: the name is taken).
    expect((await post(PROVIDERS, body)).status).toBe(400);
  });

  it("the same key with another body is 422 before the body is validated, and changes nothing", async () => {
    const flow = await makeFlow();
    const key = crypto.randomUUID();
    expect((await post(PROVIDERS, { name: unique("p"), authorization_flow: flow.pk }, withKey(key))).status).toBe(201);
    const before = await dumpTables();
    const other = await post(PROVIDERS, { name: 12 }, withKey(key));
    expect([other.status, other.body.detail]).toEqual([
      422,
      expect.stringMatching(/already used for a different request/),
    ]);
    expect(await dumpTables()).toBe(before);
  });

  it("keys are per caller, and a failed request records nothing (a retry may succeed)", async () => {
    const flow = await makeFlow();
    const user = await makeUser();
    const key = crypto.randomUUID();
    const name = unique("p");
    // The user may not create providers: 403, nothing recorded; the admin's same key is theirs alone.
    expect((await post(PROVIDERS, { name, authorization_flow: flow.pk }, withKey(key, user.token))).status).toBe(403);
    expect((await post(PROVIDERS, { name: "", authorization_flow: flow.pk }, withKey(key))).status).toBe(400);
    const created = await post(PROVIDERS, { name, authorization_flow: flow.pk }, withKey(key));
    expect(created.status).toBe(201);
    expect((await post(PROVIDERS, { name, authorization_flow: flow.pk }, withKey(key, user.token))).status).toBe(403);
    expect(
      (await post(PROVIDERS, { name, authorization_flow: flow.pk }, { headers: { "idempotency-key": "bad key" } }))
        .status,
    ).toBe(400);
  });

  it("a retried launch spends no second connection and answers the same token and secret", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 1 });
    const key = crypto.randomUUID();
    const first = await post(launchPath(endpoint.pk), {}, withKey(key));
    expect(first.status).toBe(201);
    expect(first.body.token).toMatch(/^\w{64}$/);
    const again = await post(launchPath(endpoint.pk), {}, withKey(key));
    expect([again.status, again.body.pk, again.body.token, again.headers.get("cache-control")]).toEqual([
      201,
      first.body.pk,
      first.body.token,
      "no-store",
    ]);
    expect(await liveTokens(endpoint.pk)).toBe(1);
    // The secret is stored sealed: the record's text does not contain it.
    const stored = await env.DB.prepare("SELECT group_concat(body) AS bodies FROM idempotency_keys").first<{
      bodies: string;
    }>();
    expect(stored!.bodies).not.toContain(first.body.token);
    // Another key is another launch: refused by the limit, and nothing recorded for it.
    const records = async () =>
      (await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys").first<{ n: number }>())!.n;
    const held = await records();
    expect((await post(launchPath(endpoint.pk), {}, withKey(crypto.randomUUID()))).status).toBe(409);
    expect(await records()).toBe(held);
    expect((await post(launchPath(endpoint.pk), { settings: {} }, withKey(key))).status).toBe(422);
  });

  it("records expire after 24 hours and the sweep removes them, bounded per run", async () => {
    const flow = await makeFlow();
    const key = crypto.randomUUID();
    expect((await post(PROVIDERS, { name: unique("p"), authorization_flow: flow.pk }, withKey(key))).status).toBe(201);
    const later = clock.now() + IDEMPOTENCY_TTL_MS + 1000;
    const count = async () =>
      (await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE expires <= ?1")
        .bind(later)
        .first<{ n: number }>())!.n;
    const expired = await count();
    expect(expired).toBeGreaterThan(0);
    expect(await sweepIdempotencyKeys(env.DB, later, { batch: 1, steps: 1 })).toBe(1);
    expect(await count()).toBe(expired - 1);
    await sweepIdempotencyKeys(env.DB, later);
    expect(await count()).toBe(0);
  });
});
