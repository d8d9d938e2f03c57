import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ENDPOINT_PROVIDER_JOIN, endpointColumns, endpointFromRow } from "../src/repositories/endpoints.ts";
import { callWith, countingDb, del, get, grant, makeProvider, makeUser, patch, post, put, unique } from "./helpers.ts";

const LIST = "/api/v3/rac/endpoints/";
const MODEL = "authentik_providers_rac.endpoint";
const HOST_MESSAGE = "Enter a host as name, name:port, [IPv6] or [IPv6]:port, with a port from 1 to 65535.";

let provider: { pk: number; name: string; [key: string]: unknown };

beforeAll(async () => {
  provider = await makeProvider();
});

const valid = (overrides: Record<string, unknown> = {}) => ({
  name: unique("e"),
  provider: provider.pk,
  protocol: "rdp",
  host: "10.0.0.1:3389",
  auth_mode: "prompt",
  ...overrides,
});

async function makeEndpoint(overrides: Record<string, unknown> = {}) {
  const reply = await post(LIST, valid(overrides));
  if (reply.status !== 201) throw new Error(`endpoint: ${reply.status} ${reply.text}`);
  return reply.body as { pk: string; name: string; [key: string]: any };
}

async function makeMapping() {
  const reply = await post("/api/v3/propertymappings/provider/rac/", { name: unique("m"), static_settings: {} });
  if (reply.status !== 201) throw new Error(`mapping: ${reply.status} ${reply.text}`);
  return reply.body as { pk: string; name: string };
}

async function linkApplication(providerPk: number) {
  const slug = unique("app");
  await env.DB.prepare("INSERT INTO applications (uuid, name, slug, provider_id) VALUES (?1, ?2, ?2, ?3)")
    .bind(crypto.randomUUID(), slug, providerPk)
    .run();
  return slug;
}

async function tableCounts() {
  const row = await env.DB.prepare(
    "SELECT (SELECT count(*) FROM endpoints) AS endpoints, " +
      "(SELECT count(*) FROM endpoint_property_mappings) AS links, " +
      "(SELECT group_concat(uuid || name || host || settings || maximum_connections) FROM endpoints) AS content",
  ).first();
  return row;
}

async function addToken(endpoint: string, providerPk: number, userId?: number) {
  const owner =
    userId ?? (await env.DB.prepare("SELECT id FROM users WHERE username = 'akadmin'").first<{ id: number }>())!.id;
  const uuid = crypto.randomUUID();
  await env.DB.prepare(
    "INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, created) " +
      "VALUES (?1, ?2, ?3, ?4, ?5, 0)",
  )
    .bind(uuid, providerPk, endpoint, owner, crypto.randomUUID())
    .run();
  return uuid;
}

describe("create (reference cases 29-35)", () => {
  it("29: creates with authentik's defaults, full provider nested, launch_url null with no application", async () => {
    const reply = await post(LIST, {
      name: "e1",
      provider: provider.pk,
      protocol: "rdp",
      host: "10.0.0.1:3389",
      auth_mode: "prompt",
    });
    expect(reply.status).toBe(201);
    const current = (await get(`/api/v3/providers/rac/${provider.pk}/`)).body;
    expect(reply.body).toEqual({
      pk: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      name: "e1",
      provider: provider.pk,
      provider_obj: current,
      protocol: "rdp",
      host: "10.0.0.1:3389",
      settings: {},
      property_mappings: [],
      auth_mode: "prompt",
      launch_url: null,
      maximum_connections: 1,
    });
    expect((await get(`${LIST}${reply.body.pk}/`)).body).toEqual(reply.body);
  });

  it("29: launch_url points at the provider's application", async () => {
    const linked = await makeProvider();
    const slug = await linkApplication(linked.pk);
    const endpoint = await makeEndpoint({ provider: linked.pk });
    expect(endpoint.launch_url).toBe(`/application/rac/${slug}/${endpoint.pk}/`);
    expect(endpoint.provider_obj).toMatchObject({
      pk: linked.pk,
      assigned_application_slug: slug,
      assigned_application_name: slug,
    });
  });

  it("optional fields are stored and returned", async () => {
    const mappings = [await makeMapping(), await makeMapping()].map((m) => m.pk).sort();
    const reply = await post(
      LIST,
      valid({
        settings: { "ignore-cert": "true" },
        property_mappings: mappings,
        maximum_connections: -1,
        protocol: "ssh",
        host: "[2001:db8::1]:22",
      }),
    );
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      settings: { "ignore-cert": "true" },
      property_mappings: mappings,
      maximum_connections: -1,
      protocol: "ssh",
      host: "[2001:db8::1]:22",
    });
  });

  it("strings are trimmed, numbers turned into text, numeric strings into integers", async () => {
    const reply = await post(
      LIST,
      valid({ name: 42, host: "  myhost  ", maximum_connections: "7", provider: String(provider.pk) }),
    );
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ name: "42", host: "myhost", maximum_connections: 7, provider: provider.pk });
  });

  it("35: names are not unique", async () => {
    const name = unique("same");
    const a = await post(LIST, valid({ name }));
    const b = await post(LIST, valid({ name }));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.pk).not.toBe(b.body.pk);
  });

  it("32: -5 connections is accepted", async () => {
    const reply = await post(LIST, valid({ maximum_connections: -5 }));
    expect(reply.status).toBe(201);
    expect(reply.body.maximum_connections).toBe(-5);
  });

  const missingMapping = "6f1c4cb5-8f1e-4c8e-9a46-2b7a3a2f6d10";
  it.each([
    // case 30 and the other required fields
    [{ auth_mode: undefined }, { auth_mode: ["This field is required."] }],
    [{ name: undefined }, { name: ["This field is required."] }],
    [{ provider: undefined }, { provider: ["This field is required."] }],
    [{ protocol: undefined }, { protocol: ["This field is required."] }],
    [{ host: undefined }, { host: ["This field is required."] }],
    [
      { name: undefined, provider: undefined, protocol: undefined, host: undefined, auth_mode: undefined },
      {
        name: ["This field is required."],
        provider: ["This field is required."],
        protocol: ["This field is required."],
        host: ["This field is required."],
        auth_mode: ["This field is required."],
      },
    ],
    // name
    [{ name: null }, { name: ["This field may not be null."] }],
    [{ name: "" }, { name: ["This field may not be blank."] }],
    [{ name: "   " }, { name: ["This field may not be blank."] }],
    [{ name: {} }, { name: ["Not a valid string."] }],
    [{ name: true }, { name: ["Not a valid string."] }],
    // provider (case 33)
    [{ provider: 999999 }, { provider: ['Invalid pk "999999" - object does not exist.'] }],
    [{ provider: null }, { provider: ["This field may not be null."] }],
    [{ provider: "abc" }, { provider: ["Incorrect type. Expected pk value, received str."] }],
    [{ provider: true }, { provider: ["Incorrect type. Expected pk value, received bool."] }],
    [{ provider: [1] }, { provider: ["Incorrect type. Expected pk value, received list."] }],
    // protocol (case 31)
    [{ protocol: "ftp" }, { protocol: ['"ftp" is not a valid choice.'] }],
    [{ protocol: "" }, { protocol: ['"" is not a valid choice.'] }],
    [{ protocol: null }, { protocol: ["This field may not be null."] }],
    [{ protocol: 5 }, { protocol: ['"5" is not a valid choice.'] }],
    // auth_mode
    [{ auth_mode: "none" }, { auth_mode: ['"none" is not a valid choice.'] }],
    [{ auth_mode: null }, { auth_mode: ["This field may not be null."] }],
    // host
    [{ host: "" }, { host: ["This field may not be blank."] }],
    [{ host: null }, { host: ["This field may not be null."] }],
    [{ host: ["h"] }, { host: ["Not a valid string."] }],
    [{ host: "bad host" }, { host: [HOST_MESSAGE] }],
    [{ host: "host:99999" }, { host: [HOST_MESSAGE] }],
    [{ host: "host:" }, { host: [HOST_MESSAGE] }],
    [{ host: "2001:db8::1" }, { host: [HOST_MESSAGE] }],
    // settings
    [{ settings: null }, { settings: ["This field may not be null."] }],
    // property_mappings (case 34)
    [{ property_mappings: "x" }, { property_mappings: ['Expected a list of items but got type "str".'] }],
    [{ property_mappings: { a: 1 } }, { property_mappings: ['Expected a list of items but got type "dict".'] }],
    [{ property_mappings: null }, { property_mappings: ["This field may not be null."] }],
    [{ property_mappings: ["abc"] }, { property_mappings: ["“abc” is not a valid UUID."] }],
    [{ property_mappings: [5] }, { property_mappings: ["Incorrect type. Expected pk value, received int."] }],
    [
      { property_mappings: [missingMapping] },
      { property_mappings: [`Invalid pk "${missingMapping}" - object does not exist.`] },
    ],
    // maximum_connections (case 32)
    [{ maximum_connections: "x" }, { maximum_connections: ["A valid integer is required."] }],
    [{ maximum_connections: 1.5 }, { maximum_connections: ["A valid integer is required."] }],
    [{ maximum_connections: null }, { maximum_connections: ["This field may not be null."] }],
    [
      { maximum_connections: 2147483648 },
      { maximum_connections: ["Ensure this value is less than or equal to 2147483647."] },
    ],
    [
      { maximum_connections: -2147483649 },
      { maximum_connections: ["Ensure this value is greater than or equal to -2147483648."] },
    ],
    // several at once
    [
      { protocol: "ftp", maximum_connections: "x", host: "" },
      {
        protocol: ['"ftp" is not a valid choice.'],
        maximum_connections: ["A valid integer is required."],
        host: ["This field may not be blank."],
      },
    ],
  ])("%j -> 400 %j, nothing written", async (overrides, expected) => {
    const before = await tableCounts();
    const body = Object.fromEntries(Object.entries(valid(overrides)).filter(([, value]) => value !== undefined));
    const reply = await post(LIST, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await tableCounts()).toEqual(before);
  });

  it("a body that is not an object", async () => {
    const reply = await post(LIST, ["a"]);
    expect(reply).toMatchObject({
      status: 400,
      body: { non_field_errors: ["Invalid data. Expected a dictionary, but got list."] },
    });
  });
});

describe("update", () => {
  it("PATCH changes only the given fields and replaces the mappings", async () => {
    const [a, b] = [await makeMapping(), await makeMapping()];
    const endpoint = await makeEndpoint({ settings: { keep: 1 }, property_mappings: [a.pk] });
    const other = await makeProvider();
    const reply = await patch(`${LIST}${endpoint.pk}/`, {
      host: "vnc.example:5900",
      protocol: "vnc",
      provider: other.pk,
      property_mappings: [b.pk],
    });
    expect(reply.status).toBe(200);
    const expected = {
      ...endpoint,
      host: "vnc.example:5900",
      protocol: "vnc",
      provider: other.pk,
      provider_obj: (await get(`/api/v3/providers/rac/${other.pk}/`)).body,
      property_mappings: [b.pk],
    };
    expect(reply.body).toEqual(expected);
    expect((await get(`${LIST}${endpoint.pk}/`)).body).toEqual(expected);
    const cleared = await patch(`${LIST}${endpoint.pk}/`, { property_mappings: [] });
    expect(cleared.body.property_mappings).toEqual([]);
    expect(cleared.body.settings).toEqual({ keep: 1 });
  });

  it("PUT requires the required fields and keeps omitted optional ones", async () => {
    const endpoint = await makeEndpoint({ settings: { a: 1 }, maximum_connections: 3 });
    const missing = await put(`${LIST}${endpoint.pk}/`, { name: "x" });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      provider: ["This field is required."],
      protocol: ["This field is required."],
      host: ["This field is required."],
      auth_mode: ["This field is required."],
    });
    const reply = await put(`${LIST}${endpoint.pk}/`, {
      name: "renamed",
      provider: provider.pk,
      protocol: "ssh",
      host: "h:22",
      auth_mode: "static",
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      name: "renamed",
      protocol: "ssh",
      host: "h:22",
      auth_mode: "static",
      settings: { a: 1 },
      maximum_connections: 3,
    });
  });

  it.each([
    [{ provider: 999999 }, { provider: ['Invalid pk "999999" - object does not exist.'] }],
    [{ host: "a b" }, { host: [HOST_MESSAGE] }],
    [
      { maximum_connections: 2147483648 },
      { maximum_connections: ["Ensure this value is less than or equal to 2147483647."] },
    ],
    [{ name: "" }, { name: ["This field may not be blank."] }],
    [{ settings: null }, { settings: ["This field may not be null."] }],
    [{ property_mappings: "x" }, { property_mappings: ['Expected a list of items but got type "str".'] }],
  ])("PATCH %j -> 400 and the endpoint is unchanged", async (body, expected) => {
    const endpoint = await makeEndpoint({ property_mappings: [(await makeMapping()).pk] });
    const before = await tableCounts();
    const reply = await patch(`${LIST}${endpoint.pk}/`, { name: "changed", ...body });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await tableCounts()).toEqual(before);
    expect((await get(`${LIST}${endpoint.pk}/`)).body).toEqual(endpoint);
  });

  it("unknown and malformed ids are 404 on every method", async () => {
    for (const key of [crypto.randomUUID(), "abc", "123"]) {
      expect(await get(`${LIST}${key}/`)).toMatchObject({ status: 404, body: { detail: "Not found." } });
      expect((await put(`${LIST}${key}/`, valid())).status).toBe(404);
      expect((await patch(`${LIST}${key}/`, { name: "x" })).status).toBe(404);
      expect((await del(`${LIST}${key}/`)).status).toBe(404);
      expect((await get(`${LIST}${key}/used_by/`)).status).toBe(404);
    }
  });

  it("upper-case and unhyphenated uuids find the endpoint", async () => {
    const endpoint = await makeEndpoint();
    expect((await get(`${LIST}${endpoint.pk.toUpperCase()}/`)).body).toEqual(endpoint);
    expect((await get(`${LIST}${endpoint.pk.replaceAll("-", "")}/`)).body).toEqual(endpoint);
  });
});

describe("delete (spec section 3)", () => {
  it("removes the endpoint, its connection tokens and its mapping links; the mapping stays", async () => {
    const mapping = await makeMapping();
    const endpoint = await makeEndpoint({ property_mappings: [mapping.pk] });
    const keep = await makeEndpoint();
    const token = await addToken(endpoint.pk, provider.pk);
    const kept = await addToken(keep.pk, provider.pk);
    const reply = await del(`${LIST}${endpoint.pk}/`);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect((await get(`${LIST}${endpoint.pk}/`)).status).toBe(404);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM connection_tokens WHERE uuid = ?1").bind(token).first("n"),
    ).toBe(0);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM connection_tokens WHERE uuid = ?1").bind(kept).first("n"),
    ).toBe(1);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM endpoint_property_mappings WHERE endpoint_id = ?1")
        .bind(endpoint.pk)
        .first("n"),
    ).toBe(0);
    expect((await get(`/api/v3/propertymappings/provider/rac/${mapping.pk}/`)).status).toBe(200);
    expect((await get(`${LIST}${keep.pk}/`)).status).toBe(200);
  });

  it("deleting the provider deletes its endpoints", async () => {
    const owner = await makeProvider();
    const endpoint = await makeEndpoint({ provider: owner.pk });
    expect((await del(`/api/v3/providers/rac/${owner.pk}/`)).status).toBe(204);
    expect((await get(`${LIST}${endpoint.pk}/`)).status).toBe(404);
  });
});

describe("list (reference cases 36-40, with standard RBAC)", () => {
  let own: { pk: number };
  let names: [string, string, string];
  beforeAll(async () => {
    own = await makeProvider();
    const prefix = unique("lst");
    names = [`${prefix}-b`, `${prefix}-a`, `${prefix}-c`];
    await makeEndpoint({ provider: own.pk, name: names[0], protocol: "vnc" });
    await makeEndpoint({ provider: own.pk, name: names[1], protocol: "ssh" });
    await makeEndpoint({ provider: own.pk, name: names[1], protocol: "rdp" });
    await makeEndpoint({ provider: own.pk, name: names[2], protocol: "rdp", host: "zz" });
  });
  const rows = (body: { results: { name: string; protocol: string }[] }) =>
    body.results.map((e) => `${e.name}/${e.protocol}`);

  it("default ordering is name, then protocol; the provider filter selects", async () => {
    const reply = await get(`${LIST}?provider=${own.pk}`);
    expect(reply.status).toBe(200);
    expect(rows(reply.body)).toEqual([`${names[1]}/rdp`, `${names[1]}/ssh`, `${names[0]}/vnc`, `${names[2]}/rdp`]);
    expect(reply.body.pagination).toEqual({
      next: 0,
      previous: 0,
      count: 4,
      current: 1,
      total_pages: 1,
      start_index: 1,
      end_index: 4,
    });
  });

  it("40: ordering by a whitelisted field, unknown fields ignored", async () => {
    expect(rows((await get(`${LIST}?provider=${own.pk}&ordering=-name,protocol`)).body)).toEqual([
      `${names[2]}/rdp`,
      `${names[0]}/vnc`,
      `${names[1]}/rdp`,
      `${names[1]}/ssh`,
    ]);
    expect(rows((await get(`${LIST}?provider=${own.pk}&ordering=bogus`)).body)).toEqual(
      rows((await get(`${LIST}?provider=${own.pk}`)).body),
    );
    expect(rows((await get(`${LIST}?provider=${own.pk}&ordering=-host,name`)).body)[0]).toBe(`${names[2]}/rdp`);
    expect(rows((await get(`${LIST}?provider=${own.pk}&ordering=protocol,-name`)).body)).toEqual([
      `${names[2]}/rdp`,
      `${names[1]}/rdp`,
      `${names[1]}/ssh`,
      `${names[0]}/vnc`,
    ]);
  });

  it("40: search matches name or protocol, every term", async () => {
    expect(rows((await get(`${LIST}?provider=${own.pk}&search=RDP`)).body)).toEqual([
      `${names[1]}/rdp`,
      `${names[2]}/rdp`,
    ]);
    expect(rows((await get(`${LIST}?search=${encodeURIComponent(`${names[1]} ssh`)}`)).body)).toEqual([
      `${names[1]}/ssh`,
    ]);
  });

  it("name is an exact filter", async () => {
    expect(rows((await get(`${LIST}?name=${names[1]}`)).body)).toEqual([`${names[1]}/rdp`, `${names[1]}/ssh`]);
    expect((await get(`${LIST}?name=${names[1].toUpperCase()}`)).body.results).toEqual([]);
  });

  it("an unknown or malformed provider is a 400", async () => {
    for (const value of ["999999", "abc", "-1", "1.5"]) {
      const reply = await get(`${LIST}?provider=${value}`);
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({
        provider: ["Select a valid choice. That choice is not one of the available choices."],
      });
    }
    expect((await get(`${LIST}?provider=`)).status).toBe(200);
  });

  it("37/39: superuser_full_list is accepted and changes nothing", async () => {
    const plain = await get(`${LIST}?provider=${own.pk}`);
    expect((await get(`${LIST}?provider=${own.pk}&superuser_full_list=true`)).body).toEqual(plain.body);
    const user = await makeUser();
    expect((await get(`${LIST}?superuser_full_list=true`, { token: user.token })).body.results).toEqual([]);
  });

  it("results are exactly the retrieve shape", async () => {
    const reply = await get(`${LIST}?provider=${own.pk}&page_size=1`);
    expect(reply.body.results).toEqual([(await get(`${LIST}${reply.body.results[0].pk}/`)).body]);
    expect(reply.body.pagination).toEqual({
      next: 2,
      previous: 0,
      count: 4,
      current: 1,
      total_pages: 4,
      start_index: 1,
      end_index: 1,
    });
  });
});

describe("permissions (standard RBAC; documented difference from cases 36-39)", () => {
  it("no grant: an empty list, 403 on create, 404 on objects", async () => {
    const user = await makeUser();
    const endpoint = await makeEndpoint();
    const list = await get(LIST, { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      pagination: { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 },
      results: [],
    });
    expect(await post(LIST, valid(), { token: user.token })).toMatchObject({
      status: 403,
      body: { detail: "You do not have permission to perform this action." },
    });
    expect((await get(`${LIST}${endpoint.pk}/`, { token: user.token })).status).toBe(404);
    expect((await put(`${LIST}${endpoint.pk}/`, valid(), { token: user.token })).status).toBe(404);
    expect((await patch(`${LIST}${endpoint.pk}/`, { name: "x" }, { token: user.token })).status).toBe(404);
    expect((await del(`${LIST}${endpoint.pk}/`, { token: user.token })).status).toBe(404);
    expect((await get(`${LIST}${endpoint.pk}/`)).body).toEqual(endpoint);
  });

  it("global grants: view sees all, add creates, change and delete need their own grants", async () => {
    const user = await makeUser();
    const endpoint = await makeEndpoint();
    await grant(user.id, [`authentik_providers_rac.view_endpoint`]);
    const list = await get(`${LIST}?page_size=1000`, { token: user.token });
    expect(list.body.pagination.count).toBe((await get(LIST)).body.pagination.count);
    expect((await get(`${LIST}${endpoint.pk}/`, { token: user.token })).body).toEqual(endpoint);
    expect((await patch(`${LIST}${endpoint.pk}/`, { name: "x" }, { token: user.token })).status).toBe(403);
    expect((await del(`${LIST}${endpoint.pk}/`, { token: user.token })).status).toBe(403);
    expect((await post(LIST, valid(), { token: user.token })).status).toBe(403);
    // Writes may reference only providers the caller may view (issue 10).
    await grant(user.id, [
      "authentik_providers_rac.add_endpoint",
      "authentik_providers_rac.change_endpoint",
      "authentik_providers_rac.delete_endpoint",
    ]);
    await grant(user.id, ["authentik_providers_rac.view_racprovider"]);
    expect((await post(LIST, valid(), { token: user.token })).status).toBe(201);
    expect((await patch(`${LIST}${endpoint.pk}/`, { name: "granted" }, { token: user.token })).body.name).toBe(
      "granted",
    );
    expect((await del(`${LIST}${endpoint.pk}/`, { token: user.token })).status).toBe(204);
  });

  it("object grants: only that object is listed (count after filtering) and changed", async () => {
    const user = await makeUser();
    const mine = await makeEndpoint();
    const other = await makeEndpoint();
    await grant(user.id, ["authentik_providers_rac.view_endpoint", "authentik_providers_rac.change_endpoint"], {
      model: MODEL,
      pk: mine.pk,
    });
    const list = await get(LIST, { token: user.token });
    expect(list.body.pagination.count).toBe(1);
    expect(list.body.results).toEqual([mine]);
    expect(
      (await patch(`${LIST}${mine.pk}/`, { maximum_connections: 4 }, { token: user.token })).body.maximum_connections,
    ).toBe(4);
    expect((await get(`${LIST}${other.pk}/`, { token: user.token })).status).toBe(404);
    expect((await del(`${LIST}${mine.pk}/`, { token: user.token })).status).toBe(403);
    expect((await post(LIST, valid(), { token: user.token })).status).toBe(403);
  });

  it("a view-only grant still gets 403 on a bad PATCH (permissions before validation)", async () => {
    const user = await makeUser();
    const endpoint = await makeEndpoint();
    await grant(user.id, ["authentik_providers_rac.view_endpoint"], { model: MODEL, pk: endpoint.pk });
    expect((await patch(`${LIST}${endpoint.pk}/`, { protocol: "ftp" }, { token: user.token })).status).toBe(403);
  });

  it("a superuser other than akadmin may do everything", async () => {
    const root = await makeUser({ superuser: true });
    const created = await post(LIST, valid(), { token: root.token });
    expect(created.status).toBe(201);
    expect((await patch(`${LIST}${created.body.pk}/`, { name: "root" }, { token: root.token })).status).toBe(200);
    expect((await del(`${LIST}${created.body.pk}/`, { token: root.token })).status).toBe(204);
  });

  it("unauthenticated callers are refused", async () => {
    expect(await get(LIST, { token: null })).toMatchObject({
      status: 403,
      body: { detail: "Authentication credentials were not provided." },
    });
  });
});

describe("nesting an endpoint in another object (connection tokens' endpoint_obj)", () => {
  it("endpointColumns/endpointFromRow with a prefix give the same object as the API", async () => {
    const linked = await makeProvider();
    await linkApplication(linked.pk);
    const endpoint = await makeEndpoint({ provider: linked.pk, property_mappings: [(await makeMapping()).pk] });
    const token = await addToken(endpoint.pk, linked.pk);
    const row = await env.DB.prepare(
      `SELECT ct.uuid AS pk, ${endpointColumns("e_")}
       FROM connection_tokens ct JOIN endpoints e ON e.uuid = ct.endpoint_id ${ENDPOINT_PROVIDER_JOIN}
       WHERE ct.uuid = ?1`,
    )
      .bind(token)
      .first<Record<string, unknown>>();
    expect(row!.pk).toBe(token);
    expect(endpointFromRow(row!, "e_")).toEqual(endpoint);
  });
});

describe("query cost", () => {
  it("a page of 100 endpoints costs the same number of D1 queries as a page of 1", async () => {
    const owner = await makeProvider();
    await linkApplication(owner.pk);
    const mapping = await makeMapping();
    const statements = [];
    for (let i = 0; i < 100; i++) {
      const uuid = crypto.randomUUID();
      statements.push(
        env.DB.prepare(
          "INSERT INTO endpoints (uuid, name, provider_id, protocol, host, auth_mode) " +
            "VALUES (?1, ?2, ?3, 'rdp', 'h', 'static')",
        ).bind(uuid, unique("bulk"), owner.pk),
        env.DB.prepare("INSERT INTO endpoint_property_mappings (endpoint_id, mapping_id) VALUES (?1, ?2)").bind(
          uuid,
          mapping.pk,
        ),
      );
    }
    await env.DB.batch(statements);
    const { db, counter } = countingDb(env.DB);
    const customEnv = { ...env, DB: db };
    await callWith(customEnv, "GET", `${LIST}?page_size=1`); // warm the isolate's bootstrap
    counter.queries = 0;
    const one = await callWith(customEnv, "GET", `${LIST}?provider=${owner.pk}&page_size=1`);
    const oneCost = counter.queries;
    counter.queries = 0;
    const hundred = await callWith(customEnv, "GET", `${LIST}?provider=${owner.pk}&page_size=100`);
    expect(one.body.results).toHaveLength(1);
    expect(hundred.body.results).toHaveLength(100);
    expect(hundred.body.results[99].property_mappings).toEqual([mapping.pk]);
    expect(hundred.body.results[99].launch_url).toMatch(/^\/application\/rac\//);
    expect(counter.queries).toBe(oneCost);
    expect(counter.queries).toBeLessThanOrEqual(3);
  });
});
