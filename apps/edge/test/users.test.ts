import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/crypto.ts";
import { del, get, grant, makeUser, patch, post, put, roundTrips, unique } from "./helpers.ts";

const LIST = "/api/v3/core/users/";
const MODEL = "authentik_core.user";
const FORBIDDEN = { detail: "You do not have permission to perform this action." };
const NOT_FOUND = { detail: "Not found." };
const missingGroup = "3f8a1c52-6a7e-4a8e-9e55-7f3c2d1b0a99";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const userCount = () => env.DB.prepare("SELECT count(*) AS n FROM users").first<number>("n");
const userRow = (id: number) => env.DB.prepare("SELECT * FROM users WHERE id = ?1").bind(id).first();

async function makeApiUser(body: Record<string, unknown> = {}) {
  const reply = await post(LIST, { username: unique("u"), name: "Some One", ...body });
  if (reply.status !== 201) throw new Error(`user: ${reply.status} ${reply.text}`);
  return reply.body as { pk: number; username: string; uuid: string; [key: string]: unknown };
}

describe("create", () => {
  it("creates with authentik's defaults and the full User shape", async () => {
    const username = unique("alice");
    const reply = await post(LIST, { username, name: "Alice" });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      pk: expect.any(Number),
      username,
      name: "Alice",
      is_active: true,
      last_login: null,
      email: "",
      attributes: {},
      uid: expect.stringMatching(/^[0-9a-f]{64}$/),
      is_superuser: false,
      groups: [],
      groups_obj: [],
      avatar: "/static/dist/assets/images/user_default.png",
      path: "users",
      type: "internal",
      uuid: expect.stringMatching(UUID),
    });
    expect(reply.body.uid).toBe(await sha256Hex(`rac-edge-user-${reply.body.uuid}`));
    expect(await get(`${LIST}${reply.body.pk}/`)).toMatchObject({ status: 200, body: reply.body });
  });

  it("stores every writable field", async () => {
    const username = unique("bob");
    const reply = await post(LIST, {
      username,
      name: "",
      is_active: false,
      is_superuser: true,
      email: "bob@example.com",
      attributes: { team: "ops", level: 3 },
      path: "users/ops/eu",
      type: "service_account",
      groups: [],
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      pk: expect.any(Number),
      username,
      name: "",
      is_active: false,
      last_login: null,
      email: "bob@example.com",
      attributes: { team: "ops", level: 3 },
      uid: expect.any(String),
      is_superuser: true,
      groups: [],
      groups_obj: [],
      avatar: "/static/dist/assets/images/user_default.png",
      path: "users/ops/eu",
      type: "service_account",
      uuid: expect.any(String),
    });
    expect(await userRow(reply.body.pk)).toMatchObject({
      is_active: 0,
      is_superuser: 1,
      attributes: '{"team":"ops","level":3}',
    });
  });

  it("turns numbers into text and trims usernames, as DRF does", async () => {
    const reply = await post(LIST, { username: `  ${unique("trim")}  `, name: 42 });
    expect(reply.status).toBe(201);
    expect(reply.body.username).not.toMatch(/^\s|\s$/);
    expect(reply.body.name).toBe("42");
  });

  it.each([
    [{ name: "x" }, { username: ["This field is required."] }],
    [{ username: null, name: "x" }, { username: ["This field may not be null."] }],
    [{ username: "   ", name: "x" }, { username: ["This field may not be blank."] }],
    [{ username: true, name: "x" }, { username: ["Not a valid string."] }],
    [{ username: "x".repeat(151), name: "x" }, { username: ["Ensure this field has no more than 150 characters."] }],
    [{ username: "akadmin", name: "x" }, { username: ["A user with that username already exists."] }],
    [{ username: "NEW" }, { name: ["This field is required."] }],
    [{ username: "NEW", name: null }, { name: ["This field may not be null."] }],
    [{ username: "NEW", name: { a: 1 } }, { name: ["Not a valid string."] }],
    [{ username: "NEW", name: "x", is_active: "maybe" }, { is_active: ["Must be a valid boolean."] }],
    [{ username: "NEW", name: "x", is_active: null }, { is_active: ["This field may not be null."] }],
    [{ username: "NEW", name: "x", is_superuser: "sure" }, { is_superuser: ["Must be a valid boolean."] }],
    [{ username: "NEW", name: "x", is_superuser: null }, { is_superuser: ["This field may not be null."] }],
    [{ username: "NEW", name: "x", email: "not-an-email" }, { email: ["Enter a valid email address."] }],
    [{ username: "NEW", name: "x", email: null }, { email: ["This field may not be null."] }],
    [{ username: "NEW", name: "x", email: true }, { email: ["Not a valid string."] }],
    [
      { username: "NEW", name: "x", attributes: [] },
      { attributes: ["Value must be a dictionary, and not have any duplicate keys."] },
    ],
    [
      { username: "NEW", name: "x", attributes: "a=b" },
      { attributes: ["Value must be a dictionary, and not have any duplicate keys."] },
    ],
    [{ username: "NEW", name: "x", attributes: null }, { attributes: ["This field may not be null."] }],
    [{ username: "NEW", name: "x", path: "/users" }, { path: ["No leading or trailing slashes allowed."] }],
    [{ username: "NEW", name: "x", path: "users/" }, { path: ["No leading or trailing slashes allowed."] }],
    [{ username: "NEW", name: "x", path: "users//ops" }, { path: ["No empty segments in user path allowed."] }],
    [{ username: "NEW", name: "x", path: "" }, { path: ["This field may not be blank."] }],
    [{ username: "NEW", name: "x", path: null }, { path: ["This field may not be null."] }],
    [{ username: "NEW", name: "x", type: "robot" }, { type: ['"robot" is not a valid choice.'] }],
    [{ username: "NEW", name: "x", type: null }, { type: ["This field may not be null."] }],
    [
      { username: "NEW", name: "x", type: "internal_service_account" },
      { type: ["Setting a user to internal service account is not allowed."] },
    ],
    [{ username: "NEW", name: "x", groups: "admins" }, { groups: ['Expected a list of items but got type "str".'] }],
    [{ username: "NEW", name: "x", groups: null }, { groups: ["This field may not be null."] }],
    [{ username: "NEW", name: "x", groups: ["admins"] }, { groups: ["“admins” is not a valid UUID."] }],
    [
      { username: "NEW", name: "x", groups: [missingGroup] },
      { groups: [`Invalid pk "${missingGroup}" - object does not exist.`] },
    ],
    [
      { name: null, is_active: 3 },
      {
        username: ["This field is required."],
        name: ["This field may not be null."],
        is_active: ["Must be a valid boolean."],
      },
    ],
  ])("%j -> 400 %j, nothing written", async (input, expected) => {
    const body = JSON.parse(JSON.stringify(input).replaceAll('"NEW"', JSON.stringify(unique("new"))));
    const before = await userCount();
    const reply = await post(LIST, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await userCount()).toBe(before);
  });
});

describe("retrieve, PUT, PATCH, DELETE", () => {
  it("unknown and malformed ids are 404", async () => {
    expect(await get(`${LIST}999999/`)).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await get(`${LIST}abc/`)).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await patch(`${LIST}abc/`, { name: "x" })).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await del(`${LIST}999999/`)).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it("PATCH changes only the given fields and returns the full shape", async () => {
    const user = await makeApiUser({ email: "old@example.com", attributes: { keep: true } });
    const reply = await patch(`${LIST}${user.pk}/`, { name: "New Name", is_active: "false", path: "users/new" });
    expect(reply.status).toBe(200);
    const expected = { ...user, name: "New Name", is_active: false, path: "users/new" };
    expect(reply.body).toEqual(expected);
    expect((await get(`${LIST}${user.pk}/`)).body).toEqual(expected);
  });

  it("an empty PATCH changes nothing and answers the user", async () => {
    const user = await makeApiUser();
    expect(await patch(`${LIST}${user.pk}/`, {})).toMatchObject({ status: 200, body: user });
  });

  it("PUT needs username and name and keeps omitted optional fields", async () => {
    const user = await makeApiUser({ attributes: { a: 1 }, email: "keep@example.com" });
    const missing = await put(`${LIST}${user.pk}/`, { email: "x@example.com" });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ username: ["This field is required."], name: ["This field is required."] });
    const renamed = unique("renamed");
    const reply = await put(`${LIST}${user.pk}/`, { username: renamed, name: "Renamed" });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ...user, username: renamed, name: "Renamed" });
  });

  it.each([
    [{ username: "" }, { username: ["This field may not be blank."] }],
    [{ username: null }, { username: ["This field may not be null."] }],
    [{ name: ["x"] }, { name: ["Not a valid string."] }],
    [{ email: "nope" }, { email: ["Enter a valid email address."] }],
    [{ is_active: "perhaps" }, { is_active: ["Must be a valid boolean."] }],
    [{ attributes: 5 }, { attributes: ["Value must be a dictionary, and not have any duplicate keys."] }],
    [{ path: "a/" }, { path: ["No leading or trailing slashes allowed."] }],
    [{ type: "human" }, { type: ['"human" is not a valid choice.'] }],
    [{ groups: [missingGroup] }, { groups: [`Invalid pk "${missingGroup}" - object does not exist.`] }],
  ])("PATCH %j -> 400 %j, user unchanged", async (input, expected) => {
    const user = await makeApiUser();
    const reply = await patch(`${LIST}${user.pk}/`, input);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect((await get(`${LIST}${user.pk}/`)).body).toEqual(user);
  });

  it("renaming onto another user's username is refused and changes nothing", async () => {
    const a = await makeApiUser();
    const b = await makeApiUser();
    const reply = await patch(`${LIST}${b.pk}/`, { username: a.username, name: "changed" });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ username: ["A user with that username already exists."] });
    expect((await get(`${LIST}${b.pk}/`)).body).toEqual(b);
  });

  it("an internal service account keeps its type", async () => {
    const user = await makeApiUser();
    await env.DB.prepare("UPDATE users SET type = 'internal_service_account' WHERE id = ?1").bind(user.pk).run();
    const reply = await patch(`${LIST}${user.pk}/`, { type: "internal" });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ type: ["Can't change internal service account to other user type."] });
    expect((await patch(`${LIST}${user.pk}/`, { type: "internal_service_account", name: "svc" })).status).toBe(200);
    expect((await patch(`${LIST}${user.pk}/`, { type: "internal_service_account" })).body.type).toBe(
      "internal_service_account",
    );
  });

  it("DELETE answers 204 with no body and removes the user", async () => {
    const user = await makeApiUser();
    const reply = await del(`${LIST}${user.pk}/`);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect((await get(`${LIST}${user.pk}/`)).status).toBe(404);
    expect(await userRow(user.pk)).toBeNull();
  });

  it("deleting a user revokes their API tokens at once and removes their tokens and grants", async () => {
    const victim = await makeUser();
    await grant(victim.id, ["authentik_providers_rac.view_racprovider"]);
    expect((await get(LIST, { token: victim.token })).status).toBe(200);
    expect((await del(`${LIST}${victim.id}/`)).status).toBe(204);
    expect(await get(LIST, { token: victim.token })).toMatchObject({
      status: 403,
      body: { detail: "Token invalid/expired" },
    });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM tokens WHERE user_id = ?1").bind(victim.id).first("n")).toBe(
      0,
    );
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM permissions WHERE user_id = ?1").bind(victim.id).first("n"),
    ).toBe(0);
  });

  it("deleting a user removes their connection tokens", async () => {
    const victim = await makeUser();
    const flow = crypto.randomUUID();
    const endpoint = crypto.randomUUID();
    const provider = await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO flows (uuid, name, slug, title, designation) VALUES (?1, 'f', ?2, 'f', 'authorization')",
      ).bind(flow, unique("flow")),
      env.DB.prepare("INSERT INTO providers (name, authorization_flow) VALUES (?1, ?2) RETURNING id").bind(
        unique("provider"),
        flow,
      ),
    ]);
    const providerId = (provider[1]!.results[0] as { id: number }).id;
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO endpoints (uuid, name, provider_id, protocol, host, auth_mode) " +
          "VALUES (?1, 'e', ?2, 'rdp', 'h', 'static')",
      ).bind(endpoint, providerId),
      env.DB.prepare(
        "INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, created) " +
          "VALUES (?1, ?2, ?3, ?4, ?5, 0)",
      ).bind(crypto.randomUUID(), providerId, endpoint, victim.id, crypto.randomUUID()),
    ]);
    expect((await del(`${LIST}${victim.id}/`)).status).toBe(204);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM connection_tokens WHERE user_id = ?1").bind(victim.id).first("n"),
    ).toBe(0);
  });

  it("deactivating a user makes their key stop working", async () => {
    const user = await makeUser();
    expect((await patch(`${LIST}${user.id}/`, { is_active: false })).status).toBe(200);
    expect(await get(LIST, { token: user.token })).toMatchObject({
      status: 403,
      body: { detail: "Token invalid/expired" },
    });
    expect((await patch(`${LIST}${user.id}/`, { is_active: true })).status).toBe(200);
    expect((await get(LIST, { token: user.token })).status).toBe(200);
  });
});

describe("list", () => {
  const names = (reply: { body: { results: { username: string }[] } }) => reply.body.results.map((u) => u.username);

  it("paginates with authentik's envelope", async () => {
    const prefix = unique("page");
    for (const letter of ["a", "b", "c"]) await makeApiUser({ username: `${prefix}-${letter}` });
    const first = await get(`${LIST}?search=${prefix}&page_size=2`);
    expect(first.body.pagination).toEqual({
      next: 2,
      previous: 0,
      count: 3,
      current: 1,
      total_pages: 2,
      start_index: 1,
      end_index: 2,
    });
    expect(names(first)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    const second = await get(`${LIST}?search=${prefix}&page_size=2&page=2`);
    expect(second.body.pagination).toEqual({
      next: 0,
      previous: 1,
      count: 3,
      current: 2,
      total_pages: 2,
      start_index: 3,
      end_index: 3,
    });
    expect(names(second)).toEqual([`${prefix}-c`]);
    expect(await get(`${LIST}?search=${prefix}&page_size=2&page=3`)).toMatchObject({
      status: 404,
      body: { detail: "Invalid page." },
    });
  });

  it("searches username, name and email, each term matching", async () => {
    const tag = unique("srch").replaceAll("-", "");
    const a = await makeApiUser({ username: `${tag}-one`, name: "Zed Alpha", email: "zed@example.com" });
    const b = await makeApiUser({ name: `Person ${tag.toUpperCase()}`, email: "p@example.org" });
    const c = await makeApiUser({ email: `${tag}@mail.test` });
    const all = await get(`${LIST}?search=${tag}&ordering=pk`);
    expect(all.body.results.map((u: { pk: number }) => u.pk)).toEqual([a.pk, b.pk, c.pk]);
    const two = await get(`${LIST}?search=${encodeURIComponent(`${tag} alpha`)}`);
    expect(two.body.results.map((u: { pk: number }) => u.pk)).toEqual([a.pk]);
    expect((await get(`${LIST}?search=${tag}%20nomatch`)).body.pagination.count).toBe(0);
  });

  it("orders by username by default and by whitelisted fields on request", async () => {
    const tag = unique("ord");
    const x = await makeApiUser({ username: `${tag}-b`, name: "2", email: "a@x.test" });
    const y = await makeApiUser({ username: `${tag}-a`, name: "3", email: "c@x.test", is_active: false });
    const z = await makeApiUser({ username: `${tag}-c`, name: "1", email: "b@x.test" });
    const order = async (ordering: string) =>
      (await get(`${LIST}?search=${tag}${ordering ? `&ordering=${ordering}` : ""}`)).body.results.map(
        (u: { pk: number }) => u.pk,
      );
    expect(await order("")).toEqual([y.pk, x.pk, z.pk]);
    expect(await order("-username")).toEqual([z.pk, x.pk, y.pk]);
    expect(await order("name")).toEqual([z.pk, x.pk, y.pk]);
    expect(await order("email")).toEqual([x.pk, z.pk, y.pk]);
    expect(await order("-pk")).toEqual([z.pk, y.pk, x.pk]);
    expect(await order("is_active,username")).toEqual([y.pk, x.pk, z.pk]);
    expect(await order("uid")).toEqual([y.pk, x.pk, z.pk]); // not whitelisted: default ordering
  });

  it("filters on username, name, email, is_active, is_superuser, uuid, path and type", async () => {
    const tag = unique("flt");
    const a = await makeApiUser({
      username: `${tag}-a`,
      name: `${tag} A`,
      email: "a@flt.test",
      path: `${tag}/x`,
      type: "external",
    });
    const b = await makeApiUser({
      username: `${tag}-b`,
      is_active: false,
      is_superuser: true,
      path: `${tag}/x`,
      type: "service_account",
    });
    const c = await makeApiUser({ username: `${tag}-c`, path: `${tag}/y` });
    const pks = async (query: string) =>
      (await get(`${LIST}?search=${tag}&${query}`)).body.results.map((u: { pk: number }) => u.pk);
    expect(await pks(`username=${tag}-b`)).toEqual([b.pk]);
    expect(await pks(`name=${encodeURIComponent(`${tag} A`)}`)).toEqual([a.pk]);
    expect(await pks("email=a@flt.test")).toEqual([a.pk]);
    expect(await pks("is_active=false")).toEqual([b.pk]);
    expect(await pks("is_active=true")).toEqual([a.pk, c.pk]);
    expect(await pks("is_superuser=true")).toEqual([b.pk]);
    expect(await pks(`uuid=${c.uuid.toUpperCase()}`)).toEqual([c.pk]);
    expect(await pks(`path=${tag}/x`)).toEqual([a.pk, b.pk]);
    expect(await pks("type=external&type=service_account")).toEqual([a.pk, b.pk]);
    expect(await pks("type=internal")).toEqual([c.pk]);
    expect(await get(`${LIST}?uuid=nope`)).toMatchObject({ status: 400, body: { uuid: ["Enter a valid UUID."] } });
    expect(await get(`${LIST}?type=robot`)).toMatchObject({
      status: 400,
      body: { type: ["Select a valid choice. robot is not one of the available choices."] },
    });
    // A malformed filter is found while the list is planned, before authentication: it answers only after it.
    for (const token of [null, "not-a-token"]) {
      expect((await get(`${LIST}?uuid=nope&type=robot`, { token })).status).toBe(403);
    }
  });

  it("a page of 100 users costs a constant number of D1 queries", async () => {
    const statements = [];
    for (let i = 0; i < 100; i++) {
      statements.push(
        env.DB.prepare("INSERT INTO users (uuid, uid, username) VALUES (?1, ?1, ?2)").bind(
          crypto.randomUUID(),
          unique("bulk"),
        ),
      );
    }
    await env.DB.batch(statements);
    const one = await roundTrips(`${LIST}?page_size=1`);
    const hundred = await roundTrips(`${LIST}?page_size=100`);
    expect(hundred.body.results).toHaveLength(100);
    expect(hundred.queries).toBe(one.queries);
    expect(hundred.queries).toBeLessThanOrEqual(2);
  });
});

describe("permissions", () => {
  it("no grant: an empty list, 403 on create, 404 on objects", async () => {
    const user = await makeUser();
    const other = await makeApiUser();
    const list = await get(LIST, { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      pagination: { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 },
      results: [],
    });
    const before = await userCount();
    expect(await post(LIST, { username: unique("u"), name: "x" }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await userCount()).toBe(before);
    expect(await get(`${LIST}${other.pk}/`, { token: user.token })).toMatchObject({ status: 404, body: NOT_FOUND });
    expect((await put(`${LIST}${other.pk}/`, { username: "x", name: "x" }, { token: user.token })).status).toBe(404);
    expect((await patch(`${LIST}${other.pk}/`, { name: "x" }, { token: user.token })).status).toBe(404);
    expect((await del(`${LIST}${other.pk}/`, { token: user.token })).status).toBe(404);
    expect((await get(`${LIST}${other.pk}/`)).body).toEqual(other);
  });

  it("global grants: view sees all, add creates, change and delete need their own grants", async () => {
    const user = await makeUser();
    const other = await makeApiUser();
    await grant(user.id, ["authentik_core.view_user"]);
    const list = await get(`${LIST}?page_size=1000`, { token: user.token });
    expect(list.body.pagination.count).toBe((await get(LIST)).body.pagination.count);
    expect(await get(`${LIST}${other.pk}/`, { token: user.token })).toMatchObject({ status: 200, body: other });
    expect(await patch(`${LIST}${other.pk}/`, { name: "x" }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await del(`${LIST}${other.pk}/`, { token: user.token })).toMatchObject({ status: 403, body: FORBIDDEN });
    expect((await post(LIST, { username: unique("u"), name: "x" }, { token: user.token })).status).toBe(403);
    await grant(user.id, ["authentik_core.add_user", "authentik_core.change_user", "authentik_core.delete_user"]);
    expect((await post(LIST, { username: unique("u"), name: "x" }, { token: user.token })).status).toBe(201);
    expect((await patch(`${LIST}${other.pk}/`, { name: "changed" }, { token: user.token })).body.name).toBe("changed");
    expect((await del(`${LIST}${other.pk}/`, { token: user.token })).status).toBe(204);
  });

  it("object grants: only that user is listed and changed", async () => {
    const user = await makeUser();
    const mine = await makeApiUser();
    const other = await makeApiUser();
    await grant(user.id, ["authentik_core.view_user", "authentik_core.change_user"], { model: MODEL, pk: mine.pk });
    const list = await get(LIST, { token: user.token });
    expect(list.body.pagination.count).toBe(1);
    expect(list.body.results).toEqual([mine]);
    expect((await patch(`${LIST}${mine.pk}/`, { name: "mine" }, { token: user.token })).status).toBe(200);
    expect((await get(`${LIST}${other.pk}/`, { token: user.token })).status).toBe(404);
    expect(await del(`${LIST}${mine.pk}/`, { token: user.token })).toMatchObject({ status: 403, body: FORBIDDEN });
    expect((await post(LIST, { username: unique("u"), name: "x" }, { token: user.token })).status).toBe(403);
  });

  it("only a superuser grants or revokes superuser status", async () => {
    const admin = await makeUser();
    await grant(admin.id, ["authentik_core.view_user", "authentik_core.add_user", "authentik_core.change_user"]);
    const before = await userCount();
    const promote = await post(
      LIST,
      { username: unique("root"), name: "x", is_superuser: true },
      { token: admin.token },
    );
    expect(promote).toMatchObject({ status: 403, body: FORBIDDEN });
    expect(await userCount()).toBe(before);
    const plain = await post(
      LIST,
      { username: unique("plain"), name: "x", is_superuser: false },
      { token: admin.token },
    );
    expect(plain.status).toBe(201);
    expect(await patch(`${LIST}${plain.body.pk}/`, { is_superuser: true }, { token: admin.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await patch(`${LIST}${admin.id}/`, { is_superuser: true }, { token: admin.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect((await userRow(admin.id))!.is_superuser).toBe(0);
    const root = await makeApiUser({ is_superuser: true });
    expect(await patch(`${LIST}${root.pk}/`, { is_superuser: false }, { token: admin.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(
      (await patch(`${LIST}${root.pk}/`, { is_superuser: true, name: "same" }, { token: admin.token })).status,
    ).toBe(200);

    const superuser = await makeUser({ superuser: true });
    const promoted = await patch(`${LIST}${plain.body.pk}/`, { is_superuser: true }, { token: superuser.token });
    expect(promoted.status).toBe(200);
    expect(promoted.body.is_superuser).toBe(true);
  });

  it("a superuser other than akadmin may do everything", async () => {
    const root = await makeUser({ superuser: true });
    const reply = await post(LIST, { username: unique("u"), name: "x" }, { token: root.token });
    expect(reply.status).toBe(201);
    expect((await get(`${LIST}${reply.body.pk}/`, { token: root.token })).status).toBe(200);
    expect((await del(`${LIST}${reply.body.pk}/`, { token: root.token })).status).toBe(204);
  });
});
