/**
 * What a request costs in D1 rows (its `Server-Timing`, D1's own `meta`), and that a list's first
 * page does not grow with the table: rows are added in SQL (thousands of launches would take the
 * run's time) and every counter row follows them through the triggers of migration 0007.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { TOKENS } from "./connectionFixtures.ts";
import { ADMIN, BASE, get, grant, makeFlow, makeProvider, makeUser, post } from "./helpers.ts";

export interface D1Figures {
  status: number;
  rowsRead: number;
  rowsWritten: number;
  batches: number;
}

/** D1's figures for one request, read from its Server-Timing header. */
export async function d1Cost(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<D1Figures> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? ADMIN}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  await response.arrayBuffer();
  const timing = response.headers.get("server-timing") ?? "";
  const match = /^d1;dur=[\d.]+;desc="rows_read=(\d+) rows_written=(\d+) batches=(\d+)"$/.exec(timing);
  if (match === null) throw new Error(`${method} ${path}: no D1 Server-Timing in "${timing}"`);
  return { status: response.status, rowsRead: Number(match[1]), rowsWritten: Number(match[2]), batches: Number(match[3]) };
}

/** A uuid-shaped text from `x`, 32 random hex digits, in SQL. */
const UUID = "substr(x, 1, 8) || '-' || substr(x, 9, 4) || '-4' || substr(x, 14, 3) || '-8' || substr(x, 18, 3) || '-' || substr(x, 21, 12)";
/** `n` rows of random hex `x`, for an INSERT ... SELECT. */
const SEQUENCE = "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1), h(x) AS (SELECT lower(hex(randomblob(16))) FROM seq)";

/** Adds `n` connection tokens on the endpoint for the user, expiring at `expires` (far ahead by default). */
export async function addTokens(n: number, endpoint: string, user: number, expires: number | null = Date.UTC(2100, 0, 1)) {
  await env.DB.prepare(
    `${SEQUENCE} INSERT INTO connection_tokens (uuid, provider_id, endpoint_id, user_id, token_hash, settings, created, expires, endpoint_name, provider_name)
     SELECT ${UUID}, e.provider_id, e.uuid, ?3, 'bulk-' || x, '{}', 0, ?4, e.name, p.name
     FROM h, endpoints e JOIN providers p ON p.id = e.provider_id WHERE e.uuid = ?2`,
  )
    .bind(n, endpoint, user, expires)
    .run();
}

/** Adds `n` rows to a listed table, in SQL. */
async function addRows(table: string, n: number, refs: { flow: string; provider: number; user: number }) {
  const rows: Record<string, [string, ...unknown[]]> = {
    flows: [`INSERT INTO flows (uuid, name, slug, title, designation) SELECT ${UUID}, 'f' || x, 'f' || x, 'f' || x, 'authorization' FROM h`],
    providers: [`INSERT INTO providers (name, authorization_flow) SELECT 'p' || x, ?2 FROM h`, refs.flow],
    users: [`INSERT INTO users (uuid, uid, username) SELECT ${UUID}, x, 'u' || x FROM h`],
    tokens: [`INSERT INTO tokens (uuid, identifier, user_id, key_hash, expiring) SELECT ${UUID}, 'i' || x, ?2, 'k' || x, 0 FROM h`, refs.user],
    applications: [`INSERT INTO applications (uuid, name, slug) SELECT ${UUID}, 'a' || x, 'a' || x FROM h`],
    property_mappings: [`INSERT INTO property_mappings (uuid, name) SELECT ${UUID}, 'm' || x FROM h`],
    outposts: [`INSERT INTO outposts (uuid, name, token_identifier) SELECT ${UUID}, 'o' || x, 'o' || x FROM h`],
    endpoints: [
      `INSERT INTO endpoints (uuid, name, provider_id, protocol, host, auth_mode) SELECT ${UUID}, 'e' || x, ?2, 'rdp', '10.0.0.1', 'static' FROM h`,
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
    const write = await d1Cost("PATCH", `/api/v3/providers/rac/${provider.pk}/`, { body: { name: `${provider.name}-x` } });
    expect(write.status).toBe(200);
    expect(write.batches).toBe(2);
    expect(write.rowsWritten).toBeGreaterThan(0);
    // Failed requests carry it too: the authentication read something.
    const refused = await d1Cost("GET", "/api/v3/providers/rac/", { token: "not-a-token" });
    expect([refused.status, refused.batches]).toEqual([403, 1]);
  });

  it("is off unless SERVER_TIMING is true (deployments leave it unset)", async () => {
    const { default: worker } = await import("../src/index.ts");
    const request = () => new Request(`${BASE}/api/v3/providers/rac/`, { headers: { authorization: `Bearer ${ADMIN}` } });
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

  it("connection tokens, unfiltered and by provider, endpoint and user: at 1,000 and 10,000 at most 1.5x the rows at 100", async () => {
    const live = "SELECT count(*) AS n FROM connection_tokens WHERE (expires IS NULL OR expires > unixepoch('subsec') * 1000)";
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
    const [other] = (await env.DB.prepare("SELECT uuid FROM connection_tokens WHERE user_id = ?1 LIMIT 1").bind(refs.user).all<{ uuid: string }>()).results;
    await grant(viewer.id, ["authentik_providers_rac.view_connectiontoken"], { model: "authentik_providers_rac.connectiontoken", pk: other!.uuid });
    const paths = [TOKENS, `${TOKENS}?provider=${refs.provider}`, `${TOKENS}?endpoint=${endpoint}`, `${TOKENS}?session__user=${viewer.id}`];
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
    for (const [index, rows] of after.entries()) expect([paths[index], rows <= before[index]! + 10]).toEqual([paths[index], true]);
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
      ["endpoints", `/api/v3/rac/endpoints/?provider=${refs.provider}`, `SELECT count(*) AS n FROM endpoints WHERE provider_id = ${refs.provider}`],
    ];
    const paths = lists.map(([, path, sql]) => [`${path}${path.includes("?") ? "&" : "?"}page_size=50`, sql] as [string, string]);
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
