import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { del, get, grant, makeFlow, makeProvider, makeUser, patch, post, put, roundTrips, unique } from "./helpers.ts";

const LIST = "/api/v3/providers/rac/";
let flow: string;

beforeAll(async () => {
  flow = (await makeFlow()).pk;
});

const RAC_CONSTANTS = {
  component: "ak-provider-rac-form",
  verbose_name: "RAC Provider",
  verbose_name_plural: "RAC Providers",
  meta_model_name: "authentik_providers_rac.racprovider",
};

describe("create (reference cases 1-8)", () => {
  it("1: creates with authentik's defaults and the full RACProvider shape", async () => {
    const reply = await post(LIST, { name: "p1", authorization_flow: flow });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      pk: expect.any(Number),
      name: "p1",
      authentication_flow: null,
      authorization_flow: flow,
      property_mappings: [],
      ...RAC_CONSTANTS,
      assigned_application_slug: null,
      assigned_application_name: null,
      assigned_backchannel_application_slug: null,
      assigned_backchannel_application_name: null,
      settings: {},
      outpost_set: [],
      connection_expiry: "hours=8",
      delete_token_on_disconnect: false,
    });
  });

  it.each([
    [{ name: "p2" }, { authorization_flow: ["This field is required."] }],
    [{ name: "p2", authorization_flow: null }, { authorization_flow: ["This field may not be null."] }],
    [{ authorization_flow: "FLOW" }, { name: ["This field is required."] }],
    [{ name: "", authorization_flow: "FLOW" }, { name: ["This field may not be blank."] }],
    [{ name: "p1", authorization_flow: "FLOW" }, { name: ["provider with this name already exists."] }],
    [{ name: "p3", authorization_flow: "not-a-uuid" }, { authorization_flow: ["“not-a-uuid” is not a valid UUID."] }],
  ])("2-7: %j -> 400 %j", async (input, expected) => {
    const body = JSON.parse(JSON.stringify(input).replaceAll("FLOW", flow));
    const before = await env.DB.prepare("SELECT count(*) AS n FROM providers").first("n");
    const reply = await post(LIST, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM providers").first("n")).toBe(before);
  });

  it("answers every problem of a body in one 400: field formats and unknown references together", async () => {
    const missing = crypto.randomUUID();
    const mapping = crypto.randomUUID();
    const before = await env.DB.prepare("SELECT count(*) AS n FROM providers").first("n");
    const reply = await post(LIST, {
      name: "",
      authorization_flow: missing,
      property_mappings: [mapping],
      connection_expiry: "fortnights=1",
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      name: ["This field may not be blank."],
      authorization_flow: [`Invalid pk "${missing}" - object does not exist.`],
      property_mappings: [`Invalid pk "${mapping}" - object does not exist.`],
      connection_expiry: ["fortnights=1 is not in the correct format of 'hours=3;minutes=1'."],
    });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM providers").first("n")).toBe(before);
    const provider = await makeProvider();
    const update = await patch(`${LIST}${provider.pk}/`, {
      delete_token_on_disconnect: "maybe",
      authentication_flow: missing,
    });
    expect(update.body).toEqual({
      delete_token_on_disconnect: ["Must be a valid boolean."],
      authentication_flow: [`Invalid pk "${missing}" - object does not exist.`],
    });
  });

  it('reads authentication_flow "" as null, as DRF\'s relational fields do', async () => {
    const authentication = await makeFlow();
    const created = await post(LIST, { name: unique("p"), authorization_flow: flow, authentication_flow: "" });
    expect(created).toMatchObject({ status: 201, body: { authentication_flow: null } });
    const path = `${LIST}${created.body.pk}/`;
    expect((await patch(path, { authentication_flow: authentication.pk })).body.authentication_flow).toBe(
      authentication.pk,
    );
    expect((await patch(path, { authentication_flow: "" })).body.authentication_flow).toBeNull();
    expect((await get(path)).body.authentication_flow).toBeNull();
    // Not where null is not allowed: a required reference stays required.
    expect((await patch(path, { authorization_flow: "" })).body).toEqual({
      authorization_flow: ["“” is not a valid UUID."],
    });
  });

  it("8: an unknown flow id", async () => {
    const missing = crypto.randomUUID();
    const reply = await post(LIST, { name: "p8", authorization_flow: missing });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ authorization_flow: [`Invalid pk "${missing}" - object does not exist.`] });
  });

  it("unknown property mappings are refused before any write", async () => {
    const missing = crypto.randomUUID();
    const reply = await post(LIST, { name: unique("p"), authorization_flow: flow, property_mappings: [missing] });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ property_mappings: [`Invalid pk "${missing}" - object does not exist.`] });
  });
});

describe("connection_expiry and other PATCHes (reference cases 9-23)", () => {
  it.each([
    ["foo", 400, ["foo is not in the correct format of 'hours=3;minutes=1'."]],
    ["hours=1;minutes=2;seconds=3", 200, "hours=1;minutes=2;seconds=3"],
    ["hours=-1;minutes=-2;seconds=-3", 200, "hours=-1;minutes=-2;seconds=-3"],
    ["hours=0", 200, "hours=0"],
    ["", 400, ["This field may not be blank."]],
    ["hours=1;", 400, ["hours=1; is not in the correct format of 'hours=3;minutes=1'."]],
    ["minute=5", 200, "minute=5"], // documented difference: singular units are accepted
    ["HOURS=2", 200, "HOURS=2"],
    // difference: unknown keys refused
    ["foo=bar;hours=1", 400, ["foo=bar;hours=1 is not in the correct format of 'hours=3;minutes=1'."]],
    ["hours=1=2", 400, ["hours=1=2 is not in the correct format of 'hours=3;minutes=1'."]],
    ["  hours=1  ", 200, "hours=1"],
    ["hours=inf", 400, ["hours=inf is not in the correct format of 'hours=3;minutes=1'."]], // authentik: 500
    ["days=1000000000", 400, ["days=1000000000 is not in the correct format of 'hours=3;minutes=1'."]],
    [null, 400, ["This field may not be null."]],
    [true, 400, ["Not a valid string."]],
  ])("connection_expiry %j -> %d", async (value, status, expected) => {
    const provider = await makeProvider();
    const reply = await patch(`${LIST}${provider.pk}/`, { connection_expiry: value });
    expect(reply.status).toBe(status);
    if (status === 200) {
      expect(reply.body.connection_expiry).toBe(expected);
    } else {
      expect(reply.body).toEqual({ connection_expiry: expected });
      expect((await get(`${LIST}${provider.pk}/`)).body.connection_expiry).toBe("hours=8");
    }
  });

  it("22: delete_token_on_disconnect must be a boolean", async () => {
    const provider = await makeProvider();
    const reply = await patch(`${LIST}${provider.pk}/`, { delete_token_on_disconnect: "maybe" });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ delete_token_on_disconnect: ["Must be a valid boolean."] });
  });

  it("23: settings may be any JSON but null", async () => {
    const provider = await makeProvider();
    expect((await patch(`${LIST}${provider.pk}/`, { settings: null })).body).toEqual({
      settings: ["This field may not be null."],
    });
    const reply = await patch(`${LIST}${provider.pk}/`, { settings: ["a"] });
    expect(reply.status).toBe(200);
    expect(reply.body.settings).toEqual(["a"]);
  });

  it("the seed body of providers_rac_partial_update returns the full shape", async () => {
    const provider = await makeProvider();
    const authentication = (await makeFlow()).pk;
    const other = (await makeFlow()).pk;
    const name = unique("patched");
    const body = {
      authentication_flow: authentication,
      settings: { "enable-wallpaper": "true" },
      authorization_flow: other,
      delete_token_on_disconnect: true,
      name,
      connection_expiry: "hours=1;minutes=30",
      property_mappings: [],
    };
    const reply = await patch(`${LIST}${provider.pk}/`, body);
    expect(reply.status).toBe(200);
    const expected = {
      pk: provider.pk,
      name,
      authentication_flow: authentication,
      authorization_flow: other,
      property_mappings: [],
      ...RAC_CONSTANTS,
      assigned_application_slug: null,
      assigned_application_name: null,
      assigned_backchannel_application_slug: null,
      assigned_backchannel_application_name: null,
      settings: { "enable-wallpaper": "true" },
      outpost_set: [],
      connection_expiry: "hours=1;minutes=30",
      delete_token_on_disconnect: true,
    };
    expect(reply.body).toEqual(expected);
    expect((await get(`${LIST}${provider.pk}/`)).body).toEqual(expected);
  });

  it("24: PUT keeps omitted optional fields", async () => {
    const provider = await makeProvider({ settings: { a: 1 } });
    const reply = await put(`${LIST}${provider.pk}/`, { name: provider.name, authorization_flow: flow });
    expect(reply.status).toBe(200);
    expect(reply.body.settings).toEqual({ a: 1 });
  });

  it("PUT requires the required fields", async () => {
    const provider = await makeProvider();
    const reply = await put(`${LIST}${provider.pk}/`, { settings: {} });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ name: ["This field is required."], authorization_flow: ["This field is required."] });
  });

  it("renaming onto another provider's name is refused and changes nothing", async () => {
    const a = await makeProvider();
    const b = await makeProvider();
    const reply = await patch(`${LIST}${b.pk}/`, { name: a.name, settings: { changed: true } });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ name: ["provider with this name already exists."] });
    expect((await get(`${LIST}${b.pk}/`)).body).toEqual(b);
  });
});

describe("list, retrieve, delete (reference cases 26-28, 63-64)", () => {
  it("26: name__iexact, search and default ordering by name", async () => {
    const prefix = unique("srch");
    // Suffixes use letters that the prefix's hex can never contain.
    await makeProvider({ name: `${prefix}-zulu` });
    await makeProvider({ name: `${prefix}-Kilo` });
    const exact = await get(`${LIST}?name__iexact=${prefix.toUpperCase()}-KILO`);
    expect(exact.body.results.map((p: { name: string }) => p.name)).toEqual([`${prefix}-Kilo`]);
    const search = await get(`${LIST}?search=${prefix}`);
    expect(search.body.results.map((p: { name: string }) => p.name)).toEqual([`${prefix}-Kilo`, `${prefix}-zulu`]);
    const descending = await get(`${LIST}?search=${prefix}&ordering=-name,bogus`);
    expect(descending.body.results.map((p: { name: string }) => p.name)).toEqual([`${prefix}-zulu`, `${prefix}-Kilo`]);
    const terms = await get(`${LIST}?search=${encodeURIComponent(`${prefix} ZUL`)}`);
    expect(terms.body.results.map((p: { name: string }) => p.name)).toEqual([`${prefix}-zulu`]);
  });

  it("application__isnull filters on the linked application", async () => {
    const provider = await makeProvider();
    await env.DB.prepare("INSERT INTO applications (uuid, name, slug, provider_id) VALUES (?1, 'App', ?2, ?3)")
      .bind(crypto.randomUUID(), unique("app"), provider.pk)
      .run();
    const withApp = await get(`${LIST}?application__isnull=false&page_size=1000`);
    expect(withApp.body.results.map((p: { pk: number }) => p.pk)).toContain(provider.pk);
    const linked = withApp.body.results.find((p: { pk: number }) => p.pk === provider.pk);
    expect(linked.assigned_application_name).toBe("App");
    const withoutApp = await get(`${LIST}?application__isnull=true&page_size=1000`);
    expect(withoutApp.body.results.map((p: { pk: number }) => p.pk)).not.toContain(provider.pk);
  });

  it("27: unknown and malformed ids are 404", async () => {
    expect(await get(`${LIST}999999/`)).toMatchObject({ status: 404, body: { detail: "Not found." } });
    expect(await get(`${LIST}abc/`)).toMatchObject({ status: 404, body: { detail: "Not found." } });
  });

  it("28: delete answers 204 with no body and removes the provider", async () => {
    const provider = await makeProvider();
    const reply = await del(`${LIST}${provider.pk}/`);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect((await get(`${LIST}${provider.pk}/`)).status).toBe(404);
  });

  it("28: delete cascades to endpoints and connection tokens in the database", async () => {
    const provider = await makeProvider();
    const endpoint = crypto.randomUUID();
    const admin = await env.DB.prepare("SELECT id FROM users WHERE username = 'akadmin'").first<{ id: number }>();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO endpoints (uuid, name, provider_id, protocol, host, auth_mode) " +
          "VALUES (?1, 'e', ?2, 'rdp', 'h', 'static')",
      ).bind(endpoint, provider.pk),
      env.DB.prepare(
        "INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, created) " +
          "VALUES (?1, ?2, ?3, ?4, ?5, 0)",
      ).bind(crypto.randomUUID(), provider.pk, endpoint, admin!.id, crypto.randomUUID()),
    ]);
    expect((await del(`${LIST}${provider.pk}/`)).status).toBe(204);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM endpoints WHERE provider_id = ?1").bind(provider.pk).first("n"),
    ).toBe(0);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM connection_tokens WHERE provider_id = ?1")
        .bind(provider.pk)
        .first("n"),
    ).toBe(0);
  });

  it("63: a page past the end is 404, bad page sizes fall back to 100", async () => {
    const count = (await get(LIST)).body.pagination.count;
    const pages = Math.max(1, Math.ceil(count / 100));
    expect(await get(`${LIST}?page=${pages + 1}`)).toMatchObject({ status: 404, body: { detail: "Invalid page." } });
    expect(await get(`${LIST}?page=abc`)).toMatchObject({ status: 404, body: { detail: "Invalid page." } });
    expect((await get(`${LIST}?page_size=0`)).body.pagination.total_pages).toBe(pages);
    expect((await get(`${LIST}?page_size=abc`)).body.pagination.total_pages).toBe(pages);
  });
});

describe("250 providers (reference case 64) and query cost", () => {
  it("64: page 2 of 250", async () => {
    const flowId = (await makeFlow()).pk;
    const existing = (await get(LIST)).body.pagination.count as number;
    const statements = [];
    for (let i = existing; i < 250; i++) {
      statements.push(
        env.DB.prepare("INSERT INTO providers (name, authorization_flow) VALUES (?1, ?2)").bind(unique("bulk"), flowId),
      );
    }
    if (statements.length > 0) await env.DB.batch(statements);
    const reply = await get(`${LIST}?page=2&page_size=100`);
    expect(reply.body.pagination).toEqual({
      next: 3,
      previous: 1,
      count: 250,
      current: 2,
      total_pages: 3,
      start_index: 101,
      end_index: 200,
    });
    expect(reply.body.results).toHaveLength(100);
  });

  it("a list of 100 providers costs a constant number of D1 queries", async () => {
    const one = await roundTrips(`${LIST}?page_size=1`);
    const hundred = await roundTrips(`${LIST}?page_size=100`);
    expect(one.body.results).toHaveLength(1);
    expect(hundred.body.results).toHaveLength(100);
    expect(hundred.queries).toBe(one.queries);
    expect(hundred.queries).toBeLessThanOrEqual(2);
  });
});

describe("permissions (reference case 62, spec section 2)", () => {
  it("no grant: an empty list (documented difference), 403 on create, 404 on objects", async () => {
    const user = await makeUser();
    const provider = await makeProvider();
    const list = await get(LIST, { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      pagination: { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 },
      results: [],
    });
    const create = await post(LIST, { name: unique("p"), authorization_flow: flow }, { token: user.token });
    expect(create).toMatchObject({
      status: 403,
      body: { detail: "You do not have permission to perform this action." },
    });
    expect((await get(`${LIST}${provider.pk}/`, { token: user.token })).status).toBe(404);
    expect((await patch(`${LIST}${provider.pk}/`, { name: "x" }, { token: user.token })).status).toBe(404);
    expect((await del(`${LIST}${provider.pk}/`, { token: user.token })).status).toBe(404);
  });

  it("global grants: view sees all, add creates, change and delete need their own grants", async () => {
    const user = await makeUser();
    const provider = await makeProvider();
    await grant(user.id, ["authentik_providers_rac.view_racprovider"]);
    const list = await get(`${LIST}?page_size=1000`, { token: user.token });
    expect(list.body.pagination.count).toBe((await get(LIST)).body.pagination.count);
    expect((await get(`${LIST}${provider.pk}/`, { token: user.token })).status).toBe(200);
    expect((await patch(`${LIST}${provider.pk}/`, { name: "x" }, { token: user.token })).status).toBe(403);
    expect((await del(`${LIST}${provider.pk}/`, { token: user.token })).status).toBe(403);
    // Writes may reference only flows the caller may view (issue 10).
    await grant(user.id, ["authentik_flows.view_flow"]);
    await grant(user.id, [
      "authentik_providers_rac.add_racprovider",
      "authentik_providers_rac.change_racprovider",
      "authentik_providers_rac.delete_racprovider",
    ]);
    expect((await post(LIST, { name: unique("p"), authorization_flow: flow }, { token: user.token })).status).toBe(201);
    expect(
      (await patch(`${LIST}${provider.pk}/`, { connection_expiry: "hours=2" }, { token: user.token })).status,
    ).toBe(200);
    expect((await del(`${LIST}${provider.pk}/`, { token: user.token })).status).toBe(204);
  });

  it("object grants: only that object is listed and changed", async () => {
    const user = await makeUser();
    const mine = await makeProvider();
    const other = await makeProvider();
    const model = "authentik_providers_rac.racprovider";
    await grant(user.id, ["authentik_providers_rac.view_racprovider", "authentik_providers_rac.change_racprovider"], {
      model,
      pk: mine.pk,
    });
    const list = await get(LIST, { token: user.token });
    expect(list.body.pagination.count).toBe(1);
    expect(list.body.results.map((p: { pk: number }) => p.pk)).toEqual([mine.pk]);
    expect((await patch(`${LIST}${mine.pk}/`, { connection_expiry: "hours=3" }, { token: user.token })).status).toBe(
      200,
    );
    expect((await get(`${LIST}${other.pk}/`, { token: user.token })).status).toBe(404);
    expect((await del(`${LIST}${mine.pk}/`, { token: user.token })).status).toBe(403);
    expect((await post(LIST, { name: unique("p"), authorization_flow: flow }, { token: user.token })).status).toBe(403);
  });

  it("unassign removes a grant", async () => {
    const user = await makeUser();
    await grant(user.id, ["authentik_providers_rac.view_racprovider"]);
    expect((await get(LIST, { token: user.token })).body.pagination.count).toBeGreaterThan(0);
    const reply = await patch(`/api/v3/rbac/permissions/assigned_by_users/${user.id}/unassign/`, {
      permissions: ["authentik_providers_rac.view_racprovider"],
    });
    expect(reply.status).toBe(204);
    expect((await get(LIST, { token: user.token })).body.pagination.count).toBe(0);
  });

  it("a superuser other than akadmin may do everything", async () => {
    const root = await makeUser({ superuser: true });
    const reply = await post(LIST, { name: unique("p"), authorization_flow: flow }, { token: root.token });
    expect(reply.status).toBe(201);
    expect((await del(`${LIST}${reply.body.pk}/`, { token: root.token })).status).toBe(204);
  });
});
