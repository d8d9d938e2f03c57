import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clock } from "../src/clock.ts";
import { sha256Hex } from "../src/crypto.ts";
import { ADMIN, del, get, grant, makeUser, patch, post, put, roundTrips, unique } from "./helpers.ts";

const LIST = "/api/v3/core/tokens/";
const USERS = "/api/v3/core/users/";
const MODEL = "authentik_core.token";
const FORBIDDEN = { detail: "You do not have permission to perform this action." };
const NOT_FOUND = { detail: "Not found." };
const INVALID = { detail: "Token invalid/expired" };
const DATE_FORMAT =
  "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const realNow = clock.now;

let admin: Record<string, unknown>;
beforeAll(async () => {
  admin = (await get(`${USERS}?username=akadmin`)).body.results[0];
});
afterEach(() => {
  clock.now = realNow;
});

const tokenCount = async () => Number(await env.DB.prepare("SELECT count(*) AS n FROM tokens").first<number>("n"));
const tokenRow = (identifier: string) =>
  env.DB.prepare("SELECT * FROM tokens WHERE identifier = ?1")
    .bind(identifier)
    .first<{ key_hash: string; key_pending: string | null; expires: number | null }>();
const userOf = async (id: number) => (await get(`${USERS}${id}/`)).body;

async function makeToken(body: Record<string, unknown> = {}, token = ADMIN) {
  const reply = await post(LIST, { identifier: unique("tok"), expiring: false, ...body }, { token });
  if (reply.status !== 201) throw new Error(`token: ${reply.status} ${reply.text}`);
  return reply.body as { pk: string; identifier: string; user: number; [key: string]: unknown };
}

/** The token's key, read once through view_key. */
async function keyOf(identifier: string, token = ADMIN): Promise<string> {
  const reply = await get(`${LIST}${identifier}/view_key/`, { token });
  if (reply.status !== 200) throw new Error(`view_key: ${reply.status} ${reply.text}`);
  return reply.body.key;
}

describe("create", () => {
  it("creates an API token for the caller with authentik's Token shape and default lifetime", async () => {
    const now = Date.parse("2030-01-02T03:04:05.000Z");
    clock.now = () => now;
    const identifier = unique("first");
    const reply = await post(LIST, { identifier });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      pk: expect.stringMatching(UUID),
      managed: null,
      identifier,
      intent: "api",
      user: admin.pk,
      user_obj: admin,
      description: "",
      expires: "2030-01-02T03:34:05.000Z",
      expiring: true,
    });
    expect(await get(`${LIST}${identifier}/`)).toMatchObject({ status: 200, body: reply.body });
  });

  it("stores every writable field", async () => {
    const owner = await makeUser();
    const identifier = unique("full");
    const reply = await post(LIST, {
      identifier,
      intent: "api",
      user: String(owner.id),
      description: "for the CI",
      expires: "2031-05-06T07:08:09+02:00",
      expiring: "true",
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      pk: expect.stringMatching(UUID),
      managed: null,
      identifier,
      intent: "api",
      user: owner.id,
      user_obj: await userOf(owner.id),
      description: "for the CI",
      expires: "2031-05-06T05:08:09.000Z",
      expiring: true,
    });
    expect((await tokenRow(identifier))!.expires).toBe(Date.parse("2031-05-06T05:08:09Z"));
  });

  it("expires may be null", async () => {
    const reply = await post(LIST, { identifier: unique("never"), expires: null, expiring: false });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ expires: null, expiring: false });
  });

  it.each([
    [{}, { identifier: ["This field is required."] }],
    [{ identifier: null }, { identifier: ["This field may not be null."] }],
    [{ identifier: "" }, { identifier: ["This field may not be blank."] }],
    [{ identifier: true }, { identifier: ["Not a valid string."] }],
    [
      { identifier: "has space" },
      { identifier: ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."] },
    ],
    [{ identifier: "x".repeat(256) }, { identifier: ["Ensure this field has no more than 255 characters."] }],
    [{ identifier: "authentik-bootstrap-token" }, { identifier: ["Token with this identifier already exists."] }],
    [{ identifier: "NEW", intent: "recovery" }, { intent: ['"recovery" is not a valid choice.'] }],
    [{ identifier: "NEW", intent: null }, { intent: ["This field may not be null."] }],
    [{ identifier: "NEW", user: "abc" }, { user: ["Incorrect type. Expected pk value, received str."] }],
    [{ identifier: "NEW", user: true }, { user: ["Incorrect type. Expected pk value, received bool."] }],
    [{ identifier: "NEW", user: null }, { user: ["This field may not be null."] }],
    [{ identifier: "NEW", user: 999999 }, { user: ['Invalid pk "999999" - object does not exist.'] }],
    [{ identifier: "NEW", description: null }, { description: ["This field may not be null."] }],
    [{ identifier: "NEW", description: ["x"] }, { description: ["Not a valid string."] }],
    [{ identifier: "NEW", expires: "tomorrow" }, { expires: [DATE_FORMAT] }],
    [{ identifier: "NEW", expires: "2030-02-31T00:00:00Z" }, { expires: [DATE_FORMAT] }],
    [{ identifier: "NEW", expires: 1700000000 }, { expires: [DATE_FORMAT] }],
    [{ identifier: "NEW", expiring: "maybe" }, { expiring: ["Must be a valid boolean."] }],
    [{ identifier: "NEW", expiring: null }, { expiring: ["This field may not be null."] }],
  ])("%j -> 400 %j, nothing written", async (input, expected) => {
    const body = JSON.parse(JSON.stringify(input).replaceAll('"NEW"', JSON.stringify(unique("new"))));
    const before = await tokenCount();
    const reply = await post(LIST, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await tokenCount()).toBe(before);
  });
});

describe("keys", () => {
  it("view_key shows the key once, then answers 410; only the hash stays in D1", async () => {
    const token = await makeToken();
    const pending = await tokenRow(token.identifier);
    expect(pending!.key_pending).toMatch(/^[A-Za-z0-9]{64}$/);
    const reply = await get(`${LIST}${token.identifier}/view_key/`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ key: pending!.key_pending });
    const key = reply.body.key as string;
    const row = await env.DB.prepare("SELECT * FROM tokens WHERE identifier = ?1")
      .bind(token.identifier)
      .first<Record<string, unknown>>();
    expect(row!.key_pending).toBeNull();
    expect(row!.key_hash).toBe(await sha256Hex(key));
    expect(Object.values(row!).some((value) => String(value).includes(key))).toBe(false);
    const again = await get(`${LIST}${token.identifier}/view_key/`);
    expect(again.status).toBe(410);
    expect(again.body).toEqual({ detail: expect.stringContaining("stores keys hashed") });
    expect(again.body.detail).toContain("shows each key once");
  });

  it("the key authenticates as the token's user", async () => {
    const owner = await makeUser();
    const token = await makeToken({ user: owner.id });
    const key = await keyOf(token.identifier);
    const mine = await get(LIST, { token: key });
    expect(mine.status).toBe(200);
    expect(mine.body.results.map((t: { user: number }) => t.user)).toEqual([owner.id, owner.id]);
  });

  it("an expiring token past its date cannot authenticate; a non-expiring one can", async () => {
    const expired = await makeToken({ expiring: true, expires: "2001-01-01T00:00:00Z" });
    expect(await get(LIST, { token: await keyOf(expired.identifier) })).toMatchObject({ status: 403, body: INVALID });
    const kept = await makeToken({ expiring: false, expires: "2001-01-01T00:00:00Z" });
    expect((await get(LIST, { token: await keyOf(kept.identifier) })).status).toBe(200);
  });

  it("a default token works for 30 minutes and not after", async () => {
    const start = realNow();
    clock.now = () => start;
    const token = await post(LIST, { identifier: unique("short") });
    const key = await keyOf(token.body.identifier);
    clock.now = () => start + 29 * 60 * 1000;
    expect((await get(LIST, { token: key })).status).toBe(200);
    clock.now = () => start + 31 * 60 * 1000;
    expect(await get(LIST, { token: key })).toMatchObject({ status: 403, body: INVALID });
  });

  it("the bootstrap token keeps working and its key is not shown", async () => {
    const bootstrap = await get(`${LIST}authentik-bootstrap-token/`);
    expect(bootstrap.status).toBe(200);
    expect(bootstrap.body).toMatchObject({
      identifier: "authentik-bootstrap-token",
      user: admin.pk,
      expiring: false,
      expires: null,
    });
    expect((await get(`${LIST}authentik-bootstrap-token/view_key/`)).status).toBe(410);
    expect((await patch(`${LIST}authentik-bootstrap-token/`, { description: "still here" })).status).toBe(200);
    expect((await get(LIST)).status).toBe(200);
  });

  it("view_key of an unknown token is 404", async () => {
    expect(await get(`${LIST}does-not-exist/view_key/`)).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it("deleting a user revokes their token at once", async () => {
    const user = await post(USERS, { username: unique("leaver"), name: "Leaver" });
    const token = await makeToken({ user: user.body.pk });
    const key = await keyOf(token.identifier);
    expect((await get(LIST, { token: key })).status).toBe(200);
    expect((await del(`${USERS}${user.body.pk}/`)).status).toBe(204);
    expect(await get(LIST, { token: key })).toMatchObject({ status: 403, body: INVALID });
    expect(await tokenRow(token.identifier)).toBeNull();
  });

  it("deleting a token revokes its key", async () => {
    const token = await makeToken();
    const key = await keyOf(token.identifier);
    expect((await get(LIST, { token: key })).status).toBe(200);
    const reply = await del(`${LIST}${token.identifier}/`);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect(await get(LIST, { token: key })).toMatchObject({ status: 403, body: INVALID });
    expect((await get(`${LIST}${token.identifier}/`)).status).toBe(404);
  });
});

describe("retrieve, PUT, PATCH", () => {
  it("an unknown identifier is 404", async () => {
    expect(await get(`${LIST}nope-nope/`)).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await patch(`${LIST}nope-nope/`, {})).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it("PATCH changes only the given fields; renaming moves the path", async () => {
    const token = await makeToken({ description: "old" });
    const renamed = unique("renamed");
    const reply = await patch(`${LIST}${token.identifier}/`, {
      identifier: renamed,
      description: "new",
      expires: "2040-01-01T00:00:00Z",
      expiring: true,
    });
    expect(reply.status).toBe(200);
    const expected = {
      ...token,
      identifier: renamed,
      description: "new",
      expires: "2040-01-01T00:00:00.000Z",
      expiring: true,
    };
    expect(reply.body).toEqual(expected);
    expect((await get(`${LIST}${renamed}/`)).body).toEqual(expected);
    expect((await get(`${LIST}${token.identifier}/`)).status).toBe(404);
  });

  it("PUT needs the identifier and keeps omitted fields; a key survives edits", async () => {
    const token = await makeToken({ description: "keep", expires: "2040-01-01T00:00:00Z" });
    expect(await put(`${LIST}${token.identifier}/`, { description: "x" })).toMatchObject({
      status: 400,
      body: { identifier: ["This field is required."] },
    });
    const reply = await put(`${LIST}${token.identifier}/`, { identifier: token.identifier, expiring: true });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ...token, expiring: true });
    const key = await keyOf(token.identifier);
    expect((await patch(`${LIST}${token.identifier}/`, { description: "edited" })).status).toBe(200);
    expect((await get(LIST, { token: key })).status).toBe(200);
  });

  it("PATCH may move a token to another user", async () => {
    const owner = await makeUser();
    const token = await makeToken();
    const reply = await patch(`${LIST}${token.identifier}/`, { user: owner.id });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ...token, user: owner.id, user_obj: await userOf(owner.id) });
  });

  it.each([
    [{ identifier: "" }, { identifier: ["This field may not be blank."] }],
    [
      { identifier: "a/b" },
      { identifier: ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."] },
    ],
    [{ identifier: "authentik-bootstrap-token" }, { identifier: ["Token with this identifier already exists."] }],
    [{ intent: "app_password" }, { intent: ['"app_password" is not a valid choice.'] }],
    [{ user: 999999 }, { user: ['Invalid pk "999999" - object does not exist.'] }],
    [{ user: "x1" }, { user: ["Incorrect type. Expected pk value, received str."] }],
    [{ description: { a: 1 } }, { description: ["Not a valid string."] }],
    [{ expires: "01/02/2030" }, { expires: [DATE_FORMAT] }],
    [{ expiring: "sometimes" }, { expiring: ["Must be a valid boolean."] }],
  ])("PATCH %j -> 400 %j, token unchanged", async (input, expected) => {
    const token = await makeToken({ description: "unchanged" });
    const reply = await patch(`${LIST}${token.identifier}/`, { description: "changed", ...input });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect((await get(`${LIST}${token.identifier}/`)).body).toEqual(token);
  });
});

describe("list", () => {
  const identifiers = (reply: { body: { results: { identifier: string }[] } }) =>
    reply.body.results.map((t) => t.identifier);

  it("paginates, searches identifier, description and username, and orders", async () => {
    const tag = unique("lst").replaceAll("-", "");
    const owner = await makeUser({ username: `${tag}-owner` });
    const a = await makeToken({ identifier: `${tag}-b`, description: "alpha", expires: "2040-01-01T00:00:00Z" });
    const b = await makeToken({ identifier: `${tag}-a`, description: "beta", expires: "2041-01-01T00:00:00Z" });
    const c = await makeToken({
      identifier: unique("other"),
      description: `about ${tag}`,
      user: owner.id,
      expires: "2039-01-01T00:00:00Z",
    });
    const search = await get(`${LIST}?search=${tag}`);
    // owner's own token from makeUser matches through the username too
    expect(search.body.pagination.count).toBe(4);
    expect(identifiers(search).slice(0, 2)).toEqual([b.identifier, a.identifier]);
    expect(identifiers(await get(`${LIST}?search=${encodeURIComponent(`${tag} alpha`)}`))).toEqual([a.identifier]);
    const byUser = await get(`${LIST}?search=${tag}-owner&ordering=-expires`);
    expect(byUser.body.results.map((t: { user: number }) => t.user)).toEqual([owner.id, owner.id]);
    expect(identifiers(await get(`${LIST}?search=${tag}&ordering=expires&user__username=akadmin`))).toEqual([
      a.identifier,
      b.identifier,
    ]);
    expect(identifiers(await get(`${LIST}?search=${tag}&ordering=-identifier&user__username=akadmin`))).toEqual([
      a.identifier,
      b.identifier,
    ]);
    expect(identifiers(await get(`${LIST}?search=${tag}&ordering=description&user__username=akadmin`))).toEqual([
      a.identifier,
      b.identifier,
    ]);
    const page = await get(`${LIST}?search=${tag}&page_size=3&page=2`);
    expect(page.body.pagination).toEqual({
      next: 0,
      previous: 1,
      count: 4,
      current: 2,
      total_pages: 2,
      start_index: 4,
      end_index: 4,
    });
    expect(page.body.results).toHaveLength(1);
    expect(identifiers(await get(`${LIST}?identifier=${c.identifier}`))).toEqual([c.identifier]);
  });

  it("filters on identifier, intent, user__username, description, expiring and managed", async () => {
    const tag = unique("flt");
    const a = await makeToken({
      identifier: `${tag}-a`,
      description: `${tag} desc`,
      expiring: true,
      expires: "2040-01-01T00:00:00Z",
    });
    const b = await makeToken({ identifier: `${tag}-b`, expiring: false });
    await env.DB.prepare("UPDATE tokens SET managed = ?1 WHERE identifier = ?2")
      .bind(`goauthentik.io/${tag}`, b.identifier)
      .run();
    const found = async (query: string) => identifiers(await get(`${LIST}?search=${tag}&${query}`));
    expect(await found(`identifier=${a.identifier}`)).toEqual([a.identifier]);
    expect(await found("intent=api")).toEqual([a.identifier, b.identifier]);
    expect(await found("intent=recovery")).toEqual([]);
    expect(await found("user__username=akadmin")).toEqual([a.identifier, b.identifier]);
    expect(await found(`description=${encodeURIComponent(`${tag} desc`)}`)).toEqual([a.identifier]);
    expect(await found("expiring=true")).toEqual([a.identifier]);
    expect(await found("expiring=false")).toEqual([b.identifier]);
    expect(await found(`managed=goauthentik.io/${tag}`)).toEqual([b.identifier]);
    expect((await get(`${LIST}${b.identifier}/`)).body.managed).toBe(`goauthentik.io/${tag}`);
  });

  it("a page of 100 tokens costs a constant number of D1 queries", async () => {
    const row = await env.DB.prepare("SELECT id FROM users WHERE username = 'akadmin'").first<{ id: number }>();
    const statements = [];
    for (let i = 0; i < 100; i++) {
      statements.push(
        env.DB.prepare("INSERT INTO tokens (uuid, identifier, user_id, key_hash) VALUES (?1, ?2, ?3, ?1)").bind(
          crypto.randomUUID(),
          unique("bulk"),
          row!.id,
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
  it("a user without grants sees and manages only their own tokens", async () => {
    const user = await makeUser();
    const other = await makeToken();
    const list = await get(LIST, { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.pagination.count).toBe(1);
    expect(list.body.results[0].user).toBe(user.id);

    const mine = await post(LIST, { identifier: unique("mine"), description: "self-service" }, { token: user.token });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ user: user.id, user_obj: await userOf(user.id), description: "self-service" });
    const explicit = await post(
      LIST,
      { identifier: unique("mine"), user: user.id, expiring: false },
      { token: user.token },
    );
    expect(explicit.status).toBe(201);
    expect((await get(LIST, { token: user.token })).body.pagination.count).toBe(3);
    expect(await get(`${LIST}${mine.body.identifier}/`, { token: user.token })).toMatchObject({
      status: 200,
      body: mine.body,
    });
    expect(
      (await patch(`${LIST}${mine.body.identifier}/`, { description: "edited" }, { token: user.token })).body
        .description,
    ).toBe("edited");
    const key = await keyOf(explicit.body.identifier, user.token);
    expect((await get(LIST, { token: key })).status).toBe(200);
    expect((await del(`${LIST}${mine.body.identifier}/`, { token: user.token })).status).toBe(204);

    expect(await get(`${LIST}${other.identifier}/`, { token: user.token })).toMatchObject({
      status: 404,
      body: NOT_FOUND,
    });
    expect((await get(`${LIST}${other.identifier}/view_key/`, { token: user.token })).status).toBe(404);
    expect((await patch(`${LIST}${other.identifier}/`, { description: "x" }, { token: user.token })).status).toBe(404);
    expect(
      (await put(`${LIST}${other.identifier}/`, { identifier: other.identifier }, { token: user.token })).status,
    ).toBe(404);
    expect((await del(`${LIST}${other.identifier}/`, { token: user.token })).status).toBe(404);
    expect((await get(`${LIST}${other.identifier}/`)).body).toEqual(other);
  });

  it("tokens for another user need a superuser or the global add_token grant", async () => {
    const user = await makeUser();
    const target = await makeUser();
    const before = await tokenCount();
    expect(await post(LIST, { identifier: unique("theirs"), user: target.id }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await tokenCount()).toBe(before);
    const mine = await makeToken({}, user.token);
    expect(await patch(`${LIST}${mine.identifier}/`, { user: target.id }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect((await get(`${LIST}${mine.identifier}/`)).body.user).toBe(user.id);

    await grant(user.id, ["authentik_core.add_token"]);
    const theirs = await post(LIST, { identifier: unique("theirs"), user: target.id }, { token: user.token });
    expect(theirs.status).toBe(201);
    expect(theirs.body.user).toBe(target.id);
    // only superusers hand out keys of superusers
    expect(await post(LIST, { identifier: unique("root"), user: admin.pk }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await tokenCount()).toBe(before + 2);
  });

  it("global view sees all tokens; changing others' needs change/delete grants; keys need view_token_key", async () => {
    const user = await makeUser();
    // Another ordinary user's token: superusers' tokens are for superusers only (see below).
    const other = await makeToken({}, (await makeUser()).token);
    await grant(user.id, ["authentik_core.view_token"]);
    expect((await get(LIST, { token: user.token })).body.pagination.count).toBe(
      (await get(LIST)).body.pagination.count,
    );
    expect(await get(`${LIST}${other.identifier}/`, { token: user.token })).toMatchObject({ status: 200, body: other });
    expect(await patch(`${LIST}${other.identifier}/`, { description: "x" }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await del(`${LIST}${other.identifier}/`, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await get(`${LIST}${other.identifier}/view_key/`, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    // A refused view_key does not use up the key.
    expect((await tokenRow(other.identifier))!.key_pending).not.toBeNull();
    await grant(user.id, [
      "authentik_core.change_token",
      "authentik_core.delete_token",
      "authentik_core.view_token_key",
    ]);
    expect((await patch(`${LIST}${other.identifier}/`, { description: "x" }, { token: user.token })).status).toBe(200);
    expect((await get(`${LIST}${other.identifier}/view_key/`, { token: user.token })).status).toBe(200);
    expect((await del(`${LIST}${other.identifier}/`, { token: user.token })).status).toBe(204);
  });

  it("object grants: that token only", async () => {
    const user = await makeUser();
    const owner = await makeUser();
    const granted = await makeToken({}, owner.token);
    const hidden = await makeToken({}, owner.token);
    await grant(user.id, ["authentik_core.view_token", "authentik_core.view_token_key"], {
      model: MODEL,
      pk: granted.pk,
    });
    const list = await get(LIST, { token: user.token });
    expect(list.body.pagination.count).toBe(2); // their own token and the granted one
    expect(list.body.results.map((t: { identifier: string }) => t.identifier)).toContain(granted.identifier);
    expect((await get(`${LIST}${hidden.identifier}/`, { token: user.token })).status).toBe(404);
    expect((await get(`${LIST}${granted.identifier}/view_key/`, { token: user.token })).status).toBe(200);
    expect(await patch(`${LIST}${granted.identifier}/`, { description: "x" }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await del(`${LIST}${granted.identifier}/`, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
  });

  it("only superusers touch superusers' tokens, whatever the grants", async () => {
    const user = await makeUser();
    const root = await makeToken();
    await grant(user.id, [
      "authentik_core.view_token",
      "authentik_core.change_token",
      "authentik_core.delete_token",
      "authentik_core.view_token_key",
    ]);
    expect((await get(`${LIST}${root.identifier}/`, { token: user.token })).status).toBe(200);
    expect(await patch(`${LIST}${root.identifier}/`, { description: "x" }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await get(`${LIST}${root.identifier}/view_key/`, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await del(`${LIST}${root.identifier}/`, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
  });

  it("a superuser other than akadmin may do everything", async () => {
    const root = await makeUser({ superuser: true });
    const target = await makeUser();
    const reply = await post(LIST, { identifier: unique("root"), user: target.id }, { token: root.token });
    expect(reply.status).toBe(201);
    expect((await get(`${LIST}${reply.body.identifier}/view_key/`, { token: root.token })).status).toBe(200);
    expect((await patch(`${LIST}${reply.body.identifier}/`, { user: admin.pk }, { token: root.token })).status).toBe(
      200,
    );
    expect((await del(`${LIST}${reply.body.identifier}/`, { token: root.token })).status).toBe(204);
  });
});
