import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { count, launched, makeEndpoint, mentions, setNow, TOKENS } from "./connectionFixtures.ts";
import {
  call,
  callWith,
  countingDb,
  del,
  get,
  grant,
  makeProvider,
  makeUser,
  patch,
  post,
  put,
  unique,
} from "./helpers.ts";

const INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices.";
const MODEL = "authentik_providers_rac.connectiontoken";

type User = Awaited<ReturnType<typeof makeUser>>;
type Endpoint = Awaited<ReturnType<typeof makeEndpoint>>;

const row = (uuid: string) =>
  env.DB.prepare("SELECT provider_id, endpoint_id, user_id, expires FROM connection_tokens WHERE uuid = ?1")
    .bind(uuid)
    .first();
const pks = (reply: { body: { results: { pk: string }[] } }) => reply.body.results.map((token) => token.pk);

describe("shape and methods (reference cases 47 and 48)", () => {
  it("list and retrieve: the client's ConnectionToken plus expires, created, connected_at; never secrets", async () => {
    const endpoint = await makeEndpoint({ auth_mode: "prompt" });
    const token = await launched(endpoint.pk, { settings: { username: "alice", password: "hunter2" } });
    const { token: secret, ...expected } = token;
    const retrieved = await get(`${TOKENS}${token.pk}/`);
    expect(retrieved.status).toBe(200);
    expect(retrieved.body).toEqual(expected);
    expect(Object.keys(retrieved.body).sort()).toEqual([
      "connected_at",
      "created",
      "endpoint",
      "endpoint_obj",
      "expires",
      "pk",
      "provider",
      "provider_obj",
      "user",
    ]);
    expect(retrieved.body.connected_at).toBeNull();
    expect(Date.parse(retrieved.body.created)).toBeGreaterThan(0);
    expect(Object.keys(retrieved.body.user).sort()).toEqual([
      "attributes",
      "email",
      "is_active",
      "last_login",
      "name",
      "pk",
      "uid",
      "username",
    ]);
    const listed = await get(`${TOKENS}?endpoint=${endpoint.pk}`);
    expect(listed.body.results).toEqual([expected]);
    for (const answer of [retrieved, listed]) {
      expect(mentions(answer.body, secret)).toBe(false);
      expect(mentions(answer.body, "hunter2")).toBe(false);
      expect(mentions(answer.body, '"settings":{"username"')).toBe(false);
    }
  });

  it("47: POST to the list is 405", async () => {
    const reply = await post(TOKENS, { provider: 1, endpoint: crypto.randomUUID() });
    expect(reply.status).toBe(405);
    expect(reply.body).toEqual({ detail: 'Method "POST" not allowed.' });
  });

  it("unknown and malformed pks are 404", async () => {
    for (const key of [crypto.randomUUID(), "nope", "1"]) {
      for (const reply of [
        await get(`${TOKENS}${key}/`),
        await patch(`${TOKENS}${key}/`, {}),
        await del(`${TOKENS}${key}/`),
        await get(`${TOKENS}${key}/used_by/`),
      ]) {
        expect(reply.status).toBe(404);
        expect(reply.body).toEqual({ detail: "Not found." });
      }
    }
  });

  it("used_by: nothing points at a connection token", async () => {
    const token = await launched((await makeEndpoint()).pk);
    const reply = await get(`${TOKENS}${token.pk}/used_by/`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([]);
  });
});

describe("list: filters, search, ordering (reference case 49)", () => {
  let alice: User;
  let bob: User;
  let e1: Endpoint;
  let e2: Endpoint;
  let e3: Endpoint;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const tag = unique("f");
    const p1 = await makeProvider({ name: `${tag}-zulu` });
    const p2 = await makeProvider({ name: `${tag}-alpha` });
    e1 = await makeEndpoint({ provider: p1.pk, name: `${tag}-charlie` });
    e2 = await makeEndpoint({ provider: p2.pk, name: `${tag}-bravo` });
    e3 = await makeEndpoint({ provider: p2.pk, name: `${tag}-charlie` });
    alice = await makeUser();
    bob = await makeUser();
    for (const user of [alice, bob]) await grant(user.id, ["authentik_providers_rac.view_endpoint"]);
    tokens.a1 = (await launched(e1.pk, {}, alice.token)).pk;
    tokens.a2 = (await launched(e2.pk, {}, alice.token)).pk;
    tokens.b1 = (await launched(e1.pk, {}, bob.token)).pk;
    tokens.b3 = (await launched(e3.pk, {}, bob.token)).pk;
  });

  const ours = (reply: { body: { results: { pk: string }[] } }) =>
    pks(reply).filter((pk) => Object.values(tokens).includes(pk));

  it("session__user, endpoint and provider filter; they combine", async () => {
    expect(
      (await get(`${TOKENS}?session__user=${alice.id}`)).body.results.map((t: { pk: string }) => t.pk).sort(),
    ).toEqual([tokens.a1, tokens.a2].sort());
    expect(pks(await get(`${TOKENS}?endpoint=${e1.pk}`)).sort()).toEqual([tokens.a1, tokens.b1].sort());
    expect(pks(await get(`${TOKENS}?endpoint=${e1.pk.toUpperCase().replaceAll("-", "")}`)).sort()).toEqual(
      [tokens.a1, tokens.b1].sort(),
    );
    expect(pks(await get(`${TOKENS}?provider=${e2.provider}`)).sort()).toEqual([tokens.a2, tokens.b3].sort());
    expect(pks(await get(`${TOKENS}?provider=${e2.provider}&session__user=${bob.id}`))).toEqual([tokens.b3]);
    expect(ours(await get(`${TOKENS}?provider=&endpoint=&session__user=`))).toHaveLength(4);
  });

  it.each([
    ["endpoint=not-a-uuid", { endpoint: [INVALID_CHOICE] }],
    ["endpoint=RANDOM", { endpoint: [INVALID_CHOICE] }],
    ["provider=abc", { provider: [INVALID_CHOICE] }],
    ["provider=-1", { provider: [INVALID_CHOICE] }],
    ["provider=99999999", { provider: [INVALID_CHOICE] }],
    ["session__user=abc", { session__user: [INVALID_CHOICE] }],
    ["session__user=99999999", { session__user: [INVALID_CHOICE] }],
    [
      "provider=abc&session__user=99999999&endpoint=x",
      { provider: [INVALID_CHOICE], session__user: [INVALID_CHOICE], endpoint: [INVALID_CHOICE] },
    ],
  ])("?%s -> 400 %j", async (query, expected) => {
    const reply = await get(`${TOKENS}?${query.replace("RANDOM", crypto.randomUUID())}`);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
  });

  it("search matches endpoint or provider name, every term", async () => {
    const tag = e1.name.split("-charlie")[0]!;
    expect(pks(await get(`${TOKENS}?search=${tag}-bravo`))).toEqual([tokens.a2]);
    expect(pks(await get(`${TOKENS}?search=${tag}-ZULU`)).sort()).toEqual([tokens.a1, tokens.b1].sort());
    expect(pks(await get(`${TOKENS}?search=${tag}-charlie%20${tag}-alpha`))).toEqual([tokens.b3]);
    expect(pks(await get(`${TOKENS}?search=${tag}-nothing`))).toEqual([]);
  });

  it("default order: endpoint name, then provider name; ordering= whitelisted", async () => {
    const tag = e1.name.split("-charlie")[0]!;
    const byDefault = pks(await get(`${TOKENS}?search=${tag}`));
    // bravo(alpha) < charlie(alpha) < charlie(zulu) x2 (tie broken by pk)
    expect(byDefault.slice(0, 2)).toEqual([tokens.a2, tokens.b3]);
    expect(byDefault.slice(2).sort()).toEqual([tokens.a1, tokens.b1].sort());
    const reversed = pks(await get(`${TOKENS}?search=${tag}&ordering=-endpoint__name,-provider__name`));
    expect(reversed.slice(2)).toEqual([tokens.b3, tokens.a2]);
    expect(pks(await get(`${TOKENS}?search=${tag}&ordering=bogus,password`))).toEqual(byDefault);
  });

  it("paginates after filtering", async () => {
    const reply = await get(`${TOKENS}?session__user=${bob.id}&page_size=1&page=2`);
    expect(reply.body.pagination).toEqual({
      next: 0,
      previous: 1,
      count: 2,
      current: 2,
      total_pages: 2,
      start_index: 2,
      end_index: 2,
    });
    expect((await get(`${TOKENS}?session__user=${bob.id}&page=3`)).status).toBe(404);
  });
});

describe("expired tokens are never listed or retrievable (reference case 59, improved)", () => {
  it("exactly at expires the token disappears from list, retrieve, PATCH and DELETE", async () => {
    const T = Date.UTC(2032, 1, 1);
    const endpoint = await makeEndpoint({}, { connection_expiry: "minutes=10" });
    setNow(T);
    const token = await launched(endpoint.pk);
    setNow(T + 10 * 60_000 - 1);
    expect(pks(await get(`${TOKENS}?endpoint=${endpoint.pk}`))).toEqual([token.pk]);
    expect((await get(`${TOKENS}${token.pk}/`)).status).toBe(200);
    setNow(T + 10 * 60_000);
    const listed = await get(`${TOKENS}?endpoint=${endpoint.pk}`);
    expect(listed.body.results).toEqual([]);
    expect(listed.body.pagination.count).toBe(0);
    expect((await get(`${TOKENS}${token.pk}/`)).status).toBe(404);
    expect((await patch(`${TOKENS}${token.pk}/`, {})).status).toBe(404);
    expect((await del(`${TOKENS}${token.pk}/`)).status).toBe(404);
    // Still in D1 until the sweep.
    expect(await count("SELECT count(*) AS n FROM connection_tokens WHERE uuid = ?1", token.pk)).toBe(1);
  });
});

describe("permissions: owners and grants", () => {
  let owner: User;
  let other: User;
  let endpoint: Endpoint;
  let ownToken: string;
  let othersToken: string;

  beforeAll(async () => {
    endpoint = await makeEndpoint();
    owner = await makeUser();
    other = await makeUser();
    for (const user of [owner, other]) await grant(user.id, ["authentik_providers_rac.view_endpoint"]);
    ownToken = (await launched(endpoint.pk, {}, owner.token)).pk;
    othersToken = (await launched(endpoint.pk, {}, other.token)).pk;
  });

  it("an owner without grants sees exactly their own tokens (list and retrieve)", async () => {
    const listed = await get(TOKENS, { token: owner.token });
    expect(listed.status).toBe(200);
    expect(pks(listed)).toEqual([ownToken]);
    expect(listed.body.pagination.count).toBe(1);
    expect((await get(`${TOKENS}${ownToken}/`, { token: owner.token })).status).toBe(200);
    expect((await get(`${TOKENS}${othersToken}/`, { token: owner.token })).status).toBe(404);
  });

  it("the list reads its page with the authentication; a bad token gets 403 for any query, not the page", async () => {
    const INVALID_TOKEN = { detail: "Token invalid/expired" };
    for (const query of [
      "",
      "?provider=abc",
      "?provider=99999999",
      "?page=abc",
      "?page=last",
      `?endpoint=${endpoint.pk}`,
    ]) {
      const reply = await get(`${TOKENS}${query}`, { token: "not-a-token" });
      expect([query, reply.status, reply.body]).toEqual([query, 403, INVALID_TOKEN]);
    }
    // Valid callers get the query string's errors, restricted callers too (their page is read again).
    const unknown = { provider: ["Select a valid choice. That choice is not one of the available choices."] };
    for (const token of [owner.token, undefined]) {
      const reply = await get(`${TOKENS}?provider=99999999&page=last`, token === undefined ? {} : { token });
      expect([reply.status, reply.body]).toEqual([400, unknown]);
      expect((await get(`${TOKENS}?page=abc`, token === undefined ? {} : { token })).status).toBe(404);
    }
    const last = await get(`${TOKENS}?endpoint=${endpoint.pk}&page=last`, { token: owner.token });
    expect(pks(last)).toEqual([ownToken]);
  });

  it("a user with no tokens and no grants gets an empty list, not a 403", async () => {
    const nobody = await makeUser();
    const reply = await get(TOKENS, { token: nobody.token });
    expect(reply.status).toBe(200);
    expect(reply.body.results).toEqual([]);
  });

  it("owners may not change their tokens without change_connectiontoken", async () => {
    const reply = await patch(`${TOKENS}${ownToken}/`, {}, { token: owner.token });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ detail: "You do not have permission to perform this action." });
  });

  it("invisible tokens are 404 for every method", async () => {
    for (const reply of [
      await put(
        `${TOKENS}${othersToken}/`,
        { provider: endpoint.provider, endpoint: endpoint.pk },
        { token: owner.token },
      ),
      await patch(`${TOKENS}${othersToken}/`, {}, { token: owner.token }),
      await del(`${TOKENS}${othersToken}/`, { token: owner.token }),
    ]) {
      expect(reply.status).toBe(404);
    }
    expect(await row(othersToken)).not.toBeNull();
  });

  it("an object view grant shows that token; changing or deleting it needs its own grants (403)", async () => {
    const viewer = await makeUser();
    await grant(viewer.id, [`authentik_providers_rac.view_connectiontoken`], { model: MODEL, pk: othersToken });
    expect(pks(await get(TOKENS, { token: viewer.token }))).toEqual([othersToken]);
    expect((await get(`${TOKENS}${othersToken}/`, { token: viewer.token })).status).toBe(200);
    expect((await get(`${TOKENS}${ownToken}/`, { token: viewer.token })).status).toBe(404);
    expect((await patch(`${TOKENS}${othersToken}/`, {}, { token: viewer.token })).status).toBe(403);
    expect((await del(`${TOKENS}${othersToken}/`, { token: viewer.token })).status).toBe(403);
    await grant(viewer.id, [`authentik_providers_rac.change_connectiontoken`], { model: MODEL, pk: othersToken });
    expect((await patch(`${TOKENS}${othersToken}/`, {}, { token: viewer.token })).status).toBe(200);
    expect(await row(othersToken)).not.toBeNull();
  });

  it("a global view grant sees every user's tokens", async () => {
    const auditor = await makeUser();
    await grant(auditor.id, ["authentik_providers_rac.view_connectiontoken"]);
    expect(pks(await get(`${TOKENS}?endpoint=${endpoint.pk}`, { token: auditor.token })).sort()).toEqual(
      [ownToken, othersToken].sort(),
    );
  });

  it("an owner may delete (revoke) their own token without a grant; others need delete_connectiontoken", async () => {
    const mine = await launched(endpoint.pk, {}, owner.token);
    expect((await del(`${TOKENS}${mine.pk}/`, { token: owner.token })).status).toBe(204);
    expect(await row(mine.pk)).toBeNull();
    const theirs = await launched(endpoint.pk, {}, other.token);
    const admin = await makeUser();
    await grant(admin.id, ["authentik_providers_rac.view_connectiontoken"]);
    expect((await del(`${TOKENS}${theirs.pk}/`, { token: admin.token })).status).toBe(403);
    await grant(admin.id, ["authentik_providers_rac.delete_connectiontoken"]);
    const deleted = await del(`${TOKENS}${theirs.pk}/`, { token: admin.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect(await row(theirs.pk)).toBeNull();
  });
});

describe("PUT and PATCH", () => {
  let endpoint: Endpoint;
  let sibling: Endpoint;
  let foreign: Endpoint;

  beforeAll(async () => {
    endpoint = await makeEndpoint();
    sibling = await makeEndpoint({ provider: endpoint.provider });
    foreign = await makeEndpoint();
  });

  it("moves a token to another endpoint of its provider (PUT and PATCH)", async () => {
    const token = await launched(endpoint.pk);
    const moved = await patch(`${TOKENS}${token.pk}/`, { endpoint: sibling.pk });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ ...(await get(`${TOKENS}${token.pk}/`)).body, endpoint: sibling.pk });
    expect(moved.body.endpoint_obj.pk).toBe(sibling.pk);
    const back = await put(`${TOKENS}${token.pk}/`, {
      pk: token.pk,
      provider: endpoint.provider,
      endpoint: endpoint.pk,
    });
    expect(back.status).toBe(200);
    expect(back.body.endpoint).toBe(endpoint.pk);
    expect((await row(token.pk))!.endpoint_id).toBe(endpoint.pk);
    expect(mentions(back.body, token.token)).toBe(false);
  });

  it("moves to another provider together with one of its endpoints", async () => {
    const token = await launched(endpoint.pk);
    const reply = await patch(`${TOKENS}${token.pk}/`, { provider: foreign.provider, endpoint: foreign.pk });
    expect(reply.status).toBe(200);
    expect(reply.body.provider).toBe(foreign.provider);
    expect(reply.body.provider_obj.pk).toBe(foreign.provider);
    expect(reply.body.endpoint_obj.provider).toBe(foreign.provider);
  });

  it("a move respects the target endpoint's connection limit (409, unchanged)", async () => {
    const full = await makeEndpoint({ provider: endpoint.provider, maximum_connections: 1 });
    await launched(full.pk);
    const token = await launched(endpoint.pk);
    const reply = await patch(`${TOKENS}${token.pk}/`, { endpoint: full.pk });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ detail: "Maximum connection limit reached." });
    expect((await row(token.pk))!.endpoint_id).toBe(endpoint.pk);
    // Staying on a full endpoint is no move.
    const stay = await launched((await makeEndpoint({ provider: endpoint.provider, maximum_connections: 1 })).pk);
    expect((await patch(`${TOKENS}${stay.pk}/`, { provider: endpoint.provider })).status).toBe(200);
  });

  it("expires is not writable", async () => {
    const token = await launched(endpoint.pk);
    const reply = await patch(`${TOKENS}${token.pk}/`, { expires: null });
    expect(reply.status).toBe(200);
    expect(reply.body.expires).toBe(token.expires);
  });

  interface Ids {
    self: string;
    provider: number;
    endpoint: string;
    foreignProvider: number;
    foreignEndpoint: string;
  }
  const NOT_HIS = { endpoint: ["This endpoint does not belong to the selected provider."] };
  const bad: [string, string, (ids: Ids) => Record<string, unknown>, (ids: Ids) => Record<string, string[]>][] = [
    [
      "PUT",
      "missing",
      () => ({}),
      () => ({ provider: ["This field is required."], endpoint: ["This field is required."] }),
    ],
    ["PUT", "no endpoint", (ids) => ({ provider: ids.provider }), () => ({ endpoint: ["This field is required."] })],
    ["PUT", "no provider", (ids) => ({ endpoint: ids.endpoint }), () => ({ provider: ["This field is required."] })],
    ["PATCH", "null provider", () => ({ provider: null }), () => ({ provider: ["This field may not be null."] })],
    ["PATCH", "null endpoint", () => ({ endpoint: null }), () => ({ endpoint: ["This field may not be null."] })],
    ["PATCH", "null pk", () => ({ pk: null }), () => ({ pk: ["This field may not be null."] })],
    [
      "PATCH",
      "string provider",
      () => ({ provider: "abc" }),
      () => ({ provider: ["Incorrect type. Expected pk value, received str."] }),
    ],
    [
      "PATCH",
      "bool provider",
      () => ({ provider: true }),
      () => ({ provider: ["Incorrect type. Expected pk value, received bool."] }),
    ],
    [
      "PATCH",
      "float provider",
      () => ({ provider: 1.5 }),
      () => ({ provider: ["Incorrect type. Expected pk value, received float."] }),
    ],
    [
      "PATCH",
      "list provider",
      () => ({ provider: [1] }),
      () => ({ provider: ["Incorrect type. Expected pk value, received list."] }),
    ],
    [
      "PATCH",
      "blank provider",
      () => ({ provider: "" }),
      () => ({ provider: ["Incorrect type. Expected pk value, received str."] }),
    ],
    [
      "PATCH",
      "unknown provider",
      () => ({ provider: 99999999 }),
      () => ({ provider: ['Invalid pk "99999999" - object does not exist.'] }),
    ],
    [
      "PATCH",
      "int endpoint",
      () => ({ endpoint: 5 }),
      () => ({ endpoint: ["Incorrect type. Expected pk value, received int."] }),
    ],
    [
      "PATCH",
      "object endpoint",
      () => ({ endpoint: {} }),
      () => ({ endpoint: ["Incorrect type. Expected pk value, received dict."] }),
    ],
    ["PATCH", "malformed endpoint", () => ({ endpoint: "abc" }), () => ({ endpoint: ["“abc” is not a valid UUID."] })],
    ["PATCH", "blank endpoint", () => ({ endpoint: "" }), () => ({ endpoint: ["“” is not a valid UUID."] })],
    [
      "PATCH",
      "unknown endpoint",
      () => ({ endpoint: "00000000-0000-4000-8000-000000000000" }),
      () => ({ endpoint: ['Invalid pk "00000000-0000-4000-8000-000000000000" - object does not exist.'] }),
    ],
    ["PATCH", "foreign endpoint", (ids) => ({ endpoint: ids.foreignEndpoint }), () => NOT_HIS],
    ["PATCH", "foreign provider", (ids) => ({ provider: ids.foreignProvider }), () => NOT_HIS],
    ["PUT", "mismatched pair", (ids) => ({ provider: ids.provider, endpoint: ids.foreignEndpoint }), () => NOT_HIS],
    [
      "PATCH",
      "other pk",
      () => ({ pk: "00000000-0000-4000-8000-000000000000" }),
      (ids) => ({ pk: [`pk is read-only: omit it or send this token's pk "${ids.self}".`] }),
    ],
    ["PATCH", "malformed pk", () => ({ pk: "abc" }), () => ({ pk: ["Must be a valid UUID."] })],
    ["PATCH", "int pk", () => ({ pk: 5 }), () => ({ pk: ["Must be a valid UUID."] })],
    ["PATCH", "blank pk", () => ({ pk: "" }), () => ({ pk: ["Must be a valid UUID."] })],
  ];

  it.each(bad)("%s %s -> 400, nothing changed", async (method, _label, body, expected) => {
    const token = await launched(endpoint.pk);
    const ids: Ids = {
      self: token.pk,
      provider: endpoint.provider,
      endpoint: endpoint.pk,
      foreignProvider: foreign.provider,
      foreignEndpoint: foreign.pk,
    };
    const before = await row(token.pk);
    const reply = await call(method, `${TOKENS}${token.pk}/`, { body: body(ids) });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected(ids));
    expect(await row(token.pk)).toEqual(before);
  });

  it("the same pk in another spelling is accepted", async () => {
    const token = await launched(endpoint.pk);
    const reply = await patch(`${TOKENS}${token.pk.toUpperCase()}/`, {
      pk: token.pk.toUpperCase().replaceAll("-", ""),
    });
    expect(reply.status).toBe(200);
    expect(reply.body.pk).toBe(token.pk);
    expect(
      await count("SELECT count(*) AS n FROM connection_tokens WHERE endpoint_id = ?1", endpoint.pk),
    ).toBeGreaterThan(0);
  });

  it("malformed bodies", async () => {
    const token = await launched(endpoint.pk);
    expect((await call("PATCH", `${TOKENS}${token.pk}/`, { body: "[1]", raw: true })).body).toEqual({
      non_field_errors: ["Invalid data. Expected a dictionary, but got list."],
    });
    expect((await call("PATCH", `${TOKENS}${token.pk}/`, { body: "{", raw: true })).status).toBe(400);
    expect(
      (
        await call("PATCH", `${TOKENS}${token.pk}/`, {
          body: "x",
          raw: true,
          headers: { "content-type": "text/plain" },
        })
      ).status,
    ).toBe(415);
  });
});

describe("cost: a page of 100 tokens", () => {
  it("takes at most 5 D1 round trips, whatever the page size, for superusers and granted users", async () => {
    const endpoint = await makeEndpoint({ auth_mode: "prompt" });
    const viewer = await makeUser();
    await grant(viewer.id, ["authentik_providers_rac.view_endpoint"]);
    const own = await launched(endpoint.pk, { settings: { username: "v", password: "p" } }, viewer.token);
    for (let batch = 0; batch < 11; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, () => launched(endpoint.pk, { settings: { username: "u", password: "p" } })),
      );
    }
    const granted = pks(await get(`${TOKENS}?endpoint=${endpoint.pk}&page_size=5`)).filter((pk) => pk !== own.pk);
    for (const pk of granted)
      await grant(viewer.id, ["authentik_providers_rac.view_connectiontoken"], { model: MODEL, pk });

    const costs: Record<string, number> = {};
    for (const [who, key] of [
      ["admin", undefined],
      ["viewer", viewer.token],
    ] as const) {
      for (const size of [1, 100]) {
        const { db, counter } = countingDb(env.DB);
        const reply = await callWith(
          { ...env, DB: db },
          "GET",
          `${TOKENS}?endpoint=${endpoint.pk}&search=${endpoint.name}&page_size=${size}`,
          key,
        );
        expect(reply.status).toBe(200);
        expect(reply.body.results).toHaveLength(
          who === "admin" ? Math.min(size, 111) : Math.min(size, 1 + granted.length),
        );
        costs[`${who}-${size}`] = counter.queries;
      }
    }
    expect(costs["admin-1"]).toBe(costs["admin-100"]);
    expect(costs["viewer-1"]).toBe(costs["viewer-100"]);
    expect(Math.max(...Object.values(costs))).toBeLessThanOrEqual(5);
  }, 60_000);
});
