import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/crypto.ts";
import {
  count,
  launch,
  launched,
  launchPath,
  makeEndpoint,
  mentions,
  setNow,
  TOKENS,
  tokenRows,
} from "./connectionFixtures.ts";
import { BASE, call, del, get, grant, makeProvider, makeUser, patch, post } from "./helpers.ts";

const T = Date.UTC(2030, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;

describe("launch: the answer", () => {
  it("201: the ConnectionToken, its secret (stored only as SHA-256), expires = now + connection_expiry", async () => {
    const endpoint = await makeEndpoint({}, { connection_expiry: "hours=8" });
    setNow(T);
    const reply = await launch(endpoint.pk);
    expect(reply.status).toBe(201);
    const admin = await env.DB.prepare("SELECT id, uid FROM users WHERE username = 'akadmin'").first<{
      id: number;
      uid: string;
    }>();
    expect(reply.body).toEqual({
      pk: expect.stringMatching(/^[0-9a-f-]{36}$/),
      provider: endpoint.provider,
      provider_obj: endpoint.provider_obj,
      endpoint: endpoint.pk,
      endpoint_obj: endpoint,
      user: {
        pk: admin!.id,
        username: "akadmin",
        name: "authentik Default Admin",
        is_active: true,
        last_login: null,
        email: "admin@test",
        attributes: {},
        uid: admin!.uid,
      },
      expires: new Date(T + 8 * HOUR).toISOString(),
      created: new Date(T).toISOString(),
      connected_at: null,
      token: expect.stringMatching(/^[A-Za-z0-9]{64}$/),
    });
    const row = await env.DB.prepare(
      "SELECT token_hash, expires, created, settings FROM connection_tokens WHERE uuid = ?1",
    )
      .bind(reply.body.pk)
      .first();
    expect(row).toEqual({
      token_hash: await sha256Hex(reply.body.token),
      expires: T + 8 * HOUR,
      created: T,
      settings: "{}",
    });
  });

  it("two launches get different secrets", async () => {
    const endpoint = await makeEndpoint();
    const [a, b] = [await launched(endpoint.pk), await launched(endpoint.pk)];
    expect(a.token).not.toBe(b.token);
    expect(a.pk).not.toBe(b.pk);
  });

  it.each([
    ["hours=1;minutes=30", 90 * 60_000],
    ["seconds=1", 1000],
    ["days=2", 48 * HOUR],
  ])("connection_expiry %s -> expires now + %d ms", async (expiry, ms) => {
    const endpoint = await makeEndpoint({}, { connection_expiry: expiry });
    setNow(T);
    expect((await launched(endpoint.pk)).expires).toBe(new Date(T + ms).toISOString());
  });

  it("connection_expiry of exactly 0: no time limit (expires null)", async () => {
    for (const expiry of ["hours=0", "seconds=0;minutes=0"]) {
      const endpoint = await makeEndpoint({}, { connection_expiry: expiry });
      const token = await launched(endpoint.pk);
      expect(token.expires).toBeNull();
      expect(
        await count("SELECT count(*) AS n FROM connection_tokens WHERE uuid = ?1 AND expires IS NULL", token.pk),
      ).toBe(1);
    }
  });

  it("a negative connection_expiry cannot be launched: 400 explaining why, nothing written", async () => {
    const endpoint = await makeEndpoint({}, { connection_expiry: "hours=-1;minutes=-2;seconds=-3" });
    const provider = endpoint.provider_obj as { name: string };
    const before = await tokenRows();
    const reply = await launch(endpoint.pk);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      detail:
        `Connections cannot be launched: provider "${provider.name}" has a negative connection_expiry ` +
        '("hours=-1;minutes=-2;seconds=-3"), so every connection would expire before it starts. ' +
        "Set a positive duration, or 0 for no time limit.",
    });
    expect(await tokenRows()).toBe(before);
  });

  it("a connection_expiry that is no longer valid (written outside the API) is a 400, not a 500", async () => {
    const endpoint = await makeEndpoint();
    await env.DB.prepare("UPDATE providers SET connection_expiry = 'garbage' WHERE id = ?1")
      .bind(endpoint.provider)
      .run();
    const reply = await launch(endpoint.pk);
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toContain('connection_expiry "garbage"');
  });
});

describe("launch: who may", () => {
  it("404 for unknown and malformed endpoint ids", async () => {
    for (const key of [crypto.randomUUID(), "not-a-uuid", "123"]) {
      const reply = await launch(key);
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ detail: "Not found." });
    }
  });

  it("needs view permission on the endpoint, global or on the object; else 403", async () => {
    const endpoint = await makeEndpoint();
    const other = await makeEndpoint();
    const user = await makeUser();
    const before = await tokenRows();
    const denied = await launch(endpoint.pk, {}, user.token);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: "You do not have permission to perform this action." });
    expect(await tokenRows()).toBe(before);

    await grant(user.id, ["authentik_providers_rac.view_endpoint"], {
      model: "authentik_providers_rac.endpoint",
      pk: endpoint.pk,
    });
    const allowed = await launch(endpoint.pk, {}, user.token);
    expect(allowed.status).toBe(201);
    expect(allowed.body.user.pk).toBe(user.id);
    expect((await launch(other.pk, {}, user.token)).status).toBe(403);

    const global = await makeUser();
    await grant(global.id, ["authentik_providers_rac.view_endpoint"]);
    expect((await launch(other.pk, {}, global.token)).status).toBe(201);
  });

  it("other permissions do not help (view_racprovider, add_connectiontoken)", async () => {
    const endpoint = await makeEndpoint();
    const user = await makeUser();
    await grant(user.id, [
      "authentik_providers_rac.view_racprovider",
      "authentik_providers_rac.add_connectiontoken",
      "authentik_providers_rac.change_endpoint",
    ]);
    expect((await launch(endpoint.pk, {}, user.token)).status).toBe(403);
  });

  it("needs authentication", async () => {
    const endpoint = await makeEndpoint();
    const reply = await call("POST", launchPath(endpoint.pk), { token: null, body: {} });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("only POST", async () => {
    const endpoint = await makeEndpoint();
    const reply = await get(launchPath(endpoint.pk));
    expect(reply.status).toBe(405);
    expect(reply.body).toEqual({ detail: 'Method "GET" not allowed.' });
  });
});

describe("launch: the body", () => {
  it("a static endpoint takes {} or no body", async () => {
    const endpoint = await makeEndpoint();
    expect((await launch(endpoint.pk, {})).status).toBe(201);
    const empty = await call("POST", launchPath(endpoint.pk));
    expect(empty.status).toBe(201);
  });

  it.each([
    [
      { settings: { username: "a", password: "b" } },
      { settings: ["Settings can only be given when the endpoint's auth_mode is prompt."] },
    ],
    [{ settings: null }, { settings: ["Settings can only be given when the endpoint's auth_mode is prompt."] }],
  ])("a static endpoint refuses settings: %j", async (body, expected) => {
    const endpoint = await makeEndpoint();
    const before = await tokenRows();
    const reply = await launch(endpoint.pk, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await tokenRows()).toBe(before);
  });

  it.each([
    [{}, { settings: ["This field is required."] }],
    [{ settings: null }, { settings: ["This field may not be null."] }],
    [{ settings: "alice" }, { settings: ["Invalid data. Expected a dictionary, but got str."] }],
    [{ settings: ["alice"] }, { settings: ["Invalid data. Expected a dictionary, but got list."] }],
    [{ settings: {} }, { settings: ["username: This field is required.", "password: This field is required."] }],
    [{ settings: { username: "alice" } }, { settings: ["password: This field is required."] }],
    [{ settings: { password: "pw" } }, { settings: ["username: This field is required."] }],
    [{ settings: { username: "", password: "pw" } }, { settings: ["username: This field may not be blank."] }],
    [{ settings: { username: "   ", password: "pw" } }, { settings: ["username: This field may not be blank."] }],
    [{ settings: { username: null, password: "pw" } }, { settings: ["username: This field may not be null."] }],
    [{ settings: { username: true, password: "pw" } }, { settings: ["username: Not a valid string."] }],
    [{ settings: { username: {}, password: "pw" } }, { settings: ["username: Not a valid string."] }],
    [{ settings: { username: "alice", password: "" } }, { settings: ["password: This field may not be blank."] }],
    [{ settings: { username: "alice", password: null } }, { settings: ["password: This field may not be null."] }],
    [{ settings: { username: "alice", password: 5 } }, { settings: ["password: Not a valid string."] }],
    [
      { settings: { username: "alice", password: "x".repeat(1025) } },
      { settings: ["password: Ensure this field has no more than 1024 characters."] },
    ],
    [
      { settings: { username: "u".repeat(256), password: "pw" } },
      { settings: ["username: Ensure this field has no more than 255 characters."] },
    ],
    [
      { settings: { username: "alice", password: "pw", hostname: "evil.example" } },
      { settings: ["hostname: Unknown setting; only username and password can be given."] },
    ],
  ])("a prompt endpoint: %j -> 400 %j, nothing written", async (body, expected) => {
    const endpoint = await makeEndpoint({ auth_mode: "prompt" });
    const before = await tokenRows();
    const reply = await launch(endpoint.pk, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await tokenRows()).toBe(before);
  });

  it("malformed, non-object and non-JSON bodies", async () => {
    const endpoint = await makeEndpoint({ auth_mode: "prompt" });
    const before = await tokenRows();
    const malformed = await call("POST", launchPath(endpoint.pk), { body: "{", raw: true });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/^JSON parse error - /);
    const list = await launch(endpoint.pk, []);
    expect(list.status).toBe(400);
    expect(list.body).toEqual({ non_field_errors: ["Invalid data. Expected a dictionary, but got list."] });
    const text = await call("POST", launchPath(endpoint.pk), {
      body: "x",
      raw: true,
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);
    expect(await tokenRows()).toBe(before);
  });

  it("a prompt endpoint stores the prompt settings sealed: no password in D1 or any answer but connect", async () => {
    const endpoint = await makeEndpoint({ auth_mode: "prompt" });
    const password = `pw-${crypto.randomUUID()}`;
    const reply = await launch(endpoint.pk, { settings: { username: "alice", password } });
    expect(reply.status).toBe(201);
    expect(mentions(reply.body, password)).toBe(false);
    const stored = await env.DB.prepare("SELECT settings FROM connection_tokens WHERE uuid = ?1")
      .bind(reply.body.pk)
      .first<string>("settings");
    expect(stored).not.toContain(password);
    expect(stored).not.toContain("alice");
    expect(Object.keys(JSON.parse(stored!)).sort()).toEqual(["data", "iv"]);
  });
});

describe("launch: the connection limit", () => {
  it("0: nobody may connect", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 0 });
    const reply = await launch(endpoint.pk);
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ detail: "Maximum connection limit reached." });
    expect(await count("SELECT count(*) AS n FROM connection_tokens WHERE endpoint_id = ?1", endpoint.pk)).toBe(0);
  });

  it("negative: unlimited", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: -5 });
    for (let i = 0; i < 5; i++) expect((await launch(endpoint.pk)).status).toBe(201);
  });

  it("1: another user's live token refuses; the caller's own adds the tab/window hint (case 51)", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 1 });
    const alice = await makeUser();
    const bob = await makeUser();
    await grant(alice.id, ["authentik_providers_rac.view_endpoint"]);
    await grant(bob.id, ["authentik_providers_rac.view_endpoint"]);
    expect((await launch(endpoint.pk, {}, alice.token)).status).toBe(201);
    const own = await launch(endpoint.pk, {}, alice.token);
    expect(own.status).toBe(409);
    expect(own.body).toEqual({
      detail: "Maximum connection limit reached. (You are already connected in another tab/window)",
    });
    const other = await launch(endpoint.pk, {}, bob.token);
    expect(other.status).toBe(409);
    expect(other.body).toEqual({ detail: "Maximum connection limit reached." });
  });

  it("expired tokens do not count; expiry exactly now is expired", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 1 }, { connection_expiry: "hours=1" });
    setNow(T);
    await launched(endpoint.pk);
    setNow(T + HOUR - 1);
    expect((await launch(endpoint.pk)).status).toBe(409);
    setNow(T + HOUR);
    const again = await launch(endpoint.pk);
    expect(again.status).toBe(201);
    expect(again.body.expires).toBe(new Date(T + 2 * HOUR).toISOString());
  });

  it("a revoked token frees its place", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 1 });
    const first = await launched(endpoint.pk);
    expect((await launch(endpoint.pk)).status).toBe(409);
    expect((await del(`${TOKENS}${first.pk}/`)).status).toBe(204);
    expect((await launch(endpoint.pk)).status).toBe(201);
  });

  it("a changed limit applies to the next launch", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 1 });
    await launched(endpoint.pk);
    expect((await launch(endpoint.pk)).status).toBe(409);
    expect((await patch(`/api/v3/rac/endpoints/${endpoint.pk}/`, { maximum_connections: 2 })).status).toBe(200);
    expect((await launch(endpoint.pk)).status).toBe(201);
    expect((await launch(endpoint.pk)).status).toBe(409);
  });

  // Three rounds: each starts from zero live tokens (the previous round's are deleted), so more repeat the same.
  it("limit 3 under 50 concurrent launches, three rounds: exactly 3 succeed each round", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 3 });
    const users = await Promise.all([makeUser(), makeUser(), makeUser()]);
    for (const user of users) await grant(user.id, ["authentik_providers_rac.view_endpoint"]);
    for (let round = 0; round < 3; round++) {
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          exports.default.fetch(
            new Request(`${BASE}${launchPath(endpoint.pk)}`, {
              method: "POST",
              headers: { authorization: `Bearer ${users[index % 3]!.token}`, "content-type": "application/json" },
              body: "{}",
            }),
          ),
        ),
      );
      const statuses = replies.map((reply) => reply.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(3);
      expect(statuses.filter((status) => status === 409)).toHaveLength(47);
      const live = await env.DB.prepare("SELECT uuid FROM connection_tokens WHERE endpoint_id = ?1")
        .bind(endpoint.pk)
        .all<{ uuid: string }>();
      expect(live.results).toHaveLength(3);
      for (const row of live.results) expect((await del(`${TOKENS}${row.uuid}/`)).status).toBe(204);
    }
  }, 120_000);

  it("a provider with another endpoint does not share the limit", async () => {
    const provider = await makeProvider();
    const a = await makeEndpoint({ provider: provider.pk, maximum_connections: 1 });
    const b = await makeEndpoint({ provider: provider.pk, maximum_connections: 1 });
    expect((await launch(a.pk)).status).toBe(201);
    expect((await launch(b.pk)).status).toBe(201);
    expect((await post(launchPath(a.pk), {})).status).toBe(409);
  });
});
