/**
 * Concurrent requests through the Worker's entry point (Promise.all), with D1 checked afterwards:
 * writes are all-or-nothing, cascades leave no orphans, limits and unique names hold under races.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { launchPath, makeEndpoint, TOKENS } from "./connectionFixtures.ts";
import { ADMIN, grant, makeFlow, makeProvider, makeUser, post, unique } from "./helpers.ts";
import { isAuthentikError, type RawReply, send } from "./invariants.ts";

const RACE = "A referenced object was deleted while this request was handled; nothing was changed.";

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

const statusCounts = (replies: RawReply[]) =>
  replies.reduce<Record<number, number>>((counts, reply) => {
    counts[reply.status] = (counts[reply.status] ?? 0) + 1;
    return counts;
  }, {});

async function makeMapping(): Promise<string> {
  const reply = await post("/api/v3/propertymappings/provider/rac/", { name: unique("mapping"), static_settings: {} });
  if (reply.status !== 201) throw new Error(reply.text);
  return reply.body.pk;
}

/** Every connection token whose provider, endpoint or user is gone (foreign keys should make this empty). */
const orphanTokens = () =>
  rows(
    `SELECT t.uuid FROM connection_tokens t
     WHERE NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.uuid = t.endpoint_id)
        OR NOT EXISTS (SELECT 1 FROM providers p WHERE p.id = t.provider_id)
        OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id)`,
  );

describe("concurrent PATCHes to one provider", () => {
  it("end with exactly one submitted state, never a mix with fields of failed requests", async () => {
    const flows = [(await makeFlow()).pk, (await makeFlow()).pk];
    const mappings = await Promise.all(Array.from({ length: 4 }, makeMapping));
    const poison = await makeMapping();
    const taken = await makeProvider({ authorization_flow: flows[0] });
    const provider = await makeProvider({ authorization_flow: flows[0] });
    const path = `/api/v3/providers/rac/${provider.pk}/`;
    const stateOf = (body: any) => ({
      name: body.name,
      authorization_flow: body.authorization_flow,
      connection_expiry: body.connection_expiry,
      settings: body.settings,
      delete_token_on_disconnect: body.delete_token_on_disconnect,
      property_mappings: [...body.property_mappings].sort(),
    });
    for (let round = 0; round < 5; round++) {
      const submitted = Array.from({ length: 16 }, (_, i) => ({
        name: `patched-${provider.pk}-${round}-${i}`,
        authorization_flow: flows[i % 2]!,
        connection_expiry: `minutes=${i + 1}`,
        settings: { round, request: i, nested: { list: [i] } },
        delete_token_on_disconnect: i % 2 === 0,
        property_mappings: [mappings[i % 4]!, mappings[(i + 1) % 4]!].sort(),
      }));
      // Valid on their own, refused at the write (the name is another provider's): nothing of theirs may stay.
      const failing = Array.from({ length: 8 }, (_, i) => ({
        name: taken.name,
        connection_expiry: `minutes=${1000 + i}`,
        settings: { failed: i },
        delete_token_on_disconnect: true,
        property_mappings: [poison],
      }));
      const bodies: Record<string, unknown>[] = submitted.flatMap((body, i) =>
        i < failing.length ? [body, failing[i]!] : [body],
      );
      const replies = await Promise.all(bodies.map((body) => json("PATCH", path, body)));
      replies.forEach((reply, index) => {
        const body = bodies[index]!;
        if (body.name === taken.name) {
          expect(reply.status).toBe(400);
          expect(reply.body).toEqual({ name: ["provider with this name already exists."] });
        } else {
          // Each answer shows its own request's state: the UPDATE and its read-back are one batch.
          expect(reply.status).toBe(200);
          expect(stateOf(reply.body)).toEqual(body);
        }
      });
      const final = await json("GET", path);
      expect(submitted).toContainEqual(stateOf(final.body));
      const stored = await rows(
        "SELECT mapping_id FROM provider_property_mappings WHERE provider_id = ?1 ORDER BY mapping_id",
        provider.pk,
      );
      expect(stored.map((row) => row.mapping_id)).toEqual(stateOf(final.body).property_mappings);
      expect(await rows("SELECT provider_id FROM provider_property_mappings WHERE mapping_id = ?1", poison)).toEqual(
        [],
      );
    }
  }, 60_000);

  it("and to one endpoint: provider, mappings and settings move together", async () => {
    const providers = [await makeProvider(), await makeProvider()];
    const mappings = await Promise.all(Array.from({ length: 3 }, makeMapping));
    const endpoint = await makeEndpoint({ provider: providers[0]!.pk });
    const path = `/api/v3/rac/endpoints/${endpoint.pk}/`;
    const submitted = Array.from({ length: 20 }, (_, i) => ({
      provider: providers[i % 2]!.pk,
      settings: { request: i },
      property_mappings: [mappings[i % 3]!],
      maximum_connections: i,
      host: `10.0.0.${i + 1}`,
    }));
    const replies = await Promise.all(submitted.map((body) => json("PATCH", path, body)));
    expect(statusCounts(replies)).toEqual({ 200: 20 });
    const final = (await json("GET", path)).body as { property_mappings: string[] };
    const pick = (body: any) => ({
      provider: body.provider,
      settings: body.settings,
      property_mappings: body.property_mappings,
      maximum_connections: body.maximum_connections,
      host: body.host,
    });
    expect(submitted).toContainEqual(pick(final));
    const links = await rows("SELECT mapping_id FROM endpoint_property_mappings WHERE endpoint_id = ?1", endpoint.pk);
    expect(links.map((row) => row.mapping_id)).toEqual(final.property_mappings);
  }, 60_000);
});

describe("concurrent PATCHes to one flow", () => {
  it("of different fields both land: each writes only its own field", async () => {
    for (let round = 0; round < 5; round++) {
      const flow = await makeFlow();
      const path = `/api/v3/flows/instances/${flow.slug}/`;
      const [named, titled] = await Promise.all([
        json("PATCH", path, { name: `named-${round}` }),
        json("PATCH", path, { title: `titled-${round}` }),
      ]);
      expect([named.status, titled.status]).toEqual([200, 200]);
      const stored = await rows<{ name: string; title: string }>(
        "SELECT name, title FROM flows WHERE uuid = ?1",
        flow.pk,
      );
      expect(stored).toEqual([{ name: `named-${round}`, title: `titled-${round}` }]);
    }
  });

  it("the write path sets only the request's own writable fields (never inherited names)", async () => {
    const { asIs, assignments } = await import("../src/repositories/write.ts");
    const input = Object.assign(Object.create({ slug: "inherited" }), { name: "n", toString: "x", constructor: 1 });
    expect(assignments(asIs("name", "slug"), input, 2)).toEqual({ sets: "name = ?2", values: ["n"] });
  });

  it("a PATCH of a flow deleted meanwhile is 404 and writes nothing", async () => {
    const flow = await makeFlow();
    const path = `/api/v3/flows/instances/${flow.slug}/`;
    const replies = await Promise.all([json("DELETE", path), json("PATCH", path, { title: "late" })]);
    expect(replies[0]!.status).toBe(204);
    expect([200, 404]).toContain(replies[1]!.status);
    // Deterministically: the write with the row gone (read before the delete) answers notFound.
    const again = await makeFlow();
    const { flowByKey, updateFlow } = await import("../src/repositories/flows.ts");
    const { runPlan } = await import("../src/repositories/d1.ts");
    const stale = (await runPlan(env.DB, flowByKey(env.DB, again.slug)))!;
    expect((await json("DELETE", `/api/v3/flows/instances/${again.slug}/`)).status).toBe(204);
    await expect(updateFlow(env.DB, stale, { title: "late" })).rejects.toMatchObject({ outcome: { kind: "notFound" } });
    expect(await rows("SELECT uuid FROM flows WHERE uuid IN (?1, ?2)", flow.pk, again.pk)).toEqual([]);
  });
});

describe("deleting a provider while launching", () => {
  it("leaves no orphan tokens: every launch is 201 or 404, and the provider's tokens are gone", async () => {
    const user = await makeUser();
    await grant(user.id, ["authentik_providers_rac.view_endpoint"]);
    for (let round = 0; round < 6; round++) {
      const provider = await makeProvider();
      const endpoints = await Promise.all(Array.from({ length: 3 }, () => makeEndpoint({ provider: provider.pk })));
      // Requests start in array order: the deletes start between launches, so that some launches race with them.
      const started = Array.from({ length: 32 }, (_, i) =>
        i === 10 || i === 20
          ? { kind: "delete", reply: json("DELETE", `/api/v3/providers/rac/${provider.pk}/`) }
          : {
              kind: "launch",
              reply: json("POST", launchPath(endpoints[i % 3]!.pk), {}, i % 2 === 0 ? ADMIN : user.token),
            },
      );
      const replies = await Promise.all(started.map((request) => request.reply));
      const launched = replies.filter((_, i) => started[i]!.kind === "launch");
      const deleted = replies.filter((_, i) => started[i]!.kind === "delete");
      for (const reply of launched) {
        expect([201, 404], reply.text).toContain(reply.status);
        expect(isAuthentikError(reply.body) || reply.status === 201).toBe(true);
      }
      expect(deleted.map((reply) => reply.status)).toContain(204);
      for (const reply of deleted) expect([204, 404]).toContain(reply.status);
      expect(await rows("SELECT uuid FROM connection_tokens WHERE provider_id = ?1", provider.pk)).toEqual([]);
      expect(await rows("SELECT uuid FROM endpoints WHERE provider_id = ?1", provider.pk)).toEqual([]);
      expect(await orphanTokens()).toEqual([]);
    }
  }, 60_000);

  it("a launch whose endpoint disappears before its insert is 404, not a limit refusal", async () => {
    // Regression: the insert found no endpoint and the launch answered 409 "Maximum connection limit reached.".
    const endpoint = await makeEndpoint({ maximum_connections: -1 });
    const replies = await Promise.all([
      json("POST", launchPath(endpoint.pk), {}),
      json("POST", launchPath(endpoint.pk), {}),
      json("DELETE", `/api/v3/rac/endpoints/${endpoint.pk}/`),
      json("POST", launchPath(endpoint.pk), {}),
    ]);
    for (const reply of [replies[0]!, replies[1]!, replies[3]!]) expect([201, 404]).toContain(reply.status);
    expect(replies[2]!.status).toBe(204);
    expect(await orphanTokens()).toEqual([]);
  });
});

describe("deleting a user while they launch, or while permissions are assigned to them", () => {
  it("launches answer 201 or 403 (the key died with the user), never 500, and leave no orphan tokens", async () => {
    const endpoint = await makeEndpoint();
    for (let round = 0; round < 4; round++) {
      const user = await makeUser();
      await grant(user.id, ["authentik_providers_rac.view_endpoint"]);
      const started = Array.from({ length: 20 }, (_, i) =>
        i === 8
          ? json("DELETE", `/api/v3/core/users/${user.id}/`)
          : json("POST", launchPath(endpoint.pk), {}, user.token),
      );
      const replies = await Promise.all(started);
      expect(replies[8]!.status).toBe(204);
      for (const reply of replies.filter((_, i) => i !== 8)) {
        expect([201, 403], reply.text).toContain(reply.status);
        if (reply.status === 403) expect(reply.body).toEqual({ detail: "Token invalid/expired" });
      }
      expect(await rows("SELECT uuid FROM connection_tokens WHERE user_id = ?1", user.id)).toEqual([]);
      expect(await orphanTokens()).toEqual([]);
    }
  });

  it("assign/unassign answer 200/204 or 404, never 500, and leave no grants of a deleted user", async () => {
    for (let round = 0; round < 4; round++) {
      const user = await makeUser();
      const started = Array.from({ length: 12 }, (_, i) =>
        i === 5
          ? json("DELETE", `/api/v3/core/users/${user.id}/`)
          : json(
              i % 2 === 0 ? "POST" : "PATCH",
              `/api/v3/rbac/permissions/assigned_by_users/${user.id}/${i % 2 === 0 ? "assign" : "unassign"}/`,
              {
                permissions: ["authentik_flows.view_flow", "authentik_core.view_user"],
              },
            ),
      );
      const replies = await Promise.all(started);
      expect(replies[5]!.status).toBe(204);
      for (const [i, reply] of replies.entries()) {
        if (i === 5) continue;
        // authentik answers assign 200 with the assigned ids, unassign 204.
        expect([i % 2 === 0 ? 200 : 204, 404], reply.text).toContain(reply.status);
        if (reply.status === 404) expect(reply.body).toEqual({ detail: "Not found." });
      }
      expect(await rows("SELECT codename FROM permissions WHERE user_id = ?1", user.id)).toEqual([]);
    }
  });
});

describe("deleting referenced objects while writing what references them", () => {
  it("creates and updates answer 201/200 or 400 Invalid pk, never 500, and leave nothing dangling", async () => {
    for (let round = 0; round < 4; round++) {
      const provider = await makeProvider();
      const mapping = await makeMapping();
      const existing = await makeEndpoint();
      const writes = [
        ...Array.from({ length: 6 }, () =>
          json("POST", "/api/v3/rac/endpoints/", {
            name: unique("endpoint"),
            provider: provider.pk,
            protocol: "rdp",
            host: "10.0.0.1",
            auth_mode: "static",
            property_mappings: [mapping],
          }),
        ),
        ...Array.from({ length: 4 }, () =>
          json("POST", "/api/v3/outposts/instances/", {
            name: unique("outpost"),
            type: "rac",
            providers: [provider.pk],
          }),
        ),
        ...Array.from({ length: 4 }, () =>
          json("POST", "/api/v3/providers/rac/", {
            name: unique("provider"),
            authorization_flow: provider.authorization_flow,
            property_mappings: [mapping],
          }),
        ),
        ...Array.from({ length: 4 }, () =>
          json("PATCH", `/api/v3/rac/endpoints/${existing.pk}/`, {
            provider: provider.pk,
            property_mappings: [mapping],
          }),
        ),
        ...Array.from({ length: 2 }, () =>
          json("POST", "/api/v3/core/applications/", { name: "a", slug: unique("app"), provider: provider.pk }),
        ),
      ];
      const deletes = [
        json("DELETE", `/api/v3/providers/rac/${provider.pk}/`),
        json("DELETE", `/api/v3/propertymappings/provider/rac/${mapping}/`),
      ];
      const replies = await Promise.all([...writes, ...deletes]);
      for (const reply of replies) {
        expect(reply.status, reply.text).toBeLessThan(500);
        // A reference deleted before the check: Invalid pk; between the check and the write: the
        // race's non-field error; the PATCHed endpoint itself gone with its provider: 404.
        if (reply.status === 400 && "non_field_errors" in (reply.body as object))
          expect(reply.body).toEqual({ non_field_errors: [RACE] });
        else if (reply.status === 400)
          expect(reply.text).toMatch(/^\{"\w+":\["Invalid pk \\"[^"\\]+\\" - object does not exist\."\]\}$/);
        else if (reply.status >= 400) expect(reply.body).toEqual({ detail: "Not found." });
      }
      expect(await rows("SELECT uuid FROM endpoints WHERE provider_id = ?1", provider.pk)).toEqual([]);
      expect(await rows("SELECT outpost_id FROM outpost_providers WHERE provider_id = ?1", provider.pk)).toEqual([]);
      expect(await rows("SELECT provider_id FROM provider_property_mappings WHERE mapping_id = ?1", mapping)).toEqual(
        [],
      );
      expect(await rows("SELECT endpoint_id FROM endpoint_property_mappings WHERE mapping_id = ?1", mapping)).toEqual(
        [],
      );
    }
  }, 60_000);
});

describe("the connection limit at a larger scale", () => {
  it("limit 5, 150 concurrent launches by 10 users and 20 token moves, 3 rounds: exactly 5 live tokens", async () => {
    const provider = await makeProvider();
    const limited = await makeEndpoint({ provider: provider.pk, maximum_connections: 5 });
    const open = await makeEndpoint({ provider: provider.pk, maximum_connections: -1 });
    const users = await Promise.all(Array.from({ length: 10 }, () => makeUser()));
    for (const user of users) await grant(user.id, ["authentik_providers_rac.view_endpoint"]);
    for (let round = 0; round < 3; round++) {
      const movable = await Promise.all(Array.from({ length: 20 }, () => json("POST", launchPath(open.pk), {})));
      expect(statusCounts(movable)).toEqual({ 201: 20 });
      const replies = await Promise.all([
        ...Array.from({ length: 150 }, (_, i) => json("POST", launchPath(limited.pk), {}, users[i % 10]!.token)),
        ...movable.map((token) =>
          json("PATCH", `${TOKENS}${(token.body as { pk: string }).pk}/`, { endpoint: limited.pk }),
        ),
      ]);
      const counts = statusCounts(replies);
      expect((counts[201] ?? 0) + (counts[200] ?? 0)).toBe(5);
      expect(counts[409]).toBe(165);
      for (const reply of replies.filter((r) => r.status === 409))
        expect((reply.body as { detail: string }).detail).toMatch(/^Maximum connection limit reached\./);
      const live = await rows<{ uuid: string }>(
        "SELECT uuid FROM connection_tokens WHERE endpoint_id = ?1",
        limited.pk,
      );
      expect(live).toHaveLength(5);
      await env.DB.prepare("DELETE FROM connection_tokens WHERE provider_id = ?1").bind(provider.pk).run();
    }
  }, 120_000);
});

describe("races on one-time and unique things", () => {
  it("view_key: of 20 concurrent reads exactly one sees the key, the others 410", async () => {
    const reply = await post("/api/v3/core/tokens/", { identifier: unique("token") });
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => json("GET", `/api/v3/core/tokens/${reply.body.identifier}/view_key/`)),
    );
    expect(statusCounts(replies)).toEqual({ 200: 1, 410: 19 });
  });

  it("one unique name, 10 concurrent creates per resource: one 201, the rest a 400 field error", async () => {
    const flow = await makeFlow();
    const provider = await makeProvider();
    const name = unique("same");
    const resources: [string, () => unknown, string][] = [
      ["/api/v3/flows/instances/", () => ({ name, slug: name, title: name, designation: "authorization" }), "slug"],
      ["/api/v3/providers/rac/", () => ({ name, authorization_flow: flow.pk }), "name"],
      ["/api/v3/core/users/", () => ({ username: name, name }), "username"],
      ["/api/v3/core/tokens/", () => ({ identifier: name }), "identifier"],
      ["/api/v3/core/applications/", () => ({ name, slug: name }), "slug"],
      ["/api/v3/propertymappings/provider/rac/", () => ({ name, static_settings: {} }), "name"],
      ["/api/v3/outposts/instances/", () => ({ name, type: "rac", providers: [provider.pk] }), "name"],
    ];
    for (const [path, body, field] of resources) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => json("POST", path, body())));
      expect(statusCounts(replies), path).toEqual({ 201: 1, 400: 9 });
      for (const reply of replies.filter((r) => r.status === 400))
        expect(Object.keys(reply.body as object), path).toEqual([field]);
    }
    const sameProvider = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        json("POST", "/api/v3/core/applications/", { name: "a", slug: `${name}-${i}`, provider: provider.pk }),
      ),
    );
    expect(statusCounts(sameProvider)).toEqual({ 201: 1, 400: 9 });
  }, 60_000);
});
