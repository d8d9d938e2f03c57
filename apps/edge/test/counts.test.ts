/**
 * The counter rows of migration 0007 under concurrent launches, deletes, moves, cascades (provider,
 * endpoint and user deletes, an endpoint moved to another provider), expiry and sweeps: every
 * counter equals count(*) of its rows, and every list count the API answers equals count(*) of the
 * live rows it lists.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../src/clock.ts";
import { sweepExpired } from "../src/sweep.ts";
import { launchPath, makeEndpoint, setNow, TOKENS } from "./connectionFixtures.ts";
import { ADMIN, get, makeProvider, makeUser } from "./helpers.ts";
import { type RawReply, send } from "./invariants.ts";

const json = (method: string, path: string, body?: unknown, token = ADMIN): Promise<RawReply> =>
  send(
    method,
    path,
    { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body === undefined ? undefined : JSON.stringify(body),
  );

const rows = async <T = Record<string, unknown>>(sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;

/** Counter rows that disagree with count(*) of the rows they count (empty when exact). */
async function counterDrift() {
  const actual = new Map<string, number>();
  const queries = [
    "SELECT 'connection_tokens' AS tbl, '' AS field, '' AS value, count(*) AS n FROM connection_tokens",
    "SELECT 'endpoints' AS tbl, '' AS field, '' AS value, count(*) AS n FROM endpoints",
    "SELECT 'endpoints' AS tbl, 'provider_id' AS field, provider_id AS value, count(*) AS n " +
      "FROM endpoints GROUP BY provider_id",
    ...["provider_id", "endpoint_id", "user_id"].map(
      (field) =>
        `SELECT 'connection_tokens' AS tbl, '${field}' AS field, ${field} AS value, count(*) AS n
         FROM connection_tokens GROUP BY ${field}`,
    ),
  ];
  type Row = { tbl: string; field: string; value: unknown; n: number };
  const key = (row: Row) => JSON.stringify([row.tbl, row.field, row.value]);
  for (const sql of queries) for (const row of await rows<Row>(sql)) actual.set(key(row), row.n);
  const counted = await rows<Row>(
    "SELECT tbl, field, value, n FROM row_counts WHERE tbl IN ('connection_tokens', 'endpoints')",
  );
  const drift: unknown[] = counted
    .filter((row) => actual.get(key(row)) !== row.n)
    .map((row) => ({ ...row, actual: actual.get(key(row)) }));
  const keys = new Set(counted.map(key));
  for (const [missing, n] of actual) if (!keys.has(missing)) drift.push({ missing, n });
  return drift;
}

/** Every list count the API answers next to count(*) of the live rows it lists; empty when all agree. */
async function listDrift(now: number) {
  const live = "(expires IS NULL OR expires > ?1)";
  const checks: [string, string, unknown[]][] = [
    [TOKENS, `SELECT count(*) AS n FROM connection_tokens WHERE ${live}`, []],
  ];
  for (const { provider_id } of await rows<{ provider_id: number }>("SELECT DISTINCT provider_id FROM endpoints")) {
    checks.push([
      `${TOKENS}?provider=${provider_id}`,
      `SELECT count(*) AS n FROM connection_tokens WHERE ${live} AND provider_id = ?2`,
      [provider_id],
    ]);
    checks.push([
      `/api/v3/rac/endpoints/?provider=${provider_id}`,
      "SELECT count(*) AS n FROM endpoints WHERE ?1 IS NOT NULL AND provider_id = ?2",
      [provider_id],
    ]);
  }
  for (const { uuid } of await rows<{ uuid: string }>("SELECT uuid FROM endpoints")) {
    checks.push([
      `${TOKENS}?endpoint=${uuid}`,
      `SELECT count(*) AS n FROM connection_tokens WHERE ${live} AND endpoint_id = ?2`,
      [uuid],
    ]);
  }
  for (const { id } of await rows<{ id: number }>("SELECT id FROM users")) {
    checks.push([
      `${TOKENS}?session__user=${id}`,
      `SELECT count(*) AS n FROM connection_tokens WHERE ${live} AND user_id = ?2`,
      [id],
    ]);
  }
  checks.push(["/api/v3/rac/endpoints/", "SELECT count(*) AS n FROM endpoints WHERE ?1 IS NOT NULL", []]);
  const drift: unknown[] = [];
  for (const [path, sql, params] of checks) {
    const listed = await get(path);
    const [actual] = await rows<{ n: number }>(sql, now, ...params);
    if (listed.status !== 200 || listed.body.pagination.count !== actual!.n)
      drift.push({ path, listed: listed.body.pagination?.count, actual: actual!.n });
  }
  return drift;
}

describe("counts stay exact", () => {
  it("under concurrent launches, revocations, moves, disconnects, cascades, expiry and sweeps", async () => {
    const T = Date.UTC(2031, 5, 1);
    setNow(T);
    const users = await Promise.all(Array.from({ length: 4 }, () => makeUser({ superuser: true })));
    const expiring = { connection_expiry: "minutes=10", delete_token_on_disconnect: true };
    for (let round = 0; round < 3; round++) {
      const now = T + round * 7 * 60_000;
      setNow(now);
      const first = await makeEndpoint({}, expiring);
      const sibling = await makeEndpoint({ provider: first.provider });
      const other = await makeEndpoint({}, { connection_expiry: "hours=0" });
      const extraUser = await makeUser({ superuser: true });
      const everyone = [...users, extraUser];
      const endpoints = [first, sibling, other];
      const launches = await Promise.all(
        Array.from({ length: 36 }, (_, i) =>
          json("POST", launchPath(endpoints[i % 3]!.pk), {}, everyone[i % everyone.length]!.token),
        ),
      );
      expect(launches.every((reply) => reply.status === 201)).toBe(true);
      const made = launches.map((reply) => JSON.parse(reply.text) as { pk: string; token: string; endpoint: string });
      expect(await counterDrift()).toEqual([]);

      // Everything at once: revocations, moves, disconnects, launches and a sweep of what expired.
      const onFirst = made.filter((token) => token.endpoint === first.pk);
      const onOther = made.filter((token) => token.endpoint === other.pk);
      const changes = await Promise.all([
        ...onFirst.slice(0, 3).map((token) => json("DELETE", `${TOKENS}${token.pk}/`)),
        ...onFirst.slice(3, 6).map((token) => json("PATCH", `${TOKENS}${token.pk}/`, { endpoint: sibling.pk })),
        ...onOther.slice(0, 3).map((token) => json("POST", "/api/v3/rac/gateway/disconnect/", { token: token.token })),
        ...Array.from({ length: 6 }, (_, i) =>
          json("POST", launchPath(endpoints[i % 3]!.pk), {}, users[i % users.length]!.token),
        ),
        sweepExpired(env.DB, now).then(() => ({ status: 200, text: "" }) as RawReply),
      ]);
      expect(changes.map((reply) => reply.status)).toEqual([
        204,
        204,
        204,
        200,
        200,
        200,
        200,
        200,
        200,
        ...Array(6).fill(201),
        200,
      ]);
      expect(await counterDrift()).toEqual([]);
      expect(await listDrift(now)).toEqual([]);

      // Cascades (a user, an endpoint, an endpoint moved to another provider) while launches go on.
      const mixed = await Promise.all([
        json("DELETE", `/api/v3/core/users/${extraUser.id}/`),
        json("DELETE", `/api/v3/rac/endpoints/${sibling.pk}/`),
        json("PATCH", `/api/v3/rac/endpoints/${other.pk}/`, { provider: first.provider }),
        ...Array.from({ length: 6 }, (_, i) =>
          json("POST", launchPath(endpoints[i % 3]!.pk), {}, users[i % users.length]!.token),
        ),
      ]);
      expect(mixed.filter((reply) => reply.status >= 500)).toEqual([]);
      expect(await counterDrift()).toEqual([]);
      expect(await listDrift(now)).toEqual([]);

      // Time passes without a write: the first round's 10-minute tokens expire; then the sweep removes them.
      setNow(now + 11 * 60_000);
      expect(await listDrift(now + 11 * 60_000)).toEqual([]);
      await sweepExpired(env.DB, clock.now());
      expect(await counterDrift()).toEqual([]);
      expect(await listDrift(now + 11 * 60_000)).toEqual([]);
    }
    // A provider deleted with its endpoints and tokens: the keyed counters go with them.
    const provider = await makeProvider();
    const endpoint = await makeEndpoint({ provider: provider.pk });
    await Promise.all(users.map((user) => json("POST", launchPath(endpoint.pk), {}, user.token)));
    await Promise.all([
      json("DELETE", `/api/v3/providers/rac/${provider.pk}/`),
      json("POST", launchPath(endpoint.pk), {}, users[0]!.token),
    ]);
    expect(await counterDrift()).toEqual([]);
    expect(
      await rows("SELECT * FROM row_counts WHERE field <> '' AND value IN (?1, ?2)", provider.pk, endpoint.pk),
    ).toEqual([]);
    expect(await listDrift(clock.now())).toEqual([]);
  }, 120_000);

  it("a bounded sweep: at most `batch` tokens a statement and `steps` statements a run", async () => {
    const endpoint = await makeEndpoint({}, { connection_expiry: "minutes=1" });
    const user = await makeUser({ superuser: true });
    const T = Date.UTC(2033, 0, 1);
    setNow(T);
    await sweepExpired(env.DB, T, { batch: 1000, steps: 100 });
    await Promise.all(Array.from({ length: 25 }, () => json("POST", launchPath(endpoint.pk), {})));
    await json("POST", launchPath(endpoint.pk), {}, user.token);
    const later = T + 2 * 60_000;
    expect(await sweepExpired(env.DB, later, { batch: 4, steps: 3 })).toBe(12);
    expect(await sweepExpired(env.DB, later, { batch: 10, steps: 5 })).toBe(14);
    expect(await sweepExpired(env.DB, later, { batch: 10, steps: 5 })).toBe(0);
    expect(await counterDrift()).toEqual([]);
  });
});
