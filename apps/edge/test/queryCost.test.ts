/**
 * What the benchmark's fixes guarantee (bench/RESULTS.md): D1 round trips per request, the
 * connection-token list walking an index in its default order, and the token's copies of its
 * endpoint's and provider's names (migration 0002) staying equal to the originals.
 */
import { env } from "cloudflare:workers";
import { RESOURCES, type ResourceName } from "@rac-edge/core";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { connectionTokenList, live } from "../src/repositories/connectionTokens.ts";
import { planListPage } from "../src/repositories/lists.ts";
import { knownKey } from "../src/repositories/tokens.ts";
import { launched, makeEndpoint, makeOutpost, TOKENS } from "./connectionFixtures.ts";
import {
  ADMIN,
  BASE,
  countingDb,
  get,
  grant,
  makeFlow,
  makeProvider,
  makeUser,
  patch,
  post,
  unique,
} from "./helpers.ts";

/** D1 round trips of one request through the Worker's fetch handler (a batch is one). */
async function roundTrips(method: string, path: string, body?: unknown, token = ADMIN) {
  const { status, queries } = await cost(method, path, body, token);
  return { status, queries };
}

/** The round trips of one request, and the rows D1 reports it read. */
async function cost(method: string, path: string, body?: unknown, token = ADMIN) {
  const { db, counter } = countingDb(env.DB);
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const request = new Request(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await worker.fetch(
    request,
    { ...env, DB: db } as never,
    { waitUntil() {}, passThroughOnException() {} } as never,
  );
  await response.arrayBuffer();
  return { status: response.status, ...counter };
}

const pks = (reply: { body: { results: { pk: string }[] } }) => reply.body.results.map((token) => token.pk);

/** Every token's name copies next to the names they copy; equal when the triggers did their job. */
const nameCopies = () =>
  env.DB.prepare(
    `SELECT t.endpoint_name, e.name AS endpoint_actual, t.provider_name, p.name AS provider_actual
     FROM connection_tokens t JOIN endpoints e ON e.uuid = t.endpoint_id JOIN providers p ON p.id = t.provider_id`,
  ).all<{ endpoint_name: string; endpoint_actual: string; provider_name: string; provider_actual: string }>();

describe("D1 round trips", () => {
  it("provider PATCH, same references: authentication with lookup, write (2); a new one adds a check", async () => {
    const flow = await makeFlow();
    const provider = await makeProvider({ authorization_flow: flow.pk, authentication_flow: flow.pk });
    const seed = {
      authorization_flow: flow.pk,
      authentication_flow: flow.pk,
      name: provider.name,
      settings: { a: "b" },
      property_mappings: [],
    };
    expect(await roundTrips("PATCH", `/api/v3/providers/rac/${provider.pk}/`, seed)).toEqual({
      status: 200,
      queries: 2,
    });
    const other = await makeFlow();
    expect(
      await roundTrips("PATCH", `/api/v3/providers/rac/${provider.pk}/`, { ...seed, authentication_flow: other.pk }),
    ).toEqual({ status: 200, queries: 3 });
    const missing = crypto.randomUUID();
    const refused = await patch(`/api/v3/providers/rac/${provider.pk}/`, { ...seed, authentication_flow: missing });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ authentication_flow: [`Invalid pk "${missing}" - object does not exist.`] });
    expect((await get(`/api/v3/providers/rac/${provider.pk}/`)).body.authentication_flow).toBe(other.pk);
  });

  it("retrieve is one round trip (authentication, grants, object), for a granted user and a stranger too", async () => {
    const provider = await makeProvider();
    const viewer = await makeUser();
    await grant(viewer.id, ["authentik_providers_rac.view_racprovider"], {
      model: "authentik_providers_rac.racprovider",
      pk: provider.pk,
    });
    expect(await roundTrips("GET", `/api/v3/providers/rac/${provider.pk}/`, undefined, viewer.token)).toEqual({
      status: 200,
      queries: 1,
    });
    const stranger = await makeUser();
    expect(await roundTrips("GET", `/api/v3/providers/rac/${provider.pk}/`, undefined, stranger.token)).toEqual({
      status: 404,
      queries: 1,
    });
  });

  it("a launch reads its endpoint with the authentication: one batch (limit check, insert, read-back)", async () => {
    const endpoint = await makeEndpoint();
    expect(await roundTrips("POST", `/api/v3/rac/endpoints/${endpoint.pk}/launch/`, {})).toEqual({
      status: 201,
      queries: 2,
    });
    expect(await roundTrips("POST", `/api/v3/rac/endpoints/${crypto.randomUUID()}/launch/`, {})).toEqual({
      status: 404,
      queries: 1,
    });
  });

  it("a bad token never sees the object read with its authentication: 403 for real, unknown, bad keys", async () => {
    const provider = await makeProvider();
    for (const key of [provider.pk, 99999999, "not-a-number"]) {
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const reply = await roundTrips(
          method,
          `/api/v3/providers/rac/${key}/`,
          method === "PATCH" ? { name: "x" } : undefined,
          "not-a-token",
        );
        expect([key, method, reply]).toEqual([key, method, { status: 403, queries: 1 }]);
      }
    }
    expect((await get(`/api/v3/providers/rac/${provider.pk}/`)).body.name).toBe(provider.name);
  });

  it("a list page is one round trip for a caller who sees everything; its filter checks ride along", async () => {
    const provider = await makeProvider();
    expect(await roundTrips("GET", "/api/v3/providers/rac/?page_size=5")).toEqual({ status: 200, queries: 1 });
    expect(await roundTrips("GET", `/api/v3/rac/endpoints/?provider=${provider.pk}`)).toEqual({
      status: 200,
      queries: 1,
    });
    expect(await roundTrips("GET", `/api/v3/outposts/instances/?providers_by_pk=${provider.pk}`)).toEqual({
      status: 200,
      queries: 1,
    });
    // A caller limited to some objects: the page is read again for them.
    const viewer = await makeUser();
    await grant(viewer.id, ["authentik_providers_rac.view_racprovider"], {
      model: "authentik_providers_rac.racprovider",
      pk: provider.pk,
    });
    const limited = await get("/api/v3/providers/rac/", { token: viewer.token });
    expect(limited.body.results.map((row: { pk: number }) => row.pk)).toEqual([provider.pk]);
    expect(await roundTrips("GET", "/api/v3/providers/rac/", undefined, viewer.token)).toEqual({
      status: 200,
      queries: 2,
    });
  });

  it("a made-up key's reads don't grow with the table, but the list's page rides with its authentication", async () => {
    const paths = [`${TOKENS}?search=x`, TOKENS, "/api/v3/core/users/?search=a"];
    const strangers = async () => {
      const reads: number[] = [];
      for (const path of paths) {
        const reply = await cost("GET", path, undefined, "not-a-token");
        expect([path, reply.status, reply.queries]).toEqual([path, 403, 1]);
        reads.push(reply.rowsRead);
      }
      return reads;
    };
    const before = await strangers();
    const endpoint = await makeEndpoint();
    for (let i = 0; i < 30; i++) {
      await launched(endpoint.pk);
      await makeUser();
    }
    expect(await strangers()).toEqual(before);
    for (const path of paths) {
      const admin = await cost("GET", path);
      expect([path, admin.status, admin.rowsRead > 30]).toEqual([path, 200, true]);
    }
  });

  it("query-string errors of a list come after authentication: 403 for a bad token, 400 for a valid one", async () => {
    const bad = [
      "/api/v3/rac/endpoints/?provider=abc",
      "/api/v3/rac/endpoints/?provider=99999999",
      "/api/v3/outposts/instances/?providers_by_pk=99999999",
      "/api/v3/core/users/?uuid=nope",
      "/api/v3/core/users/?type=robot",
    ];
    const nobody = await makeUser();
    for (const path of bad) {
      expect([path, (await roundTrips("GET", path, undefined, "not-a-token")).status]).toEqual([path, 403]);
      expect([path, (await get(path)).status]).toEqual([path, 400]);
      expect([path, (await get(path, { token: nobody.token })).status]).toEqual([path, 400]);
    }
  });

  it("filtered connection tokens: one batch (authentication, filter checks, count, page, nested objects)", async () => {
    const endpoint = await makeEndpoint();
    const viewer = await makeUser();
    await grant(viewer.id, ["authentik_providers_rac.view_endpoint"]);
    await launched(endpoint.pk);
    await launched(endpoint.pk, {}, viewer.token);
    const path = `${TOKENS}?provider=${endpoint.provider}&endpoint=${endpoint.pk}&page_size=100`;
    expect(await roundTrips("GET", path)).toEqual({ status: 200, queries: 1 });
    // A caller who may not see every token: the page is read again with the caller's visibility.
    expect(await roundTrips("GET", path, undefined, viewer.token)).toEqual({ status: 200, queries: 2 });
    expect(await roundTrips("GET", `${path}&page=last`)).toEqual({ status: 200, queries: 2 });
  });

  it("a user's own API tokens, with no grant: retrieve in one round trip, the list in two", async () => {
    const owner = await makeUser();
    const identifier = unique("own");
    const created = await post("/api/v3/core/tokens/", { identifier }, { token: owner.token });
    expect(created.status).toBe(201);
    const path = `/api/v3/core/tokens/${identifier}/`;
    // Ownership is read from the token itself: no lookup of the caller's tokens.
    expect(await roundTrips("GET", path, undefined, owner.token)).toEqual({ status: 200, queries: 1 });
    // The page is read again with the owner's condition (their tokens and grants, by key), in one batch.
    expect(await roundTrips("GET", "/api/v3/core/tokens/", undefined, owner.token)).toEqual({
      status: 200,
      queries: 2,
    });
  });

  it("an unknown filter target is still the 400, before an invalid page", async () => {
    const expected = { provider: ["Select a valid choice. That choice is not one of the available choices."] };
    for (const page of ["2", "abc", "last"]) {
      const reply = await get(`${TOKENS}?provider=99999999&page=${page}`);
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual(expected);
    }
    expect((await get(`${TOKENS}?page=abc`)).status).toBe(404);
  });
});

/** The field of an object that its path key names (`pk` unless the descriptor's key is another field). */
const KEY_FIELD: Partial<Record<ResourceName, string>> = { flows: "slug", tokens: "identifier", applications: "slug" };

describe("D1 round trips of every resource's standard reads (from core's descriptors)", () => {
  const standard = (Object.entries(RESOURCES) as [ResourceName, (typeof RESOURCES)[ResourceName]][]).filter(
    ([, descriptor]) => (descriptor.standard as readonly string[]).includes("retrieve"),
  );
  let keys: Partial<Record<ResourceName, string>>;

  beforeAll(async () => {
    // At least one object of every resource: a launch makes a flow, provider, endpoint, token and events.
    const endpoint = await makeEndpoint();
    await launched(endpoint.pk);
    await makeOutpost([endpoint.provider]);
    await post("/api/v3/core/applications/", { name: unique("app"), slug: unique("app"), provider: endpoint.provider });
    await post("/api/v3/propertymappings/provider/rac/", { name: unique("mapping"), static_settings: {} });
    keys = {};
    for (const [name, descriptor] of standard) {
      const first = (await get(`/api/v3/${descriptor.path}?page_size=1`)).body.results[0];
      keys[name] = String(first[KEY_FIELD[name] ?? "pk"]);
    }
  });

  it("lists the ten resources with standard reads", () => {
    expect(standard.length).toBe(10);
  });

  for (const [name, descriptor] of standard) {
    it(`${name}: a superuser's list page and retrieve are one round trip each; a bad token's one`, async () => {
      const item = `/api/v3/${descriptor.path}${encodeURIComponent(keys[name]!)}/`;
      expect(await roundTrips("GET", `/api/v3/${descriptor.path}?page_size=5`)).toEqual({ status: 200, queries: 1 });
      expect(await roundTrips("GET", item)).toEqual({ status: 200, queries: 1 });
      expect(await roundTrips("GET", item, undefined, "not-a-token")).toEqual({ status: 403, queries: 1 });
    });
  }
});

describe("the connection-token list reads its default order from an index", () => {
  /** The statements of a list page, with their bound values, as planned (not run). */
  function statements(query: string, provider?: number) {
    const db = {
      prepare: (sql: string) => ({ bind: (...params: unknown[]) => ({ sql, params }) }),
    } as unknown as D1Database;
    const filters = [
      live(Date.now()),
      ...(provider === undefined ? [] : [{ sql: "t.provider_id = ?", params: [provider] }]),
    ];
    // With the guard of a page read before authentication: the plan must keep to the index with it.
    return planListPage(db, new URL(`${BASE}${TOKENS}?${query}`), connectionTokenList, {
      filters,
      guard: knownKey("any"),
    }).statements as unknown as {
      sql: string;
      params: unknown[];
    }[];
  }

  /** The query plan's lines, each with the lines above it joined by " > " (subqueries nest). */
  async function plan(statement: { sql: string; params: unknown[] }) {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
      .bind(...statement.params)
      .all<{ id: number; parent: number; detail: string }>();
    const byId = new Map(results.map((row) => [row.id, row]));
    const path = (row: { parent: number; detail: string }): string => {
      const parent = byId.get(row.parent);
      return parent ? `${path(parent)} > ${row.detail}` : row.detail;
    };
    return results.map(path);
  }

  it.each([
    ["a provider's tokens", 1, "connection_tokens_provider_order", "connection_tokens_provider"],
    ["all tokens", undefined, "connection_tokens_order", "connection_tokens_expires"],
  ])(
    "%s: the page walks the ordering's index and stops after it, the count a covering index, no sort",
    async (_, provider, index, countIndex) => {
      const [count, page, ...related] = statements("page_size=100&page=3", provider);
      // The count visits every matching token, in the narrowest index that has them: never the table.
      const reads = (await plan(count!)).filter((line) => /\b(SEARCH|SCAN) t\b/.test(line));
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.filter((line) => !line.includes(`USING COVERING INDEX ${countIndex} (`))).toEqual([]);
      // The page walks the ordering's index (no sort, so LIMIT stops the walk); the related
      // statements read the page as a CTE, and look up what it names by key (no scans).
      const pageLines = await plan(page!);
      expect(
        pageLines.filter((line) => /\b(SEARCH|SCAN) t\b/.test(line) && !line.includes(`USING INDEX ${index}`)),
      ).toEqual([]);
      expect(pageLines.filter((line) => line.includes("TEMP B-TREE"))).toEqual([]);
      expect(related.length).toBe(3);
      for (const statement of related) {
        const lines = await plan(statement!);
        expect(lines.filter((line) => line.includes("MATERIALIZE page") && line.includes("TEMP B-TREE"))).toEqual([]);
        const outside = lines.filter((line) => !line.includes("MATERIALIZE page"));
        expect(outside.filter((line) => /\bSCAN (?!page\b|\(subquery)/.test(line))).toEqual([]);
      }
    },
  );
});

describe("a token's copies of its endpoint's and provider's names", () => {
  let first: Awaited<ReturnType<typeof makeEndpoint>>;
  let second: Awaited<ReturnType<typeof makeEndpoint>>;
  let tag: string;

  beforeAll(async () => {
    tag = unique("names");
    const provider = await makeProvider({ name: `${tag}-provider` });
    first = await makeEndpoint({ provider: provider.pk, name: `${tag}-a` });
    second = await makeEndpoint({ provider: provider.pk, name: `${tag}-b` });
    await launched(first.pk);
    await launched(second.pk);
  });

  const names = async () =>
    (await get(`${TOKENS}?search=${tag}`)).body.results.map(
      (token: { endpoint_obj: { name: string } }) => token.endpoint_obj.name,
    );

  it("follow a rename of the endpoint (order and search)", async () => {
    expect(await names()).toEqual([`${tag}-a`, `${tag}-b`]);
    expect((await patch(`/api/v3/rac/endpoints/${first.pk}/`, { name: `${tag}-z` })).status).toBe(200);
    expect(await names()).toEqual([`${tag}-b`, `${tag}-z`]);
    expect(pks(await get(`${TOKENS}?search=${tag}-z`))).toHaveLength(1);
    expect((await nameCopies()).results.filter((row) => row.endpoint_name !== row.endpoint_actual)).toEqual([]);
  });

  it("follow a rename of the provider", async () => {
    expect((await patch(`/api/v3/providers/rac/${first.provider}/`, { name: `${tag}-renamed` })).status).toBe(200);
    expect(pks(await get(`${TOKENS}?search=${tag}-renamed`))).toHaveLength(2);
    expect((await nameCopies()).results.filter((row) => row.provider_name !== row.provider_actual)).toEqual([]);
  });

  it("follow a token moved to another endpoint", async () => {
    const token = pks(await get(`${TOKENS}?endpoint=${second.pk}`))[0]!;
    expect((await patch(`${TOKENS}${token}/`, { endpoint: first.pk })).status).toBe(200);
    expect(pks(await get(`${TOKENS}?search=${tag}-z`))).toHaveLength(2);
    expect(pks(await get(`${TOKENS}?search=${tag}-b`))).toEqual([]);
  });

  it("are filled in for a row written without them", async () => {
    const user = await makeUser();
    const uuid = crypto.randomUUID();
    await env.DB.prepare(
      "INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, created) " +
        "VALUES (?1, ?2, ?3, ?4, ?5, 0)",
    )
      .bind(uuid, second.provider, second.pk, user.id, `hash-${uuid}`)
      .run();
    expect(pks(await get(`${TOKENS}?search=${tag}-b`))).toEqual([uuid]);
    expect(
      (await nameCopies()).results.filter(
        (row) => row.endpoint_name !== row.endpoint_actual || row.provider_name !== row.provider_actual,
      ),
    ).toEqual([]);
  });
});
