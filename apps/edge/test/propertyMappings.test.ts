import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { del, get, grant, makeProvider, makeUser, patch, post, put, unique } from "./helpers.ts";

const LIST = "/api/v3/propertymappings/provider/rac/";
const ALIAS = "/api/v3/propertymappings/rac/";
const MODEL = "authentik_providers_rac.racpropertymapping";
const CONSTANTS = {
  component: "ak-property-mapping-provider-rac-form",
  verbose_name: "RAC Provider Property Mapping",
  verbose_name_plural: "RAC Provider Property Mappings",
  meta_model_name: "authentik_providers_rac.racpropertymapping",
};

async function makeMapping(overrides: Record<string, unknown> = {}) {
  const reply = await post(LIST, { name: unique("m"), static_settings: {}, ...overrides });
  if (reply.status !== 201) throw new Error(`mapping: ${reply.status} ${reply.text}`);
  return reply.body as { pk: string; name: string; managed: string | null; [key: string]: unknown };
}

const snapshot = async () =>
  (
    await env.DB.prepare(
      "SELECT uuid, name, managed, expression, static_settings FROM property_mappings ORDER BY uuid",
    ).all()
  ).results;

describe("create (reference cases 41-45)", () => {
  it("41: creates with the client era's constants", async () => {
    const reply = await post(LIST, { name: "m1", static_settings: { a: "b" } });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      pk: expect.stringMatching(/^[0-9a-f-]{36}$/),
      managed: null,
      name: "m1",
      expression: "",
      ...CONSTANTS,
      static_settings: { a: "b" },
    });
    expect((await get(`${LIST}${reply.body.pk}/`)).body).toEqual(reply.body);
  });

  it("45 (documented difference): an expression is stored and returned, never run or syntax-checked", async () => {
    const reply = await post(LIST, { name: unique("m4"), static_settings: {}, expression: "return {" });
    expect(reply.status).toBe(201);
    expect(reply.body.expression).toBe("return {");
    const empty = await post(LIST, { name: unique("m4"), static_settings: {}, expression: "" });
    expect(empty.status).toBe(201);
    expect(empty.body.expression).toBe("");
  });

  it("managed is stored", async () => {
    const managed = unique("goauthentik.io/test");
    const mapping = await makeMapping({ managed });
    expect(mapping.managed).toBe(managed);
  });

  it.each([
    [{ name: "m2" }, { static_settings: ["This field is required."] }],
    [
      { name: "m3", static_settings: ["a"] },
      { static_settings: ["Value must be a dictionary, and not have any duplicate keys."] },
    ],
    [
      { name: "m3", static_settings: "a" },
      { static_settings: ["Value must be a dictionary, and not have any duplicate keys."] },
    ],
    [{ name: "m3", static_settings: null }, { static_settings: ["This field may not be null."] }],
    [{ static_settings: {} }, { name: ["This field is required."] }],
    [{ name: "", static_settings: {} }, { name: ["This field may not be blank."] }],
    [{ name: null, static_settings: {} }, { name: ["This field may not be null."] }],
    [{ name: ["x"], static_settings: {} }, { name: ["Not a valid string."] }],
    [{ name: "m5", static_settings: {}, expression: null }, { expression: ["This field may not be null."] }],
    [{ name: "m5", static_settings: {}, expression: {} }, { expression: ["Not a valid string."] }],
    [{ name: "m5", static_settings: {}, managed: "" }, { managed: ["This field may not be blank."] }],
    [{ name: "m5", static_settings: {}, managed: true }, { managed: ["Not a valid string."] }],
    [{}, { name: ["This field is required."], static_settings: ["This field is required."] }],
  ])("42/43: %j -> 400 %j, nothing written", async (body, expected) => {
    const before = await snapshot();
    const reply = await post(LIST, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await snapshot()).toEqual(before);
  });

  it("44: a taken name or managed value, both reported at once", async () => {
    const managed = unique("managed");
    const first = await makeMapping({ managed });
    const before = await snapshot();
    expect((await post(LIST, { name: first.name, static_settings: {} })).body).toEqual({
      name: ["Property Mapping with this name already exists."],
    });
    expect((await post(LIST, { name: unique("m"), managed, static_settings: {} })).body).toEqual({
      managed: ["Property Mapping with this Managed by authentik already exists."],
    });
    const both = await post(ALIAS, { name: first.name, managed, static_settings: {} });
    expect(both.status).toBe(400);
    expect(both.body).toEqual({
      name: ["Property Mapping with this name already exists."],
      managed: ["Property Mapping with this Managed by authentik already exists."],
    });
    expect(await snapshot()).toEqual(before);
  });

  it("several mappings may have no managed value", async () => {
    expect((await makeMapping()).managed).toBeNull();
    expect((await makeMapping({ managed: null })).managed).toBeNull();
  });
});

describe("update", () => {
  it("PUT requires name and static_settings and keeps omitted optional fields", async () => {
    const managed = unique("managed");
    const mapping = await makeMapping({ expression: "x", managed, static_settings: { a: 1 } });
    const missing = await put(`${LIST}${mapping.pk}/`, { expression: "y" });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ name: ["This field is required."], static_settings: ["This field is required."] });
    const reply = await put(`${LIST}${mapping.pk}/`, { name: mapping.name, static_settings: { b: 2 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ...mapping, static_settings: { b: 2 } });
  });

  it("PATCH changes the given fields; keeping one's own name or managed value is no conflict", async () => {
    const managed = unique("managed");
    const mapping = await makeMapping({ managed });
    const name = unique("renamed");
    const reply = await patch(`${ALIAS}${mapping.pk}/`, { name, managed, expression: "return {}" });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ...mapping, name, expression: "return {}" });
    expect((await get(`${LIST}${mapping.pk}/`)).body).toEqual(reply.body);
    expect((await patch(`${LIST}${mapping.pk}/`, { managed: null })).body.managed).toBeNull();
    expect((await patch(`${LIST}${mapping.pk}/`, {})).body).toEqual({ ...reply.body, managed: null });
  });

  it.each([
    ["name", { name: "" }, { name: ["This field may not be blank."] }],
    [
      "static_settings",
      { static_settings: [] },
      { static_settings: ["Value must be a dictionary, and not have any duplicate keys."] },
    ],
    ["taken name", { name: "TAKEN" }, { name: ["Property Mapping with this name already exists."] }],
    [
      "taken managed",
      { managed: "TAKEN_MANAGED" },
      { managed: ["Property Mapping with this Managed by authentik already exists."] },
    ],
  ])("PATCH with a bad %s -> 400 and nothing changes", async (_label, body, expected) => {
    const taken = await makeMapping({ managed: unique("taken") });
    const mapping = await makeMapping();
    const input = JSON.parse(
      JSON.stringify(body).replace("TAKEN_MANAGED", taken.managed!).replace("TAKEN", taken.name),
    );
    const before = await snapshot();
    const reply = await patch(`${LIST}${mapping.pk}/`, { expression: "changed", ...input });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await snapshot()).toEqual(before);
  });

  it("unknown and malformed ids are 404", async () => {
    for (const key of [crypto.randomUUID(), "abc"]) {
      for (const base of [LIST, ALIAS]) {
        expect(await get(`${base}${key}/`)).toMatchObject({ status: 404, body: { detail: "Not found." } });
        expect((await put(`${base}${key}/`, { name: "x", static_settings: {} })).status).toBe(404);
        expect((await patch(`${base}${key}/`, { name: "x" })).status).toBe(404);
        expect((await del(`${base}${key}/`)).status).toBe(404);
        expect((await get(`${base}${key}/used_by/`)).status).toBe(404);
      }
    }
  });
});

describe("delete (spec section 3)", () => {
  it("unlinks the mapping from providers and endpoints, which stay", async () => {
    const mapping = await makeMapping();
    const keep = await makeMapping();
    const provider = await makeProvider({ property_mappings: [mapping.pk, keep.pk] });
    const endpoint = await post("/api/v3/rac/endpoints/", {
      name: unique("e"),
      provider: provider.pk,
      protocol: "rdp",
      host: "h",
      auth_mode: "static",
      property_mappings: [mapping.pk, keep.pk],
    });
    expect(endpoint.status).toBe(201);
    const reply = await del(`${ALIAS}${mapping.pk}/`);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect((await get(`${LIST}${mapping.pk}/`)).status).toBe(404);
    expect((await get(`/api/v3/providers/rac/${provider.pk}/`)).body.property_mappings).toEqual([keep.pk]);
    expect((await get(`/api/v3/rac/endpoints/${endpoint.body.pk}/`)).body.property_mappings).toEqual([keep.pk]);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM provider_property_mappings WHERE mapping_id = ?1")
        .bind(mapping.pk)
        .first("n"),
    ).toBe(0);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM endpoint_property_mappings WHERE mapping_id = ?1")
        .bind(mapping.pk)
        .first("n"),
    ).toBe(0);
  });
});

describe("list (reference case 46)", () => {
  it("46: managed is repeatable and matches any value; name is exact; search and ordering by name", async () => {
    const prefix = unique("flt");
    const x = await makeMapping({ name: `${prefix}-b`, managed: `${prefix}/x` });
    const y = await makeMapping({ name: `${prefix}-a`, managed: `${prefix}/y` });
    const z = await makeMapping({ name: `${prefix}-c`, managed: `${prefix}/z` });
    const names = (body: { results: { name: string }[] }) => body.results.map((m) => m.name);
    const managed = await get(`${LIST}?managed=${prefix}/x&managed=${prefix}/y`);
    expect(managed.body.results).toEqual([y, x]);
    expect(managed.body.pagination.count).toBe(2);
    expect((await get(`${ALIAS}?managed=${prefix}/z`)).body.results).toEqual([z]);
    expect((await get(`${LIST}?managed=${prefix}/none`)).body.results).toEqual([]);
    expect((await get(`${LIST}?name=${prefix}-a`)).body.results).toEqual([y]);
    expect((await get(`${LIST}?name=${prefix}-A`)).body.results).toEqual([]);
    expect(names((await get(`${LIST}?search=${prefix.toUpperCase()}`)).body)).toEqual([
      `${prefix}-a`,
      `${prefix}-b`,
      `${prefix}-c`,
    ]);
    expect(names((await get(`${LIST}?search=${prefix}&ordering=-name`)).body)).toEqual([
      `${prefix}-c`,
      `${prefix}-b`,
      `${prefix}-a`,
    ]);
    expect(names((await get(`${LIST}?search=${prefix}&ordering=nope`)).body)).toEqual([
      `${prefix}-a`,
      `${prefix}-b`,
      `${prefix}-c`,
    ]);
  });
});

describe("permissions", () => {
  it("no grant: an empty list, 403 on create, 404 on objects", async () => {
    const user = await makeUser();
    const mapping = await makeMapping();
    const list = await get(LIST, { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.results).toEqual([]);
    expect(list.body.pagination.count).toBe(0);
    expect((await post(LIST, { name: unique("m"), static_settings: {} }, { token: user.token })).status).toBe(403);
    expect((await get(`${LIST}${mapping.pk}/`, { token: user.token })).status).toBe(404);
    expect((await patch(`${LIST}${mapping.pk}/`, { name: "x" }, { token: user.token })).status).toBe(404);
    expect((await del(`${LIST}${mapping.pk}/`, { token: user.token })).status).toBe(404);
  });

  it("global grants", async () => {
    const user = await makeUser();
    const mapping = await makeMapping();
    await grant(user.id, [`${"authentik_providers_rac"}.view_racpropertymapping`]);
    expect((await get(`${LIST}?page_size=1000`, { token: user.token })).body.pagination.count).toBe(
      (await get(LIST)).body.pagination.count,
    );
    expect((await patch(`${LIST}${mapping.pk}/`, { expression: "x" }, { token: user.token })).status).toBe(403);
    expect((await del(`${LIST}${mapping.pk}/`, { token: user.token })).status).toBe(403);
    expect((await post(LIST, { name: unique("m"), static_settings: {} }, { token: user.token })).status).toBe(403);
    await grant(user.id, [
      "authentik_providers_rac.add_racpropertymapping",
      "authentik_providers_rac.change_racpropertymapping",
      "authentik_providers_rac.delete_racpropertymapping",
    ]);
    expect((await post(LIST, { name: unique("m"), static_settings: {} }, { token: user.token })).status).toBe(201);
    expect((await patch(`${LIST}${mapping.pk}/`, { expression: "x" }, { token: user.token })).body.expression).toBe(
      "x",
    );
    expect((await del(`${LIST}${mapping.pk}/`, { token: user.token })).status).toBe(204);
  });

  it("object grants", async () => {
    const user = await makeUser();
    const mine = await makeMapping();
    const other = await makeMapping();
    await grant(
      user.id,
      ["authentik_providers_rac.view_racpropertymapping", "authentik_providers_rac.delete_racpropertymapping"],
      {
        model: MODEL,
        pk: mine.pk,
      },
    );
    const list = await get(ALIAS, { token: user.token });
    expect(list.body.results).toEqual([mine]);
    expect(list.body.pagination.count).toBe(1);
    expect((await get(`${LIST}${other.pk}/`, { token: user.token })).status).toBe(404);
    expect((await patch(`${LIST}${mine.pk}/`, { expression: "x" }, { token: user.token })).status).toBe(403);
    expect((await del(`${LIST}${mine.pk}/`, { token: user.token })).status).toBe(204);
  });

  it("a superuser other than akadmin may do everything", async () => {
    const root = await makeUser({ superuser: true });
    const created = await post(LIST, { name: unique("m"), static_settings: {} }, { token: root.token });
    expect(created.status).toBe(201);
    expect((await del(`${LIST}${created.body.pk}/`, { token: root.token })).status).toBe(204);
  });
});

describe("mappings on providers and endpoints", () => {
  it("providers and endpoints accept existing mapping ids only", async () => {
    const mapping = await makeMapping();
    const provider = await makeProvider({ property_mappings: [mapping.pk] });
    expect(provider.property_mappings).toEqual([mapping.pk]);
    const missing = crypto.randomUUID();
    const reply = await patch(`/api/v3/providers/rac/${provider.pk}/`, { property_mappings: [mapping.pk, missing] });
    expect(reply.body).toEqual({ property_mappings: [`Invalid pk "${missing}" - object does not exist.`] });
  });
});
