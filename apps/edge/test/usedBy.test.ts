import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { usedBy } from "../src/repositories/usedBy.ts";
import { callWith, countingDb, get, grant, makeFlow, makeProvider, makeUser, post, unique } from "./helpers.ts";

const RAC = "authentik_providers_rac";

async function created<T = any>(path: string, body: unknown): Promise<T> {
  const reply = await post(path, body);
  if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${reply.text}`);
  return reply.body as T;
}

const mappingBody = () => ({ name: unique("map"), static_settings: {} });
const endpointBody = (provider: number, extra: Record<string, unknown> = {}) => ({
  name: unique("ep"),
  provider,
  protocol: "rdp",
  host: "h",
  auth_mode: "static",
  ...extra,
});

async function addToken(endpoint: string, provider: number, userId: number) {
  const uuid = crypto.randomUUID();
  await env.DB.prepare(
    "INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, created) " +
      "VALUES (?1, ?2, ?3, ?4, ?5, 0)",
  )
    .bind(uuid, provider, endpoint, userId, crypto.randomUUID())
    .run();
  return uuid;
}

const tokenName = (uuid: string, provider: number, endpoint: string) =>
  `RAC Connection token ${uuid} to ${provider}/${endpoint}`;

/** A provider referenced by everything that can point at one. */
const world = {} as {
  adminId: number;
  owner: { id: number; token: string; username: string };
  authorization: { pk: string; slug: string };
  authentication: { pk: string; slug: string };
  provider: { pk: number; name: string };
  mappingA: { pk: string; name: string };
  mappingB: { pk: string; name: string };
  endpoint: { pk: string; name: string };
  adminToken: string;
  ownerToken: string;
  outpost: { pk: string; name: string };
  application: { uuid: string; name: string; slug: string };
};

beforeAll(async () => {
  world.authorization = await makeFlow(); // the first request also bootstraps akadmin
  world.adminId = (await env.DB.prepare("SELECT id FROM users WHERE username = 'akadmin'").first<{ id: number }>())!.id;
  world.owner = await makeUser();
  world.authentication = await makeFlow();
  world.mappingA = await created("/api/v3/propertymappings/provider/rac/", { ...mappingBody(), name: unique("a-map") });
  world.mappingB = await created("/api/v3/propertymappings/provider/rac/", { ...mappingBody(), name: unique("b-map") });
  world.provider = await makeProvider({
    authorization_flow: world.authorization.pk,
    authentication_flow: world.authentication.pk,
    property_mappings: [world.mappingA.pk],
  });
  world.endpoint = await created(
    "/api/v3/rac/endpoints/",
    endpointBody(world.provider.pk, { property_mappings: [world.mappingB.pk, world.mappingA.pk] }),
  );
  world.adminToken = await addToken(world.endpoint.pk, world.provider.pk, world.adminId);
  world.ownerToken = await addToken(world.endpoint.pk, world.provider.pk, world.owner.id);
  world.outpost = await created("/api/v3/outposts/instances/", {
    name: unique("outpost"),
    type: "rac",
    providers: [world.provider.pk],
  });
  const slug = unique("app");
  world.application = { uuid: crypto.randomUUID(), name: `App ${slug}`, slug };
  await env.DB.prepare("INSERT INTO applications (uuid, name, slug, provider_id) VALUES (?1, ?2, ?3, ?4)")
    .bind(world.application.uuid, world.application.name, slug, world.provider.pk)
    .run();
});

const byName = <T extends { name: string; pk: string }>(items: T[]) =>
  [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.pk < b.pk ? -1 : 1));

describe("used_by contents (reference section 2.6, case 65)", () => {
  it("65: a provider with one endpoint lists it, as a bare array", async () => {
    const provider = await makeProvider();
    const endpoint = await created("/api/v3/rac/endpoints/", endpointBody(provider.pk));
    const reply = await get(`/api/v3/providers/rac/${provider.pk}/used_by/`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([
      { app: RAC, model_name: "endpoint", pk: endpoint.pk, name: `RAC Endpoint ${endpoint.name}`, action: "cascade" },
    ]);
  });

  it(
    "a provider: endpoints and connection tokens (cascade), " +
      "outposts and mappings (cascade_many), its application (set_default)",
    async () => {
      const { provider, endpoint, outpost, mappingA, application } = world;
      const tokens = byName([
        { pk: world.adminToken, name: tokenName(world.adminToken, provider.pk, endpoint.pk) },
        { pk: world.ownerToken, name: tokenName(world.ownerToken, provider.pk, endpoint.pk) },
      ]);
      const reply = await get(`/api/v3/providers/rac/${provider.pk}/used_by/`);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual([
        { app: RAC, model_name: "endpoint", pk: endpoint.pk, name: `RAC Endpoint ${endpoint.name}`, action: "cascade" },
        ...tokens.map((token) => ({ app: RAC, model_name: "connectiontoken", ...token, action: "cascade" })),
        {
          app: "authentik_outposts",
          model_name: "outpost",
          pk: outpost.pk,
          name: `Outpost ${outpost.name}`,
          action: "cascade_many",
        },
        {
          app: RAC,
          model_name: "racpropertymapping",
          pk: mappingA.pk,
          name: `Property Mapping ${mappingA.name}`,
          action: "cascade_many",
        },
        {
          app: "authentik_core",
          model_name: "application",
          pk: application.uuid,
          name: application.name,
          action: "set_default",
        },
      ]);
    },
  );

  it("an endpoint: its connection tokens (cascade) and its mappings (cascade_many)", async () => {
    const { provider, endpoint, mappingA, mappingB } = world;
    const tokens = byName([
      { pk: world.adminToken, name: tokenName(world.adminToken, provider.pk, endpoint.pk) },
      { pk: world.ownerToken, name: tokenName(world.ownerToken, provider.pk, endpoint.pk) },
    ]);
    const reply = await get(`/api/v3/rac/endpoints/${endpoint.pk}/used_by/`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([
      ...tokens.map((token) => ({ app: RAC, model_name: "connectiontoken", ...token, action: "cascade" })),
      {
        app: RAC,
        model_name: "racpropertymapping",
        pk: mappingA.pk,
        name: `Property Mapping ${mappingA.name}`,
        action: "cascade_many",
      },
      {
        app: RAC,
        model_name: "racpropertymapping",
        pk: mappingB.pk,
        name: `Property Mapping ${mappingB.name}`,
        action: "cascade_many",
      },
    ]);
  });

  it("a property mapping: the providers and endpoints using it (cascade_many), on both paths", async () => {
    const { provider, endpoint, mappingA, mappingB } = world;
    const expected = [
      { app: RAC, model_name: "racprovider", pk: String(provider.pk), name: provider.name, action: "cascade_many" },
      {
        app: RAC,
        model_name: "endpoint",
        pk: endpoint.pk,
        name: `RAC Endpoint ${endpoint.name}`,
        action: "cascade_many",
      },
    ];
    expect((await get(`/api/v3/propertymappings/provider/rac/${mappingA.pk}/used_by/`)).body).toEqual(expected);
    expect((await get(`/api/v3/propertymappings/rac/${mappingA.pk}/used_by/`)).body).toEqual(expected);
    expect((await get(`/api/v3/propertymappings/rac/${mappingB.pk}/used_by/`)).body).toEqual([expected[1]]);
    const unused = await created("/api/v3/propertymappings/provider/rac/", mappingBody());
    expect((await get(`/api/v3/propertymappings/provider/rac/${unused.pk}/used_by/`)).body).toEqual([]);
  });

  it("a flow: providers using it to authorize (cascade) and to authenticate (set_null)", async () => {
    const { provider, authorization, authentication } = world;
    expect((await get(`/api/v3/flows/instances/${authorization.slug}/used_by/`)).body).toEqual([
      { app: RAC, model_name: "racprovider", pk: String(provider.pk), name: provider.name, action: "cascade" },
    ]);
    expect((await get(`/api/v3/flows/instances/${authentication.slug}/used_by/`)).body).toEqual([
      { app: RAC, model_name: "racprovider", pk: String(provider.pk), name: provider.name, action: "set_null" },
    ]);
    const both = await makeFlow();
    const twice = await makeProvider({ authorization_flow: both.pk, authentication_flow: both.pk });
    expect((await get(`/api/v3/flows/instances/${both.slug}/used_by/`)).body).toEqual([
      { app: RAC, model_name: "racprovider", pk: String(twice.pk), name: twice.name, action: "cascade" },
      { app: RAC, model_name: "racprovider", pk: String(twice.pk), name: twice.name, action: "set_null" },
    ]);
  });

  it("an outpost: its providers (cascade_many)", async () => {
    const { provider, outpost } = world;
    expect((await get(`/api/v3/outposts/instances/${outpost.pk}/used_by/`)).body).toEqual([
      { app: RAC, model_name: "racprovider", pk: String(provider.pk), name: provider.name, action: "cascade_many" },
    ]);
  });

  it("a user: their API tokens and connection tokens (cascade); token names as authentik's str()", async () => {
    const { owner, provider, endpoint } = world;
    const apiToken = await env.DB.prepare("SELECT uuid, identifier FROM tokens WHERE user_id = ?1")
      .bind(owner.id)
      .first<{ uuid: string; identifier: string }>();
    const withMs = { uuid: crypto.randomUUID(), identifier: unique("zz-ms") };
    const whole = { uuid: crypto.randomUUID(), identifier: unique("zz-whole") };
    const none = { uuid: crypto.randomUUID(), identifier: unique("zz-none") };
    const insert =
      "INSERT INTO tokens (uuid, identifier, user_id, intent, expiring, expires, key_hash) " +
      "VALUES (?1, ?2, ?3, 'api', 1, ?4, ?5)";
    await env.DB.batch([
      env.DB.prepare(insert).bind(
        withMs.uuid,
        withMs.identifier,
        owner.id,
        Date.UTC(2024, 7, 23, 12, 30, 5, 123),
        crypto.randomUUID(),
      ),
      env.DB.prepare(insert).bind(
        whole.uuid,
        whole.identifier,
        owner.id,
        Date.UTC(2030, 0, 2, 3, 4, 5),
        crypto.randomUUID(),
      ),
      env.DB.prepare(insert).bind(none.uuid, none.identifier, owner.id, null, crypto.randomUUID()),
    ]);
    const reply = await get(`/api/v3/core/users/${owner.id}/used_by/`);
    expect(reply.status).toBe(200);
    // ordered by name within each relation
    expect(reply.body).toEqual([
      { app: "authentik_core", model_name: "token", pk: apiToken!.uuid, name: apiToken!.identifier, action: "cascade" },
      {
        app: "authentik_core",
        model_name: "token",
        pk: withMs.uuid,
        name: `${withMs.identifier} (expires=2024-08-23 12:30:05.123000+00:00)`,
        action: "cascade",
      },
      {
        app: "authentik_core",
        model_name: "token",
        pk: none.uuid,
        name: `${none.identifier} (expires=None)`,
        action: "cascade",
      },
      {
        app: "authentik_core",
        model_name: "token",
        pk: whole.uuid,
        name: `${whole.identifier} (expires=2030-01-02 03:04:05+00:00)`,
        action: "cascade",
      },
      {
        app: RAC,
        model_name: "connectiontoken",
        pk: world.ownerToken,
        name: tokenName(world.ownerToken, provider.pk, endpoint.pk),
        action: "cascade",
      },
    ]);
  });

  it("never lists expired connection tokens, on the provider, the endpoint or the user", async () => {
    const provider = await makeProvider();
    const endpoint = await created("/api/v3/rac/endpoints/", endpointBody(provider.pk));
    const user = await makeUser();
    const live = await addToken(endpoint.pk, provider.pk, user.id);
    const expired = await addToken(endpoint.pk, provider.pk, user.id);
    await env.DB.prepare("UPDATE connection_tokens SET expires = ?2 WHERE uuid = ?1")
      .bind(expired, Date.now() - 1)
      .run();
    for (const path of [
      `/api/v3/providers/rac/${provider.pk}/`,
      `/api/v3/rac/endpoints/${endpoint.pk}/`,
      `/api/v3/core/users/${user.id}/`,
    ]) {
      const listed = ((await get(`${path}used_by/`)).body as { pk: string; model_name: string }[]).filter(
        (item) => item.model_name === "connectiontoken",
      );
      expect(
        listed.map((item) => item.pk),
        path,
      ).toEqual([live]);
    }
  });

  it("applications, API tokens and connection tokens: nothing points at them", async () => {
    expect(await get(`/api/v3/core/applications/${world.application.slug}/used_by/`)).toMatchObject({
      status: 200,
      body: [],
    });
    const identifier = await env.DB.prepare("SELECT identifier FROM tokens WHERE user_id = ?1 LIMIT 1")
      .bind(world.owner.id)
      .first<string>("identifier");
    expect(await get(`/api/v3/core/tokens/${identifier}/used_by/`)).toMatchObject({ status: 200, body: [] });
    const caller = {
      userId: world.adminId,
      username: "akadmin",
      superuser: true,
      tokenIdentifier: "t",
      outpostId: null,
      keyExpires: null,
    };
    expect(await usedBy(env.DB, caller, `${RAC}.connectiontoken`, world.adminToken)).toEqual([]);
  });

  it("the helper for other modules answers like the routes", async () => {
    const caller = {
      userId: world.adminId,
      username: "akadmin",
      superuser: true,
      tokenIdentifier: "t",
      outpostId: null,
      keyExpires: null,
    };
    expect(await usedBy(env.DB, caller, `${RAC}.endpoint`, world.endpoint.pk)).toEqual(
      (await get(`/api/v3/rac/endpoints/${world.endpoint.pk}/used_by/`)).body,
    );
  });
});

describe("used_by access", () => {
  it("any authenticated user may call it on an existing object; they see only what they may view", async () => {
    const user = await makeUser();
    const paths = [
      `/api/v3/providers/rac/${world.provider.pk}/used_by/`,
      `/api/v3/rac/endpoints/${world.endpoint.pk}/used_by/`,
      `/api/v3/propertymappings/provider/rac/${world.mappingA.pk}/used_by/`,
      `/api/v3/outposts/instances/${world.outpost.pk}/used_by/`,
      `/api/v3/flows/instances/${world.authorization.slug}/used_by/`,
    ];
    for (const path of paths) expect(await get(path, { token: user.token })).toMatchObject({ status: 200, body: [] });
  });

  it("global and object view grants reveal the matching objects only", async () => {
    const user = await makeUser();
    const path = `/api/v3/providers/rac/${world.provider.pk}/used_by/`;
    await grant(user.id, [`${RAC}.view_endpoint`]);
    expect(
      (await get(path, { token: user.token })).body.map((item: { model_name: string }) => item.model_name),
    ).toEqual(["endpoint"]);
    await grant(user.id, ["authentik_outposts.view_outpost"], {
      model: "authentik_outposts.outpost",
      pk: world.outpost.pk,
    });
    await grant(user.id, [`${RAC}.view_connectiontoken`], { model: `${RAC}.connectiontoken`, pk: world.adminToken });
    const reply = await get(path, { token: user.token });
    expect(reply.body.map((item: { model_name: string; pk: string }) => [item.model_name, item.pk])).toEqual([
      ["endpoint", world.endpoint.pk],
      ["connectiontoken", world.adminToken],
      ["outpost", world.outpost.pk],
    ]);
    await grant(user.id, ["authentik_core.view_application", `${RAC}.view_racpropertymapping`]);
    expect((await get(path, { token: user.token })).body).toEqual(
      (await get(path)).body.filter((item: { pk: string }) => item.pk !== world.ownerToken),
    );
  });

  it("owners see their own connection tokens and API tokens without a grant", async () => {
    const { owner, provider, endpoint } = world;
    expect((await get(`/api/v3/rac/endpoints/${endpoint.pk}/used_by/`, { token: owner.token })).body).toEqual([
      {
        app: RAC,
        model_name: "connectiontoken",
        pk: world.ownerToken,
        name: tokenName(world.ownerToken, provider.pk, endpoint.pk),
        action: "cascade",
      },
    ]);
    const own = (await get(`/api/v3/core/users/${owner.id}/used_by/`, { token: owner.token })).body;
    expect(own.length).toBeGreaterThan(1);
    expect(own).toEqual((await get(`/api/v3/core/users/${owner.id}/used_by/`)).body);
  });

  it("a missing or malformed object is 404; no credentials is 403", async () => {
    const user = await makeUser();
    const missing = [
      "/api/v3/providers/rac/999999/used_by/",
      "/api/v3/providers/rac/abc/used_by/",
      `/api/v3/rac/endpoints/${crypto.randomUUID()}/used_by/`,
      `/api/v3/propertymappings/provider/rac/${crypto.randomUUID()}/used_by/`,
      `/api/v3/outposts/instances/${crypto.randomUUID()}/used_by/`,
      "/api/v3/flows/instances/no-such-flow/used_by/",
      "/api/v3/core/users/999999/used_by/",
      "/api/v3/core/applications/no-such-app/used_by/",
      "/api/v3/core/tokens/no-such-token/used_by/",
    ];
    for (const path of missing) {
      expect(await get(path, { token: user.token })).toMatchObject({ status: 404, body: { detail: "Not found." } });
    }
    expect(await get(`/api/v3/providers/rac/${world.provider.pk}/used_by/`, { token: null })).toMatchObject({
      status: 403,
      body: { detail: "Authentication credentials were not provided." },
    });
    expect((await post(`/api/v3/providers/rac/${world.provider.pk}/used_by/`, {})).status).toBe(405);
  });
});

describe("used_by query cost", () => {
  it("is the same for 1 and for 60 referencing objects", async () => {
    const small = await makeProvider();
    await created("/api/v3/rac/endpoints/", endpointBody(small.pk));
    const large = await makeProvider();
    const statements = [];
    for (let i = 0; i < 60; i++) {
      const uuid = crypto.randomUUID();
      statements.push(
        env.DB.prepare(
          "INSERT INTO endpoints (uuid, name, provider_id, protocol, host, auth_mode) " +
            "VALUES (?1, ?2, ?3, 'rdp', 'h', 'static')",
        ).bind(uuid, unique("bulk"), large.pk),
        env.DB.prepare(
          "INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, created) " +
            "VALUES (?1, ?2, ?3, ?4, ?5, 0)",
        ).bind(crypto.randomUUID(), large.pk, uuid, world.adminId, crypto.randomUUID()),
      );
    }
    await env.DB.batch(statements);
    const user = await makeUser();
    await grant(user.id, [`${RAC}.view_endpoint`]);
    const { db, counter } = countingDb(env.DB);
    const customEnv = { ...env, DB: db };
    await callWith(customEnv, "GET", `/api/v3/providers/rac/${small.pk}/used_by/`); // warm the isolate's bootstrap
    for (const token of [undefined, user.token]) {
      counter.queries = 0;
      const one = await callWith(customEnv, "GET", `/api/v3/providers/rac/${small.pk}/used_by/`, token);
      const oneCost = counter.queries;
      counter.queries = 0;
      const many = await callWith(customEnv, "GET", `/api/v3/providers/rac/${large.pk}/used_by/`, token);
      expect(one.body).toHaveLength(1);
      expect(many.body).toHaveLength(token === undefined ? 120 : 60);
      expect(counter.queries).toBe(oneCost);
      expect(counter.queries).toBeLessThanOrEqual(3);
    }
  });
});
