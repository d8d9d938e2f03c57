/**
 * @rac-edge/client (its built dist) against the Worker: every method once, end to end through D1.
 * Every answer the client receives is also checked against the OpenAPI document.
 */

import { ApiError, type Client, createClient } from "@rac-edge/client";
import { RESOURCES } from "@rac-edge/core";
import { describe, expect, it } from "vitest";
import { ADMIN, BASE, checkedFetch, makeUser, unique } from "./helpers.ts";
import { servedDocument } from "./openapiCheck.ts";

const clientFor = (token: string): Client => createClient({ baseUrl: `${BASE}/`, token, fetch: checkedFetch });
const admin = clientFor(ADMIN);

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** Every method and path the client calls, found by calling each of its functions against a recording fetch. */
async function clientOperations(): Promise<Set<string>> {
  const calls = new Set<string>();
  const recorder = createClient({
    baseUrl: BASE,
    token: "recorded",
    fetch: async (request) => {
      calls.add(`${request.method} ${new URL(request.url).pathname.replace(/\/KEY\//g, "/{}/")}`);
      return Response.json({ pagination: { next: 0 }, results: [] });
    },
  });
  const walk = async (node: object, top: boolean): Promise<void> => {
    for (const [name, value] of Object.entries(node)) {
      if (top && (name === "request" || name === "bookmark")) continue;
      if (typeof value !== "function") await walk(value, false);
      else if (name === "all") await value("KEY").next();
      else await value("KEY", {});
    }
  };
  await walk(recorder, true);
  return calls;
}

describe("@rac-edge/client and the document", () => {
  it("calls exactly the document's operations (method and path), but the descriptors' aliases", async () => {
    const document = await servedDocument();
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} /api/v3${path.replace(/\{[^}]+\}/g, "{}")}`),
    );
    const aliases = Object.values(RESOURCES).flatMap((descriptor) => descriptor.aliases);
    const isAlias = (operation: string) =>
      aliases.some((alias) => operation.split(" ")[1]!.startsWith(`/api/v3/${alias}`));
    const called = [...(await clientOperations())];
    expect(called.filter(isAlias)).toEqual([]);
    expect(called.sort()).toEqual(documented.filter((operation) => !isAlias(operation)).sort());
    expect(documented.filter(isAlias).length).toBeGreaterThan(0);
  });
});

describe("@rac-edge/client against the Worker", () => {
  it("flows and RAC providers: create, list, every page, retrieve, update, patch, used_by, delete", async () => {
    const slug = unique("flow");
    const flow = await admin.flows.instances.create({
      name: slug,
      slug,
      title: "Authorize",
      designation: "authorization",
    });
    expect(await admin.flows.instances.retrieve(slug)).toEqual(flow);
    expect(
      (await admin.flows.instances.update(slug, { name: slug, slug, title: "Renamed", designation: "authorization" }))
        .title,
    ).toBe("Renamed");
    expect((await admin.flows.instances.partialUpdate(slug, { title: "Again" })).title).toBe("Again");

    const prefix = unique("p");
    const created = [];
    for (let index = 0; index < 5; index++)
      created.push(await admin.providers.rac.create({ name: `${prefix}-${index}`, authorization_flow: flow.pk }));
    const page = await admin.providers.rac.list({ search: prefix, page_size: 2, ordering: "-name" });
    expect(page.pagination).toMatchObject({ count: 5, total_pages: 3, next: 2 });
    expect(page.results.map((provider) => provider.name)).toEqual([`${prefix}-4`, `${prefix}-3`]);
    const names: string[] = [];
    for await (const provider of admin.providers.rac.all({ search: prefix, page_size: 2 })) names.push(provider.name);
    expect(names).toEqual(created.map((provider) => provider.name));

    const provider = created[0]!;
    expect(await admin.providers.rac.retrieve(provider.pk)).toEqual(provider);
    const updated = await admin.providers.rac.update(provider.pk, {
      name: provider.name,
      authorization_flow: flow.pk,
      connection_expiry: "minutes=5",
    });
    expect(updated.connection_expiry).toBe("minutes=5");
    expect(
      (await admin.providers.rac.partialUpdate(provider.pk, { delete_token_on_disconnect: true }))
        .delete_token_on_disconnect,
    ).toBe(true);
    expect((await admin.flows.instances.usedBy(slug)).map((used) => used.pk)).toContain(String(provider.pk));
    expect(await admin.providers.rac.usedBy(provider.pk)).toEqual([]);
    for (const each of created) await admin.providers.rac.destroy(each.pk);
    expect((await apiError(admin.providers.rac.retrieve(provider.pk))).status).toBe(404);
    await admin.flows.instances.destroy(slug);
  });

  it("endpoints, property mappings, launch, connection tokens and the gateway", async () => {
    const slug = unique("flow");
    const flow = await admin.flows.instances.create({ name: slug, slug, title: slug, designation: "authorization" });
    const provider = await admin.providers.rac.create({
      name: unique("provider"),
      authorization_flow: flow.pk,
      delete_token_on_disconnect: true,
    });
    const mapping = await admin.propertyMappings.rac.create({
      name: unique("mapping"),
      static_settings: { "color-depth": 16 },
    });
    expect(await admin.propertyMappings.rac.list({ name: mapping.name })).toMatchObject({ results: [mapping] });
    expect(
      (
        await admin.propertyMappings.rac.update(mapping.pk, {
          name: mapping.name,
          static_settings: { "color-depth": 24 },
        })
      ).static_settings,
    ).toEqual({
      "color-depth": 24,
    });
    const endpoint = await admin.rac.endpoints.create({
      name: unique("endpoint"),
      provider: provider.pk,
      protocol: "rdp",
      host: "10.0.0.5:3389",
      auth_mode: "prompt",
      property_mappings: [mapping.pk],
      maximum_connections: 2,
    });
    expect(await admin.rac.endpoints.retrieve(endpoint.pk)).toEqual(endpoint);
    expect((await admin.rac.endpoints.list({ provider: provider.pk })).results).toEqual([endpoint]);
    expect((await admin.rac.endpoints.partialUpdate(endpoint.pk, { maximum_connections: 3 })).maximum_connections).toBe(
      3,
    );
    expect((await admin.propertyMappings.rac.usedBy(mapping.pk)).map((used) => used.pk)).toEqual([endpoint.pk]);

    // Launch: prompt settings are required, the secret is shown once.
    expect((await apiError(admin.rac.endpoints.launch(endpoint.pk))).body).toMatchObject({
      settings: expect.any(Array),
    });
    const launched = await admin.rac.endpoints.launch(endpoint.pk, {
      settings: { username: "ada", password: "secret" },
    });
    expect(launched).toMatchObject({ provider: provider.pk, endpoint: endpoint.pk, token: expect.any(String) });
    const { token: secret, ...token } = launched;
    expect(await admin.rac.connectionTokens.retrieve(token.pk)).toEqual(token);
    expect((await admin.rac.connectionTokens.list({ endpoint: endpoint.pk })).results).toEqual([token]);
    expect(await admin.rac.connectionTokens.update(token.pk, { provider: provider.pk, endpoint: endpoint.pk })).toEqual(
      token,
    );
    expect(await admin.rac.connectionTokens.partialUpdate(token.pk, { endpoint: endpoint.pk })).toEqual(token);
    expect(await admin.rac.connectionTokens.usedBy(token.pk)).toEqual([]);
    expect((await admin.rac.endpoints.usedBy(endpoint.pk)).map((used) => used.model_name).sort()).toEqual([
      "connectiontoken",
      "racpropertymapping",
    ]);

    // The gateway, with the outpost's own API token.
    const outpost = await admin.outposts.instances.create({
      name: unique("outpost"),
      type: "rac",
      providers: [provider.pk],
    });
    const { key } = await admin.core.tokens.viewKey(outpost.token_identifier);
    expect((await apiError(admin.core.tokens.viewKey(outpost.token_identifier))).status).toBe(410);
    const gateway = clientFor(key);
    const connection = await gateway.rac.gateway.connect(secret);
    expect(connection).toMatchObject({ connection_token: token.pk, protocol: "rdp" });
    expect(connection.settings).toMatchObject({
      hostname: "10.0.0.5",
      port: "3389",
      "color-depth": "24",
      username: "ada",
      password: "secret",
    });
    expect(await gateway.rac.gateway.disconnect(secret)).toEqual({ connection_token: token.pk, deleted: true });
    expect((await apiError(gateway.rac.gateway.connect(secret))).status).toBe(404);

    // A second token, revoked through the API.
    const second = await admin.rac.endpoints.launch(endpoint.pk, { settings: { username: "ada", password: "x" } });
    await admin.rac.connectionTokens.destroy(second.pk);
    expect((await apiError(admin.rac.connectionTokens.retrieve(second.pk))).status).toBe(404);

    expect((await admin.outposts.instances.retrieve(outpost.pk)).providers).toEqual([provider.pk]);
    expect((await admin.outposts.instances.partialUpdate(outpost.pk, { name: unique("renamed") })).providers).toEqual([
      provider.pk,
    ]);
    expect(
      (await admin.outposts.instances.list({ providers_by_pk: [provider.pk] })).results.map((each) => each.pk),
    ).toEqual([outpost.pk]);
    expect(await admin.outposts.instances.usedBy(outpost.pk)).toMatchObject([{ pk: String(provider.pk) }]);
    await admin.outposts.instances.destroy(outpost.pk);
    await admin.rac.endpoints.destroy(endpoint.pk);
    await admin.propertyMappings.rac.destroy(mapping.pk);
    await admin.providers.rac.destroy(provider.pk);
  });

  it("users, API tokens, applications and RBAC assign/unassign", async () => {
    const username = unique("user");
    const user = await admin.core.users.create({ username, name: "Ada" });
    expect(await admin.core.users.retrieve(user.pk)).toEqual(user);
    expect((await admin.core.users.list({ username })).results).toEqual([user]);
    expect((await admin.core.users.update(user.pk, { username, name: "Ada L." })).name).toBe("Ada L.");
    expect((await admin.core.users.partialUpdate(user.pk, { is_active: true })).is_active).toBe(true);

    const identifier = unique("token");
    const token = await admin.core.tokens.create({ identifier, user: user.pk, expiring: false });
    expect(await admin.core.tokens.retrieve(identifier)).toEqual(token);
    expect((await admin.core.tokens.partialUpdate(identifier, { description: "ci" })).description).toBe("ci");
    expect((await admin.core.tokens.list({ identifier })).results.map((each) => each.identifier)).toEqual([identifier]);
    expect((await admin.core.users.usedBy(user.pk)).map((used) => used.pk)).toEqual([token.pk]);
    const { key } = await admin.core.tokens.viewKey(identifier);
    const asUser = clientFor(key);

    // No grant: an empty list and a 403 on create; then a global grant, then none again.
    expect((await asUser.core.applications.list()).results).toEqual([]);
    expect((await apiError(asUser.core.applications.create({ name: "x", slug: unique("x") }))).body).toEqual({
      detail: "You do not have permission to perform this action.",
    });
    const assigned = await admin.rbac.assign(user.pk, {
      permissions: ["authentik_core.add_application", "authentik_core.view_application"],
    });
    expect(assigned).toEqual([{ id: expect.any(String) }, { id: expect.any(String) }]);
    // Assigning again is no change: the same rows, the same ids.
    expect(
      await admin.rbac.assign(user.pk, {
        permissions: ["authentik_core.add_application", "authentik_core.view_application"],
      }),
    ).toEqual(assigned);
    const slug = unique("app");
    const application = await asUser.core.applications.create({ name: "App", slug });
    expect(await asUser.core.applications.retrieve(slug)).toEqual(application);
    expect((await admin.core.applications.update(slug, { name: "App 2", slug })).name).toBe("App 2");
    expect((await admin.core.applications.partialUpdate(slug, { group: "g" })).group).toBe("g");
    expect(await admin.core.applications.usedBy(slug)).toEqual([]);
    await admin.rbac.unassign(user.pk, { permissions: ["authentik_core.view_application"] });
    expect((await apiError(asUser.core.applications.retrieve(slug))).status).toBe(404);
    expect((await apiError(admin.rbac.assign(user.pk, { permissions: ["nope"] }))).body).toEqual({
      permissions: ['Permission "nope" does not exist.'],
    });

    await admin.core.applications.destroy(slug);
    await admin.core.tokens.destroy(identifier);
    await admin.core.users.destroy(user.pk);
    expect((await apiError(admin.core.users.retrieve(user.pk))).status).toBe(404);
  });

  it("events: the audit trail of the client's own writes, filtered, every page, retrieve", async () => {
    const slug = unique("flow");
    const flow = await admin.flows.instances.create({ name: slug, slug, title: slug, designation: "authorization" });
    await admin.flows.instances.destroy(slug);
    const page = await admin.events.events.list({ context_model_pk: flow.pk, ordering: "created" });
    expect(page.results.map((event) => event.action)).toEqual(["model_created", "model_deleted"]);
    const all = [];
    for await (const event of admin.events.events.all({ context_model_name: "flow", search: slug, page_size: 1 }))
      all.push(event);
    expect(all.map((event) => event.pk).sort()).toEqual(page.results.map((event) => event.pk).sort());
    expect(await admin.events.events.retrieve(page.results[0]!.pk)).toEqual(page.results[0]);
    const nobody = await makeUser();
    expect((await clientFor(nobody.token).events.events.list()).results).toEqual([]);
  });

  it("answers errors as ApiError with authentik's bodies, and serves the document", async () => {
    const error = await apiError(admin.providers.rac.create({ name: "", authorization_flow: "not-a-uuid" }));
    expect(error.status).toBe(400);
    expect(error.body).toEqual({
      name: ["This field may not be blank."],
      authorization_flow: ["“not-a-uuid” is not a valid UUID."],
    });
    const stranger = await makeUser();
    expect((await apiError(clientFor(`${stranger.token}-wrong`).providers.rac.list())).body).toEqual({
      detail: "Token invalid/expired",
    });
    expect((await clientFor(stranger.token).providers.rac.list()).results).toEqual([]);
    expect((await admin.schema()).openapi).toBe("3.1.0");
  });
});
