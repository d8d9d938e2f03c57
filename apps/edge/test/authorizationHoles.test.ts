/**
 * The authorization holes of issue 10, one describe each: every case here failed before its fix.
 * The matrix (authorization.test.ts) covers routes times callers; these cover the rules between them.
 */
import { env } from "cloudflare:workers";
import { SECRET_MASK } from "@rac-edge/core";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/crypto.ts";
import { CONNECT, launched, makeEndpoint, makeOutpost, TOKENS } from "./connectionFixtures.ts";
import { call, del, get, grant, makeFlow, makeProvider, makeUser, patch, post, put, unique } from "./helpers.ts";
import { dumpTables, fillPath, ROUTE_METHODS, send } from "./invariants.ts";

const ENDPOINT = "authentik_providers_rac.endpoint";
const PROVIDER = "authentik_providers_rac.racprovider";
const VIEW_ENDPOINT = "authentik_providers_rac.view_endpoint";
const viewEndpoint = (userId: number, pk: string) => grant(userId, [VIEW_ENDPOINT], { model: ENDPOINT, pk });
const endpointPath = (pk: string) => `/api/v3/rac/endpoints/${pk}/`;
const tokenPath = (identifier: string) => `/api/v3/core/tokens/${identifier}/`;
/** The status of a reply. */
const status = async (reply: Promise<{ status: number }>) => (await reply).status;
const as = (token: string) => ({ token });

/** A user who may launch `endpoint` (view on it) and nothing else. */
async function launcher(endpoint: string) {
  const user = await makeUser();
  await viewEndpoint(user.id, endpoint);
  return user;
}

async function connect(outpostKey: string, secret: string) {
  return post(CONNECT, { token: secret }, { token: outpostKey });
}

describe("1. secrets are write-only", () => {
  const HOST_KEY = "ssh-ed25519 AAAA";
  const nested = { "vnc-password": "nested-pass" };
  const providerSettings = { password: "provider-pass", "host-key": HOST_KEY, nested };
  const NESTED = '{"vnc-password":"nested-pass"}';
  const endpointSettings = { username: "u", password: "endpoint-pass", "private-key": "PRIVATE" };

  async function fixture() {
    const provider = await makeProvider({ settings: providerSettings });
    const endpoint = await makeEndpoint({ provider: provider.pk, settings: endpointSettings });
    const outpost = await makeOutpost([provider.pk]);
    return { provider, endpoint, outpost };
  }

  it("never answers a secret value, to launchers, owners or superusers", async () => {
    const { provider, endpoint } = await fixture();
    const masked = { ...providerSettings, password: SECRET_MASK, nested: { "vnc-password": SECRET_MASK } };
    expect(provider.settings).toEqual(masked);
    expect(endpoint.settings).toEqual({ username: "u", password: SECRET_MASK, "private-key": SECRET_MASK });
    const user = await launcher(endpoint.pk);
    const answers = [
      await get(`/api/v3/providers/rac/${provider.pk}/`),
      await get(endpointPath(endpoint.pk)),
      await get(endpointPath(endpoint.pk), as(user.token)),
      await get("/api/v3/rac/endpoints/?page_size=1000", { token: user.token }),
      await get("/api/v3/rac/endpoints/?page_size=1000"),
    ];
    const token = await launched(endpoint.pk, {}, user.token);
    answers.push({ status: 201, body: token } as never);
    answers.push(await get(`${TOKENS}${token.pk}/`, as(user.token)), await get(`${TOKENS}?page_size=1000`));
    const secrets = ["provider-pass", "nested-pass", "endpoint-pass", "PRIVATE"];
    for (const answer of answers) {
      for (const secret of secrets) expect(JSON.stringify(answer.body)).not.toContain(secret);
    }
    expect(answers[2]!.body.settings.password).toBe(SECRET_MASK);
  });

  it("shows a nested object's settings only to callers who may view that object", async () => {
    const { provider, endpoint } = await fixture();
    const user = await launcher(endpoint.pk);
    expect((await get(endpointPath(endpoint.pk), as(user.token))).body.provider_obj.settings).toEqual({});
    expect((await get(endpointPath(endpoint.pk))).body.provider_obj.settings["host-key"]).toBe(HOST_KEY);
    const token = await launched(endpoint.pk, {}, user.token);
    expect(token.provider_obj).toMatchObject({ settings: {} });
    expect(token.endpoint_obj).toMatchObject({ settings: { password: SECRET_MASK }, provider_obj: { settings: {} } });
    // The owner no longer sees the endpoint: its settings go too.
    const owner = await makeUser();
    const model = "authentik_providers_rac.connectiontoken";
    await grant(owner.id, ["authentik_providers_rac.view_connectiontoken"], { model, pk: token.pk });
    const seen = await get(`${TOKENS}${token.pk}/`, { token: owner.token });
    expect(seen.body.endpoint_obj.settings).toEqual({});
    await grant(owner.id, [`authentik_providers_rac.view_racprovider`], { model: PROVIDER, pk: provider.pk });
    const listed = await get(`${TOKENS}?page_size=1000`, { token: owner.token });
    const mine = listed.body.results.find((item: { pk: string }) => item.pk === token.pk);
    expect(mine.provider_obj.settings["host-key"]).toBe(HOST_KEY);
    expect(mine.endpoint_obj.settings).toEqual({});
  });

  it("injects the stored values in the gateway's connect answer only", async () => {
    const { endpoint, outpost } = await fixture();
    const token = await launched(endpoint.pk);
    const reply = await connect(outpost.token, token.token);
    expect(reply.status).toBe(200);
    expect(reply.body.settings).toMatchObject({ password: "endpoint-pass", "private-key": "PRIVATE", nested: NESTED });
  });

  it("keeps the stored value when a PUT or PATCH sends the mask back, also nested", async () => {
    const { provider, endpoint, outpost } = await fixture();
    const read = (await get(endpointPath(endpoint.pk))).body;
    const { pk, provider_obj, launch_url, ...body } = read;
    expect(await status(put(endpointPath(endpoint.pk), { ...body, name: unique("renamed") }))).toBe(200);
    expect(await status(patch(endpointPath(endpoint.pk), { settings: { ...read.settings, username: "v" } }))).toBe(200);
    const providerPath = `/api/v3/providers/rac/${provider.pk}/`;
    const providerRead = (await get(providerPath)).body;
    const changed = { ...providerRead.settings, password: "changed" };
    expect(await status(patch(providerPath, { settings: changed }))).toBe(200);
    const token = await launched(endpoint.pk);
    const settings = (await connect(outpost.token, token.token)).body.settings;
    const injected = { username: "v", password: "endpoint-pass", "private-key": "PRIVATE", nested: NESTED };
    expect(settings).toMatchObject(injected);
    const select = env.DB.prepare("SELECT settings FROM providers WHERE id = ?1").bind(provider.pk);
    const stored = await select.first<string>("settings");
    expect(JSON.parse(stored!)).toEqual({ ...providerSettings, password: "changed" });
  });

  it("masks property mappings' static_settings and restores them on write", async () => {
    const { provider, outpost } = await fixture();
    const staticSettings = { "sftp-password": "mapped", port: "2" };
    const mappingBody = { name: unique("m"), static_settings: staticSettings };
    const created = await post("/api/v3/propertymappings/provider/rac/", mappingBody);
    expect(created.body.static_settings).toEqual({ "sftp-password": SECRET_MASK, port: "2" });
    const path = `/api/v3/propertymappings/rac/${created.body.pk}/`;
    expect((await get(path)).body.static_settings["sftp-password"]).toBe(SECRET_MASK);
    expect((await patch(path, { static_settings: { "sftp-password": SECRET_MASK, port: "3" } })).status).toBe(200);
    const endpoint = await makeEndpoint({ provider: provider.pk, property_mappings: [created.body.pk] });
    const token = await launched(endpoint.pk);
    const settings = (await connect(outpost.token, token.token)).body.settings;
    expect(settings).toMatchObject({ "sftp-password": "mapped", port: "3" });
  });
});

describe("2. outpost rights come from the outpost's row", () => {
  it("refuses deleting an outpost's service account while the outpost exists", async () => {
    const provider = await makeProvider();
    const outpost = await makeOutpost([provider.pk]);
    const username = `ak-outpost-${outpost.pk.replaceAll("-", "")}`;
    const account = (await get(`/api/v3/core/users/?username=${username}`)).body.results[0];
    const before = await dumpTables();
    const reply = await del(`/api/v3/core/users/${account.pk}/`);
    expect(reply.status).toBe(400);
    expect(await dumpTables()).toBe(before);
  });

  it("refuses the outposts' reserved identifiers on /core/tokens/", async () => {
    const provider = await makeProvider();
    const outpost = await makeOutpost([provider.pk]);
    const identifier = `ak-outpost-${outpost.pk}-api`;
    const user = await makeUser();
    const reserved = { identifier: `ak-outpost-${crypto.randomUUID()}-api` };
    const created = await post("/api/v3/core/tokens/", reserved, as(user.token));
    expect(created.status).toBe(400);
    expect(Object.keys(created.body)).toEqual(["identifier"]);
    const own = await post("/api/v3/core/tokens/", { identifier: unique("mine") }, { token: user.token });
    expect(await status(patch(tokenPath(own.body.identifier), { identifier }, as(user.token)))).toBe(400);
    expect((await post("/api/v3/core/tokens/", { identifier: unique("ak-outpost") })).status).toBe(400);
  });

  it("gives no gateway rights to a token that merely carries an outpost's identifier", async () => {
    const provider = await makeProvider();
    const outpost = await makeOutpost([provider.pk]);
    const endpoint = await makeEndpoint({ provider: provider.pk, auth_mode: "prompt" });
    const victim = await launched(endpoint.pk, { settings: { username: "v", password: "victim-pass" } });
    // As if the service account were gone and an attacker had named a token after the outpost's.
    const identifier = `ak-outpost-${outpost.pk}-api`;
    await env.DB.prepare("DELETE FROM tokens WHERE identifier = ?1").bind(identifier).run();
    const attacker = await makeUser();
    const key = `forged-${crypto.randomUUID()}`;
    const insert = `INSERT INTO tokens (uuid, identifier, user_id, intent, expiring, key_hash)
      VALUES (?1, ?2, ?3, 'api', 0, ?4)`;
    await env.DB.prepare(insert)
      .bind(crypto.randomUUID(), identifier, attacker.id, await sha256Hex(key))
      .run();
    const reply = await connect(key, victim.token);
    expect(reply.status).toBe(403);
    expect(reply.text).not.toContain("victim-pass");
  });
});

describe("3. change_token cannot take over others' tokens", () => {
  async function changer(extra: string[] = []) {
    const user = await makeUser();
    await grant(user.id, ["authentik_core.view_token", "authentik_core.change_token", ...extra]);
    return user;
  }

  it("refuses moving a superuser's token to oneself", async () => {
    const admin = await makeUser({ superuser: true });
    const token = (await post("/api/v3/core/tokens/", { identifier: unique("root") }, { token: admin.token })).body;
    const attacker = await changer(["authentik_core.add_token"]);
    const before = await dumpTables();
    expect(await status(patch(tokenPath(token.identifier), { user: attacker.id }, as(attacker.token)))).toBe(403);
    expect(await status(patch(tokenPath(token.identifier), { description: "x" }, as(attacker.token)))).toBe(403);
    expect(await dumpTables()).toBe(before);
  });

  it("refuses moving another user's token to oneself without the rights to create it", async () => {
    const victim = await makeUser();
    const token = (await post("/api/v3/core/tokens/", { identifier: unique("victim") }, { token: victim.token })).body;
    const attacker = await changer();
    expect(await status(patch(tokenPath(token.identifier), { user: attacker.id }, as(attacker.token)))).toBe(403);
    const allowed = await changer(["authentik_core.add_token"]);
    expect(await status(patch(tokenPath(token.identifier), { user: allowed.id }, as(allowed.token)))).toBe(200);
  });

  it("keeps the bootstrap token with akadmin", async () => {
    const path = "/api/v3/core/tokens/authentik-bootstrap-token/";
    const attacker = await changer(["authentik_core.add_token"]);
    expect((await patch(path, { user: attacker.id }, { token: attacker.token })).status).toBe(403);
    const other = await makeUser({ superuser: true });
    const before = await dumpTables();
    expect((await patch(path, { user: other.id }, { token: other.token })).status).toBe(400);
    expect((await patch(path, { identifier: unique("renamed") }, { token: other.token })).status).toBe(400);
    expect((await del(path, { token: other.token })).status).toBe(400);
    const akadmin = (await get(path)).body.user;
    expect((await del(`/api/v3/core/users/${akadmin}/`, { token: other.token })).status).toBe(400);
    expect(await dumpTables()).toBe(before);
    expect((await get(path)).body.user_obj.username).toBe("akadmin");
  });
});

describe("4. deactivation cuts access at once", () => {
  async function live() {
    const provider = await makeProvider();
    const outpost = await makeOutpost([provider.pk]);
    const endpoint = await makeEndpoint({ provider: provider.pk });
    const user = await launcher(endpoint.pk);
    const token = await launched(endpoint.pk, {}, user.token);
    expect((await connect(outpost.token, token.token)).status).toBe(200);
    return { endpoint, user, token, outpost };
  }

  it("revokes on is_active false", async () => {
    const { user, token, outpost } = await live();
    expect((await patch(`/api/v3/core/users/${user.id}/`, { is_active: false })).status).toBe(200);
    expect((await connect(outpost.token, token.token)).status).toBe(404);
  });

  it("revokes on deletion", async () => {
    const { user, token, outpost } = await live();
    expect((await del(`/api/v3/core/users/${user.id}/`)).status).toBe(204);
    expect((await connect(outpost.token, token.token)).status).toBe(404);
  });

  it("revokes when the view grant on the endpoint goes, and only then", async () => {
    const { endpoint, user, token, outpost } = await live();
    await grant(user.id, ["authentik_providers_rac.view_endpoint"]);
    const unassignPath = `/api/v3/rbac/permissions/assigned_by_users/${user.id}/unassign/`;
    const unassign = (body: unknown) => status(call("PATCH", unassignPath, { body }));
    expect(await unassign({ permissions: [VIEW_ENDPOINT], model: ENDPOINT, object_pk: endpoint.pk })).toBe(204);
    expect((await connect(outpost.token, token.token)).status).toBe(200);
    expect(await unassign({ permissions: [VIEW_ENDPOINT] })).toBe(204);
    expect((await connect(outpost.token, token.token)).status).toBe(404);
  });
});

describe("5. moving a connection token needs what launching there needs", () => {
  async function mover() {
    const provider = await makeProvider();
    const from = await makeEndpoint({ provider: provider.pk });
    const user = await launcher(from.pk);
    await grant(user.id, ["authentik_providers_rac.change_connectiontoken"]);
    const token = await launched(from.pk, {}, user.token);
    return { provider, user, token };
  }

  it("refuses a target endpoint the caller may not view", async () => {
    const { provider, user, token } = await mover();
    const hidden = await makeEndpoint({ provider: provider.pk });
    const reply = await patch(`${TOKENS}${token.pk}/`, { endpoint: hidden.pk }, { token: user.token });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ endpoint: [`Invalid pk "${hidden.pk}" - object does not exist.`] });
  });

  it("refuses moving someone's token where they may not launch, even for a superuser", async () => {
    const { provider, token } = await mover();
    const hidden = await makeEndpoint({ provider: provider.pk });
    const reply = await patch(`${TOKENS}${token.pk}/`, { endpoint: hidden.pk });
    expect([reply.status, Object.keys(reply.body)]).toEqual([400, ["endpoint"]]);
  });

  it("obeys the target's limit", async () => {
    const { provider, user, token } = await mover();
    const full = await makeEndpoint({ provider: provider.pk, maximum_connections: 1 });
    await launched(full.pk);
    await viewEndpoint(user.id, full.pk);
    expect((await patch(`${TOKENS}${token.pk}/`, { endpoint: full.pk }, { token: user.token })).status).toBe(409);
  });
});

describe("6. HEAD changes nothing", () => {
  it("does not consume view_key", async () => {
    const token = (await post("/api/v3/core/tokens/", { identifier: unique("head") })).body;
    const path = `/api/v3/core/tokens/${token.identifier}/view_key/`;
    const head = await send("HEAD", path, { authorization: `Bearer ${(await import("./helpers.ts")).ADMIN}` });
    expect(head).toMatchObject({ status: 200, text: "" });
    expect((await get(path)).status).toBe(200);
  });

  it("changes no table on any GET route", async () => {
    const provider = await makeProvider();
    const endpoint = await makeEndpoint({ provider: provider.pk });
    const outpost = await makeOutpost([provider.pk]);
    const flow = await makeFlow();
    const user = await makeUser();
    const token = (await post("/api/v3/core/tokens/", { identifier: unique("head") })).body;
    const application = (await post("/api/v3/core/applications/", { name: "a", slug: unique("app") })).body;
    const mapping = (await post("/api/v3/propertymappings/rac/", { name: unique("m"), static_settings: {} })).body;
    const connection = await launched(endpoint.pk);
    const event = (await get(`/api/v3/events/events/?context_model_pk=${flow.pk}`)).body.results[0].pk as string;
    const keys: [string, string][] = [
      ["/flows/", flow.slug],
      ["/providers/", String(provider.pk)],
      ["/users/", String(user.id)],
      ["/tokens/", token.identifier],
      ["/applications/", application.slug],
      ["/rac/endpoints/", endpoint.pk],
      ["/propertymappings/", mapping.pk],
      ["/outposts/", outpost.pk],
      ["/connection_tokens/", connection.pk],
      ["/events/", event],
    ];
    const { ADMIN } = await import("./helpers.ts");
    const gets = ROUTE_METHODS.filter((route) => route.method === "GET");
    expect(gets.length).toBeGreaterThan(20);
    for (const route of gets) {
      const key = keys.find(([prefix]) => route.path.includes(prefix))?.[1] ?? "none";
      const before = await dumpTables();
      const reply = await send(
        "HEAD",
        fillPath(route.path, () => encodeURIComponent(key)),
        { authorization: `Bearer ${ADMIN}` },
      );
      expect([route.path, reply.status, reply.text]).toEqual([route.path, 200, ""]);
      expect(await dumpTables(), route.path).toBe(before);
    }
  });
});

describe("7. references are checked against what the caller may view", () => {
  const invalid = (id: unknown) => [`Invalid pk "${id}" - object does not exist.`];

  it("answers an unviewable provider as nonexistent on endpoint create", async () => {
    const provider = await makeProvider();
    const user = await makeUser();
    await grant(user.id, ["authentik_providers_rac.add_endpoint"]);
    const body = { name: unique("e"), provider: provider.pk, protocol: "ssh", host: "h", auth_mode: "static" };
    const reply = await post("/api/v3/rac/endpoints/", body, { token: user.token });
    expect([reply.status, reply.body]).toEqual([400, { provider: invalid(provider.pk) }]);
    await grant(user.id, ["authentik_providers_rac.view_racprovider"], { model: PROVIDER, pk: provider.pk });
    expect((await post("/api/v3/rac/endpoints/", body, { token: user.token })).status).toBe(201);
  });

  it("checks flows and mappings on provider create, and providers on outposts and applications", async () => {
    const flow = await makeFlow();
    const mapping = (await post("/api/v3/propertymappings/rac/", { name: unique("m"), static_settings: {} })).body;
    const provider = await makeProvider();
    const user = await makeUser();
    await grant(user.id, ["authentik_providers_rac.add_racprovider", "authentik_outposts.add_outpost"]);
    await grant(user.id, ["authentik_core.add_application"]);
    const created = await post(
      "/api/v3/providers/rac/",
      { name: unique("p"), authorization_flow: flow.pk, property_mappings: [mapping.pk] },
      { token: user.token },
    );
    const refused = { authorization_flow: invalid(flow.pk), property_mappings: invalid(mapping.pk) };
    expect([created.status, created.body]).toEqual([400, refused]);
    const outpostBody = { name: unique("o"), type: "rac", providers: [provider.pk] };
    const outpost = await post("/api/v3/outposts/instances/", outpostBody, as(user.token));
    expect([outpost.status, outpost.body]).toEqual([400, { providers: invalid(provider.pk) }]);
    const appBody = { name: "a", slug: unique("app"), provider: provider.pk };
    const app = await post("/api/v3/core/applications/", appBody, as(user.token));
    expect([app.status, app.body]).toEqual([400, { provider: invalid(provider.pk) }]);
  });
});
