import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CONNECT,
  DISCONNECT,
  launched,
  makeEndpoint,
  makeOutpost,
  mentions,
  setNow,
  TOKENS,
  tokenRows,
} from "./connectionFixtures.ts";
import { call, get, grant, makeProvider, makeUser, patch, post } from "./helpers.ts";

const T = Date.UTC(2031, 5, 1, 8, 0, 0);
const HOUR = 3_600_000;

async function mapping(staticSettings: Record<string, unknown>, name = `mapping-${crypto.randomUUID()}`) {
  const reply = await post("/api/v3/propertymappings/provider/rac/", { name, static_settings: staticSettings });
  if (reply.status !== 201) throw new Error(`mapping: ${reply.status} ${reply.text}`);
  return reply.body.pk as string;
}

describe("connect", () => {
  let outpost: { pk: string; token: string };
  let endpoint: Awaited<ReturnType<typeof makeEndpoint>>;

  beforeAll(async () => {
    endpoint = await makeEndpoint({ host: "x:1324" });
    outpost = await makeOutpost([endpoint.provider]);
  });

  it("answers protocol, merged settings and expiry to the provider's outpost, and records connected_at", async () => {
    setNow(T);
    const token = await launched(endpoint.pk);
    setNow(T + 1000);
    const reply = await post(CONNECT, { token: token.token }, { token: outpost.token });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      connection_token: token.pk,
      provider: endpoint.provider,
      endpoint: endpoint.pk,
      user: (token.user as { pk: number }).pk,
      protocol: "rdp",
      settings: { hostname: "x", port: "1324", "client-name": "authentik" },
      expires: new Date(T + 8 * HOUR).toISOString(),
    });
    const row = await env.DB.prepare("SELECT connected_at FROM connection_tokens WHERE uuid = ?1")
      .bind(token.pk)
      .first("connected_at");
    expect(row).toBe(T + 1000);
  });

  it("a superuser may call it too; a plain user's token (even the token's owner) is 403", async () => {
    const token = await launched(endpoint.pk);
    expect((await post(CONNECT, { token: token.token })).status).toBe(200);
    const user = await makeUser();
    await grant(user.id, ["authentik_providers_rac.view_endpoint", "authentik_providers_rac.view_connectiontoken"]);
    const own = await launched(endpoint.pk, {}, user.token);
    for (const secret of [own.token, token.token]) {
      const reply = await post(CONNECT, { token: secret }, { token: user.token });
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({ detail: "You do not have permission to perform this action." });
    }
    expect(
      await env.DB.prepare("SELECT connected_at FROM connection_tokens WHERE uuid = ?1")
        .bind(own.pk)
        .first("connected_at"),
    ).toBeNull();
  });

  it("an outpost serves only its providers' tokens: 403 for another provider's, nothing recorded", async () => {
    const elsewhere = await makeEndpoint();
    const token = await launched(elsewhere.pk);
    const reply = await post(CONNECT, { token: token.token }, { token: outpost.token });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ detail: "This outpost does not serve the provider of this connection token." });
    expect(
      await env.DB.prepare("SELECT connected_at FROM connection_tokens WHERE uuid = ?1")
        .bind(token.pk)
        .first("connected_at"),
    ).toBeNull();
    const second = await makeOutpost([elsewhere.provider]);
    expect((await post(CONNECT, { token: token.token }, { token: second.token })).status).toBe(200);
  });

  it("unknown, expired and revoked tokens: 404", async () => {
    expect((await post(CONNECT, { token: "no-such-token" }, { token: outpost.token })).body).toEqual({
      detail: "Not found.",
    });
    setNow(T);
    const expiring = await launched(endpoint.pk);
    setNow(T + 8 * HOUR - 1);
    expect((await post(CONNECT, { token: expiring.token }, { token: outpost.token })).status).toBe(200);
    setNow(T + 8 * HOUR);
    const expired = await post(CONNECT, { token: expiring.token }, { token: outpost.token });
    expect(expired.status).toBe(404);
    expect(expired.body).toEqual({ detail: "Not found." });
    const revoked = await launched(endpoint.pk);
    expect((await call("DELETE", `${TOKENS}${revoked.pk}/`)).status).toBe(204);
    expect((await post(CONNECT, { token: revoked.token }, { token: outpost.token })).status).toBe(404);
  });

  it.each([
    [{}, { token: ["This field is required."] }],
    [{ token: null }, { token: ["This field may not be null."] }],
    [{ token: "" }, { token: ["This field may not be blank."] }],
    [{ token: "   " }, { token: ["This field may not be blank."] }],
    [{ token: true }, { token: ["Not a valid string."] }],
    [{ token: ["a"] }, { token: ["Not a valid string."] }],
    [{ token: { a: 1 } }, { token: ["Not a valid string."] }],
  ])("bad body %j -> 400 %j, nothing recorded or deleted", async (body, expected) => {
    const snapshot = () => env.DB.prepare("SELECT uuid, connected_at FROM connection_tokens ORDER BY uuid").all();
    const before = (await snapshot()).results;
    for (const path of [CONNECT, DISCONNECT]) {
      const reply = await post(path, body, { token: outpost.token });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual(expected);
    }
    expect((await snapshot()).results).toEqual(before);
  });

  it("a number is text for DRF: an unknown token, 404", async () => {
    expect((await post(CONNECT, { token: 12345 }, { token: outpost.token })).status).toBe(404);
  });

  it("only POST; authentication required", async () => {
    expect((await get(CONNECT, { token: outpost.token })).status).toBe(405);
    const anonymous = await call("POST", CONNECT, { token: null, body: { token: "x" } });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toEqual({ detail: "Authentication credentials were not provided." });
  });
});

describe("connect: settings computed fresh (reference cases 55-58 through the API)", () => {
  it("merges defaults < provider < endpoint < provider mappings < endpoint mappings, by name, as strings", async () => {
    const provider = await makeProvider({
      settings: { level: "provider", a: [1], nested: { p: true } },
      property_mappings: [
        await mapping({ level: "pm-provider-b" }, `b-${crypto.randomUUID()}`),
        await mapping({ level: "pm-provider-a" }, `a-${crypto.randomUUID()}`),
      ],
    });
    const endpoint = await makeEndpoint({
      provider: provider.pk,
      host: "[2001:db8::1]:3389",
      settings: { level: "endpoint", a: [2], nested: { e: 1 } },
      property_mappings: [await mapping({ level: "property_mapping_endpoint", foo: true, bar: 6 })],
    });
    const token = await launched(endpoint.pk);
    const reply = await post(CONNECT, { token: token.token });
    expect(reply.body.settings).toEqual({
      hostname: "2001:db8::1",
      port: "3389",
      "client-name": "authentik",
      level: "property_mapping_endpoint",
      a: "[1,2]",
      nested: '{"p":true,"e":1}',
      foo: "true",
      bar: "6",
    });
  });

  it("edits after the launch apply at the next connect (expires does not change)", async () => {
    setNow(T);
    const endpoint = await makeEndpoint({ host: "myhost" });
    const token = await launched(endpoint.pk);
    expect((await post(CONNECT, { token: token.token })).body.settings).toEqual({
      hostname: "myhost",
      "client-name": "authentik",
    });
    expect(
      (
        await patch(`/api/v3/rac/endpoints/${endpoint.pk}/`, {
          host: "other:22",
          protocol: "ssh",
          settings: { "client-name": "corp", port: null },
        })
      ).status,
    ).toBe(200);
    expect(
      (await patch(`/api/v3/providers/rac/${endpoint.provider}/`, { connection_expiry: "minutes=1" })).status,
    ).toBe(200);
    const reply = await post(CONNECT, { token: token.token });
    expect(reply.body.protocol).toBe("ssh");
    expect(reply.body.settings).toEqual({ hostname: "other", "client-name": "corp" });
    expect(reply.body.expires).toBe(new Date(T + 8 * HOUR).toISOString());
  });

  it("prompt settings come last and only connect ever shows the password", async () => {
    const endpoint = await makeEndpoint({
      auth_mode: "prompt",
      settings: { username: "from-endpoint", password: "from-endpoint" },
    });
    const password = `pw-${crypto.randomUUID()}`;
    const token = await launched(endpoint.pk, { settings: { username: "alice", password } });
    const connect = await post(CONNECT, { token: token.token });
    expect(connect.body.settings).toEqual({
      hostname: "10.0.0.1",
      port: "3389",
      "client-name": "authentik",
      username: "alice",
      password,
    });
    const answers = [
      await get(TOKENS),
      await get(`${TOKENS}${token.pk}/`),
      await get(`${TOKENS}?search=${encodeURIComponent(endpoint.name)}`),
      await get(`/api/v3/rac/endpoints/${endpoint.pk}/`),
      await get(`${TOKENS}${token.pk}/used_by/`),
      await post(DISCONNECT, { token: token.token }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeLessThan(300);
      expect(mentions(answer.body, password)).toBe(false);
      expect(mentions(answer.body, token.token)).toBe(false);
    }
  });
});

describe("disconnect", () => {
  it("keeps a time-limited token reusable when delete_token_on_disconnect is false", async () => {
    const endpoint = await makeEndpoint();
    const token = await launched(endpoint.pk);
    const reply = await post(DISCONNECT, { token: token.token });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ connection_token: token.pk, deleted: false });
    expect((await post(CONNECT, { token: token.token })).status).toBe(200);
    expect((await get(`${TOKENS}${token.pk}/`)).status).toBe(200);
  });

  it("deletes the token when the provider says delete_token_on_disconnect", async () => {
    const endpoint = await makeEndpoint({}, { delete_token_on_disconnect: true });
    const outpost = await makeOutpost([endpoint.provider]);
    const token = await launched(endpoint.pk);
    expect((await post(CONNECT, { token: token.token }, { token: outpost.token })).status).toBe(200);
    const before = await tokenRows();
    const reply = await post(DISCONNECT, { token: token.token }, { token: outpost.token });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ connection_token: token.pk, deleted: true });
    expect(await tokenRows()).toBe(before - 1);
    expect((await post(CONNECT, { token: token.token }, { token: outpost.token })).status).toBe(404);
    expect((await post(DISCONNECT, { token: token.token }, { token: outpost.token })).status).toBe(404);
  });

  it("deletes a token without a time limit (connection_expiry 0)", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 1 }, { connection_expiry: "hours=0" });
    const token = await launched(endpoint.pk);
    expect(token.expires).toBeNull();
    expect((await post(DISCONNECT, { token: token.token })).body).toEqual({
      connection_token: token.pk,
      deleted: true,
    });
    expect((await get(`${TOKENS}${token.pk}/`)).status).toBe(404);
    // Its place at the endpoint is free again.
    expect((await launched(endpoint.pk)).expires).toBeNull();
  });

  it("403 for plain users and for outposts of other providers (nothing deleted); 404 for expired", async () => {
    const endpoint = await makeEndpoint({}, { delete_token_on_disconnect: true, connection_expiry: "hours=1" });
    const stranger = await makeOutpost([(await makeProvider()).pk]);
    const user = await makeUser();
    setNow(T);
    const token = await launched(endpoint.pk);
    expect((await post(DISCONNECT, { token: token.token }, { token: user.token })).status).toBe(403);
    const refused = await post(DISCONNECT, { token: token.token }, { token: stranger.token });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ detail: "This outpost does not serve the provider of this connection token." });
    expect((await get(`${TOKENS}${token.pk}/`)).status).toBe(200);
    setNow(T + HOUR);
    expect((await post(DISCONNECT, { token: token.token })).status).toBe(404);
  });
});
