/**
 * What a request costs in D1 rows (its `Server-Timing`, D1's own `meta`), and that a list's first
 * page does not grow with the table: rows are added in SQL (thousands of launches would take the
 * run's time) and every counter row follows them through the triggers of migration 0007.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { launched, makeEndpoint, makeOutpost, TOKENS } from "./connectionFixtures.ts";
import { d1Cost } from "./d1Cost.ts";
import { ADMIN, BASE, get, grant, makeFlow, makeProvider, makeUser, post } from "./helpers.ts";

/** A uuid-shaped text from `x`, 32 random hex digits, in SQL. */
const UUID =
  "substr(x, 1, 8) || '-' || substr(x, 9, 4) || '-4' || substr(x, 14, 3) || " +
  "'-8' || substr(x, 18, 3) || '-' || substr(x, 21, 12)";
/** `n` rows of random hex `x`, for an INSERT ... SELECT. */
const SEQUENCE =
  "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1), " +
  "h(x) AS (SELECT lower(hex(randomblob(16))) FROM seq)";

/** Adds `n` connection tokens on the endpoint for the user, expiring at `expires` (far ahead by default). */
export async function addTokens(
  n: number,
  endpoint: string,
  user: number,
  expires: number | null = Date.UTC(2100, 0, 1),
) {
  await env.DB.prepare(
    `${SEQUENCE} INSERT INTO connection_tokens
       (uuid, provider_id, endpoint_id, user_id, token_hash, settings, created, expires, endpoint_name, provider_name)
     SELECT ${UUID}, e.provider_id, e.uuid, ?3, 'bulk-' || x, '{}', 0, ?4, e.name, p.name
     FROM h, endpoints e JOIN providers p ON p.id = e.provider_id WHERE e.uuid = ?2`,
  )
    .bind(n, endpoint, user, expires)
    .run();
}

/** Adds `n` rows to a listed table, in SQL. */
async function addRows(table: string, n: number, refs: { flow: string; provider: number; user: number }) {
  const rows: Record<string, [string, ...unknown[]]> = {
    flows: [
      `INSERT INTO flows (uuid, name, slug, title, designation)
       SELECT ${UUID}, 'f' || x, 'f' || x, 'f' || x, 'authorization' FROM h`,
    ],
    providers: [`INSERT INTO providers (name, authorization_flow) SELECT 'p' || x, ?2 FROM h`, refs.flow],
    users: [`INSERT INTO users (uuid, uid, username) SELECT ${UUID}, x, 'u' || x FROM h`],
    tokens: [
      `INSERT INTO tokens (uuid, identifier, user_id, key_hash, expiring)
       SELECT ${UUID}, 'i' || x, ?2, 'k' || x, 0 FROM h`,
      refs.user,
    ],
    applications: [`INSERT INTO applications (uuid, name, slug) SELECT ${UUID}, 'a' || x, 'a' || x FROM h`],
    property_mappings: [`INSERT INTO property_mappings (uuid, name) SELECT ${UUID}, 'm' || x FROM h`],
    outposts: [`INSERT INTO outposts (uuid, name, token_identifier) SELECT ${UUID}, 'o' || x, 'o' || x FROM h`],
    endpoints: [
      `INSERT INTO endpoints (uuid, name, provider_id, protocol, host, auth_mode)
       SELECT ${UUID}, 'e' || x, ?2, 'rdp', '10.0.0.1', 'static' FROM h`,
      refs.provider,
    ],
  };
  const [sql, ...params] = rows[table]!;
  await env.DB.prepare(`${SEQUENCE} ${sql}`)
    .bind(n, ...params)
    .run();
}

describe("Server-Timing", () => {
  it("reports D1's own figures for the request: rows read and written, round trips", async () => {
    const provider = await makeProvider();
    const read = await d1Cost("GET", `/api/v3/providers/rac/${provider.pk}/`);
    expect(read.status).toBe(200);
    expect(read.batches).toBe(1);
    expect(read.rowsRead).toBeGreaterThan(0);
    expect(read.rowsWritten).toBe(0);
    const write = await d1Cost("PATCH", `/api/v3/providers/rac/${provider.pk}/`, {
      body: { name: `${provider.name}-x` },
    });
    expect(write.status).toBe(200);
    expect(write.batches).toBe(2);
    expect(write.rowsWritten).toBeGreaterThan(0);
    // Failed requests carry it too: the authentication read something.
    const refused = await d1Cost("GET", "/api/v3/providers/rac/", { token: "not-a-token" });
    expect([refused.status, refused.batches]).toEqual([403, 1]);
  });

  it("is off unless SERVER_TIMING is true (deployments leave it unset)", async () => {
    const { default: worker } = await import("../src/index.ts");
    const request = () =>
      new Request(`${BASE}/api/v3/providers/rac/`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const context = { waitUntil() {}, passThroughOnException() {} } as never;
    const off = await worker.fetch(request(), { ...env, SERVER_TIMING: undefined } as never, context);
    expect(off.status).toBe(200);
    expect(off.headers.has("server-timing")).toBe(false);
    const on = await worker.fetch(request(), env as never, context);
    expect(on.headers.get("server-timing")).toMatch(/^d1;dur=/);
  });
});

describe("the first page of a list reads O(page size) rows, not O(table)", () => {
  let refs: { flow: string; provider: number; user: number };
  let endpoint: string;
  let owner: { id: number; token: string };

  beforeAll(async () => {
    const flow = await makeFlow();
    const provider = await makeProvider({ authorization_flow: flow.pk });
    owner = await makeUser();
    refs = { flow: flow.pk, provider: provider.pk, user: owner.id };
    const made = await post("/api/v3/rac/endpoints/", {
      name: "bulk",
      provider: provider.pk,
      protocol: "rdp",
      host: "10.0.0.1",
      auth_mode: "static",
      maximum_connections: -1,
    });
    endpoint = made.body.pk;
  });

  /** Rows read by the first page of each list, with its count checked against count(*). */
  async function firstPages(paths: [string, string][]) {
    const reads: Record<string, number> = {};
    for (const [path, countSql] of paths) {
      const cost = await d1Cost("GET", path);
      expect([path, cost.status, cost.batches]).toEqual([path, 200, 1]);
      const listed = await get(path);
      const actual = await env.DB.prepare(countSql).first<{ n: number }>();
      expect([path, listed.body.pagination.count]).toEqual([path, actual!.n]);
      reads[path] = cost.rowsRead;
    }
    return reads;
  }

  it("connection tokens, all and by provider, endpoint, user: at 1,000 and 10,000 ≤ 1.5x the rows at 100", async () => {
    const live =
      "SELECT count(*) AS n FROM connection_tokens WHERE (expires IS NULL OR expires > unixepoch('subsec') * 1000)";
    const paths: [string, string][] = [
      [`${TOKENS}?page_size=100`, live],
      [`${TOKENS}?provider=${refs.provider}&page_size=100`, `${live} AND provider_id = ${refs.provider}`],
      [`${TOKENS}?endpoint=${endpoint}&page_size=100`, `${live} AND endpoint_id = '${endpoint}'`],
      [`${TOKENS}?session__user=${refs.user}&page_size=100`, `${live} AND user_id = ${refs.user}`],
    ];
    await addTokens(100, endpoint, refs.user);
    const at100 = await firstPages(paths);
    await addTokens(900, endpoint, refs.user);
    const at1k = await firstPages(paths);
    await addTokens(9000, endpoint, refs.user);
    const at10k = await firstPages(paths);
    for (const [path] of paths) {
      expect([path, at1k[path]! <= 1.5 * at100[path]!, at10k[path]! <= 1.5 * at100[path]!]).toEqual([path, true, true]);
    }
    // Pinned: the provider-filtered page (the bench's scenario) reads the same rows at 100 and at 10,000
    // tokens: the page's 100 tokens (once for the page, once in each statement of the objects they
    // nest), those objects, the counter row, the authentication and the filter check.
    const byProvider = paths[1]![0];
    expect(at100[byProvider]).toBeLessThanOrEqual(930);
    expect(at10k[byProvider]).toBe(at100[byProvider]);

    // Expired tokens are never counted; until the sweep removes them, the count reads each once, and
    // so may the page and each of its three nested-object statements when they fall within its range.
    await addTokens(30, endpoint, refs.user, Date.UTC(2020, 0, 1));
    const expired = await firstPages(paths);
    for (const [path] of paths) expect([path, expired[path]! - at10k[path]! <= 5 * 30]).toEqual([path, true]);
  });

  it("a caller limited to their own tokens and a grant reads what they may see, not the table", async () => {
    const viewer = await makeUser();
    await addTokens(3, endpoint, viewer.id);
    await addTokens(200, endpoint, refs.user);
    const [other] = (
      await env.DB.prepare("SELECT uuid FROM connection_tokens WHERE user_id = ?1 LIMIT 1")
        .bind(refs.user)
        .all<{ uuid: string }>()
    ).results;
    await grant(viewer.id, ["authentik_providers_rac.view_connectiontoken"], {
      model: "authentik_providers_rac.connectiontoken",
      pk: other!.uuid,
    });
    const paths = [
      TOKENS,
      `${TOKENS}?provider=${refs.provider}`,
      `${TOKENS}?endpoint=${endpoint}`,
      `${TOKENS}?session__user=${viewer.id}`,
    ];
    const reads = async () => {
      const rows: number[] = [];
      for (const path of paths) {
        const listed = await get(path, { token: viewer.token });
        expect([path, listed.body.pagination.count]).toEqual([path, path.includes("session__user") ? 3 : 4]);
        const cost = await d1Cost("GET", path, { token: viewer.token });
        expect([path, cost.status, cost.batches]).toEqual([path, 200, 2]);
        rows.push(cost.rowsRead);
      }
      return rows;
    };
    // Their page is read for them (the second batch), after the page the authentication's batch read.
    const before = await reads();
    await addTokens(2000, endpoint, refs.user);
    // The same, give or take the few objects the first page happens to nest (users, providers).
    const after = await reads();
    for (const [index, rows] of after.entries())
      expect([paths[index], rows <= before[index]! + 10]).toEqual([paths[index], true]);
  });

  it("every other list, unfiltered (and endpoints by provider): at 1,500 rows the rows of 150", async () => {
    const lists: [string, string, string][] = [
      ["flows", "/api/v3/flows/instances/", "SELECT count(*) AS n FROM flows"],
      ["providers", "/api/v3/providers/rac/", "SELECT count(*) AS n FROM providers"],
      ["users", "/api/v3/core/users/", "SELECT count(*) AS n FROM users"],
      ["tokens", "/api/v3/core/tokens/", "SELECT count(*) AS n FROM tokens"],
      ["applications", "/api/v3/core/applications/", "SELECT count(*) AS n FROM applications"],
      ["property_mappings", "/api/v3/propertymappings/provider/rac/", "SELECT count(*) AS n FROM property_mappings"],
      ["outposts", "/api/v3/outposts/instances/", "SELECT count(*) AS n FROM outposts"],
      ["endpoints", "/api/v3/rac/endpoints/", "SELECT count(*) AS n FROM endpoints"],
      [
        "endpoints",
        `/api/v3/rac/endpoints/?provider=${refs.provider}`,
        `SELECT count(*) AS n FROM endpoints WHERE provider_id = ${refs.provider}`,
      ],
    ];
    const paths = lists.map(
      ([, path, sql]) => [`${path}${path.includes("?") ? "&" : "?"}page_size=50`, sql] as [string, string],
    );
    const tables = [...new Set(lists.map(([table]) => table))];
    for (const table of tables) await addRows(table, 150, refs);
    const small = await firstPages(paths);
    for (const table of tables) await addRows(table, 1350, refs);
    const large = await firstPages(paths);
    for (const [path] of paths) {
      expect([path, large[path]! <= 1.5 * small[path]!]).toEqual([path, true]);
    }
  });
});

describe("single objects read at most 20 rows, writes a small constant, at any table size", () => {
  it("retrieve (authentication, grants and nested objects included) and the writes of a session's life", async () => {
    const endpoint = await makeEndpoint();
    const flow = await makeFlow();
    const viewer = await makeUser();
    const bulkUser = await makeUser();
    // Rows around the objects: none of them may be read by a request about one object.
    await addTokens(3000, endpoint.pk, bulkUser.id);
    const bulk = { flow: flow.pk, provider: endpoint.provider, user: bulkUser.id };
    for (const table of [
      "providers",
      "endpoints",
      "users",
      "flows",
      "tokens",
      "applications",
      "property_mappings",
      "outposts",
    ])
      await addRows(table, 500, bulk);
    // The caller's own tokens elsewhere: a launch reads the endpoint's tokens, not all of the caller's.
    const elsewhere = await makeEndpoint({ provider: endpoint.provider });
    const admin = await get("/api/v3/core/users/?username=akadmin");
    await addTokens(2000, elsewhere.pk, admin.body.results[0].pk);
    const token = await launched(endpoint.pk);
    const outpost = await makeOutpost([endpoint.provider]);
    const application = await post("/api/v3/core/applications/", {
      name: "one",
      slug: "one-app",
      provider: endpoint.provider,
    });
    const mapping = await post("/api/v3/propertymappings/provider/rac/", { name: "one-mapping", static_settings: {} });
    const apiToken = await post("/api/v3/core/tokens/", { identifier: "one-token" });
    expect([application.status, mapping.status, apiToken.status]).toEqual([201, 201, 201]);
    const objects = [
      `/api/v3/providers/rac/${endpoint.provider}/`,
      `/api/v3/rac/endpoints/${endpoint.pk}/`,
      `${TOKENS}${token.pk}/`,
      `/api/v3/flows/instances/${flow.slug}/`,
      `/api/v3/core/users/${viewer.id}/`,
      `/api/v3/outposts/instances/${outpost.pk}/`,
      "/api/v3/core/applications/one-app/",
      `/api/v3/propertymappings/provider/rac/${mapping.body.pk}/`,
      "/api/v3/core/tokens/one-token/",
    ];
    for (const path of objects) {
      const cost = await d1Cost("GET", path);
      expect([path, cost.status, cost.batches, cost.rowsWritten, cost.rowsRead <= 20]).toEqual([path, 200, 1, 0, true]);
    }
    // A caller with grants reads them with the authentication.
    await grant(viewer.id, [
      "authentik_providers_rac.view_racprovider",
      "authentik_providers_rac.view_endpoint",
      "authentik_providers_rac.view_connectiontoken",
    ]);
    for (const path of objects.slice(0, 3)) {
      const cost = await d1Cost("GET", path, { token: viewer.token });
      expect([path, cost.status, cost.batches, cost.rowsRead <= 20]).toEqual([path, 200, 1, true]);
    }

    // Writes: rows read and written pinned from above (the launch's limit check reads the endpoint's
    // live tokens, unlimited here: 3,000 of another user's are on another endpoint).
    const writes: [string, string, unknown, number, number, number][] = [
      // method, path, body, status, at most rows read, at most rows written
      ["POST", `/api/v3/rac/endpoints/${endpoint.pk}/launch/`, {}, 201, 40, 20],
      // (A rename also rewrites the name copies of the provider's tokens, migration 0002: O(its tokens).)
      [
        "PATCH",
        `/api/v3/providers/rac/${endpoint.provider}/`,
        { settings: { "enable-wallpaper": "true" } },
        200,
        25,
        20,
      ],
      // (Issue 15: each write also records its event, 5 rows written: the row, its key, 2 indexes, the counter.)
      [
        "POST",
        "/api/v3/rac/endpoints/",
        { name: "n", provider: endpoint.provider, protocol: "rdp", host: "10.0.0.1", auth_mode: "static" },
        201,
        25,
        15,
      ],
      // (The delete reads its row once more for its event: at most 50.)
      ["DELETE", `${TOKENS}${token.pk}/`, undefined, 204, 50, 10],
    ];
    for (const [method, path, body, status, read, written] of writes) {
      const cost = await d1Cost(method, path, { body });
      expect([method, path, cost.status, cost.rowsRead <= read, cost.rowsWritten <= written]).toEqual([
        method,
        path,
        status,
        true,
        true,
      ]);
    }
    // Move and connect record their events (model_updated, rac_connect): 5 rows written each.
    const second = await makeEndpoint({ provider: endpoint.provider });
    const moved = await launched(endpoint.pk);
    const move = await d1Cost("PATCH", `${TOKENS}${moved.pk}/`, { body: { endpoint: second.pk } });
    expect([move.status, move.rowsRead <= 60, move.rowsWritten <= 17]).toEqual([200, true, true]);
    const connect = await d1Cost("POST", "/api/v3/rac/gateway/connect/", { body: { token: moved.token } });
    expect([connect.status, connect.rowsRead <= 20, connect.rowsWritten <= 7]).toEqual([200, true, true]);
    const disconnect = await d1Cost("POST", "/api/v3/rac/gateway/disconnect/", { body: { token: moved.token } });
    expect([disconnect.status, disconnect.rowsRead <= 20, disconnect.rowsWritten <= 10]).toEqual([200, true, true]);
  }, 60_000);
});
