import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { ADMIN, BASE, del, get, makeProvider, patch, put } from "../helpers.ts";
import { dumpTables } from "../invariants.ts";

const PROVIDERS = "/api/v3/providers/rac/";

/** A PATCH through the Worker with a binding that runs `meanwhile` right after the request's `after`-th round trip. */
async function patchWithRace(
  path: string,
  body: unknown,
  ifMatch: string,
  after: number,
  meanwhile: () => Promise<unknown>,
) {
  let batches = 0;
  // The router reads through sessions of the binding: they are watched alike.
  const watch = <D extends object>(inner: D): D =>
    new Proxy(inner, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as (...args: unknown[]) => any;
        if (property === "withSession") return (constraint?: string) => watch(value.call(target, constraint));
        if (property !== "batch") return typeof value === "function" ? value.bind(target) : value;
        return async (statements: D1PreparedStatement[]) => {
          const results = await value.call(target, statements);
          if (++batches === after) await meanwhile();
          return results;
        };
      },
    });
  const db = watch(env.DB);
  const request = new Request(`${BASE}${path}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json", "if-match": ifMatch },
    body: JSON.stringify(body),
  });
  const response = await worker.fetch(
    request,
    { ...env, DB: db } as never,
    { waitUntil() {}, passThroughOnException() {} } as never,
  );
  return { status: response.status, body: (await response.json()) as { detail?: string } };
}

describe("ETag and If-None-Match", () => {
  it("a single-object GET answers a strong ETag of its body, and 304 when the client's copy is current", async () => {
    const provider = await makeProvider();
    const first = await get(`${PROVIDERS}${provider.pk}/`);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    expect((await get(`${PROVIDERS}${provider.pk}/`)).headers.get("etag")).toBe(etag);
    const cached = await get(`${PROVIDERS}${provider.pk}/`, { headers: { "if-none-match": `"other", ${etag}` } });
    expect([cached.status, cached.text, cached.headers.get("etag")]).toEqual([304, "", etag]);
    const weak = await get(`${PROVIDERS}${provider.pk}/`, { headers: { "if-none-match": `W/${etag}` } });
    expect(weak.status).toBe(304);
    const stale = await get(`${PROVIDERS}${provider.pk}/`, { headers: { "if-none-match": '"stale"' } });
    expect([stale.status, stale.body.pk]).toEqual([200, provider.pk]);
  });

  it("the ETag changes with the representation, embedded objects included", async () => {
    const provider = await makeProvider();
    const endpoint = await (await import("../helpers.ts")).post("/api/v3/rac/endpoints/", {
      name: `e-${crypto.randomUUID()}`,
      provider: provider.pk,
      protocol: "vnc",
      host: "10.0.0.1",
      auth_mode: "static",
    });
    const path = `/api/v3/rac/endpoints/${endpoint.body.pk}/`;
    const before = (await get(path)).headers.get("etag");
    expect(endpoint.headers.get("etag")).toBe(before);
    // Renaming the provider changes the endpoint's embedded `provider_obj`, so its ETag.
    expect((await patch(`${PROVIDERS}${provider.pk}/`, { name: `renamed-${crypto.randomUUID()}` })).status).toBe(200);
    expect((await get(path)).headers.get("etag")).not.toBe(before);
  });
});

describe("If-Match on PUT, PATCH and DELETE", () => {
  it("a stale ETag answers 412 and changes nothing; the current one applies and answers the new ETag", async () => {
    const provider = await makeProvider();
    const path = `${PROVIDERS}${provider.pk}/`;
    const etag = (await get(path)).headers.get("etag")!;
    expect((await patch(path, { connection_expiry: "hours=2" })).status).toBe(200);
    const before = await dumpTables();
    for (const reply of [
      await patch(path, { connection_expiry: "hours=3" }, { headers: { "if-match": etag } }),
      await put(path, { ...provider, name: "x" }, { headers: { "if-match": etag } }),
      await del(path, { headers: { "if-match": `W/${etag}` } }),
    ]) {
      expect(reply.status).toBe(412);
      expect(reply.body.detail).toMatch(/changed since it was read/);
    }
    expect(await dumpTables()).toBe(before);
    const current = (await get(path)).headers.get("etag")!;
    const applied = await patch(path, { connection_expiry: "hours=3" }, { headers: { "if-match": current } });
    expect([applied.status, applied.body.connection_expiry]).toEqual([200, "hours=3"]);
    expect(applied.headers.get("etag")).toBe((await get(path)).headers.get("etag"));
    expect((await patch(path, { name: "again" }, { headers: { "if-match": "*" } })).status).toBe(200);
    expect((await del(path, { headers: { "if-match": applied.headers.get("etag")! } })).status).toBe(412);
    expect((await del(path, { headers: { "if-match": (await get(path)).headers.get("etag")! } })).status).toBe(204);
  });

  it("a change between the comparison and the write answers 412, and only that change is stored", async () => {
    const provider = await makeProvider();
    const path = `${PROVIDERS}${provider.pk}/`;
    const etag = (await get(path)).headers.get("etag")!;
    // Round trips: the authentication with the prefetch, then the comparison's read; the write comes next.
    const race = await patchWithRace(path, { connection_expiry: "hours=5" }, etag, 2, () =>
      env.DB.prepare("UPDATE providers SET connection_expiry = 'hours=7' WHERE id = ?1").bind(provider.pk).run(),
    );
    expect(race.status).toBe(412);
    expect(race.body.detail).toMatch(/changed since it was read/);
    expect((await get(path)).body.connection_expiry).toBe("hours=7");
    // Without a concurrent change the same request applies (the race above was what refused it).
    const fresh = (await get(path)).headers.get("etag")!;
    const calm = await patchWithRace(path, { connection_expiry: "hours=5" }, fresh, 2, async () => {});
    expect(calm.status).toBe(200);
    expect((await get(path)).body.connection_expiry).toBe("hours=5");
  });

  it("a mapping link change (no UPDATE of the provider row) also moves the version", async () => {
    const provider = await makeProvider();
    const path = `${PROVIDERS}${provider.pk}/`;
    const mapping = await (await import("../helpers.ts")).post("/api/v3/propertymappings/provider/rac/", {
      name: `m-${crypto.randomUUID()}`,
      static_settings: {},
    });
    const etag = (await get(path)).headers.get("etag")!;
    const race = await patchWithRace(path, { name: `n-${crypto.randomUUID()}` }, etag, 2, () =>
      env.DB.prepare("INSERT INTO provider_property_mappings (provider_id, mapping_id) VALUES (?1, ?2)")
        .bind(provider.pk, mapping.body.pk)
        .run(),
    );
    expect(race.status).toBe(412);
    expect((await get(path)).body.name).toBe(provider.name);
  });
});

describe("If-Match on connection tokens (outside the CRUD layer)", () => {
  it("a stale ETag answers 412 for PATCH and DELETE and changes nothing; the current one applies", async () => {
    const { makeEndpoint, launched, TOKENS } = await import("../connectionFixtures.ts");
    const endpoint = await makeEndpoint();
    const other = await makeEndpoint({ provider: endpoint.provider });
    const token = await launched(endpoint.pk);
    const path = `${TOKENS}${token.pk}/`;
    const etag = (await get(path)).headers.get("etag")!;
    expect((await get(path, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await patch(path, { endpoint: other.pk })).status).toBe(200);
    const before = await dumpTables();
    expect((await patch(path, { endpoint: endpoint.pk }, { headers: { "if-match": etag } })).status).toBe(412);
    expect((await del(path, { headers: { "if-match": etag } })).status).toBe(412);
    expect(await dumpTables()).toBe(before);
    const current = (await get(path)).headers.get("etag")!;
    const moved = await patch(path, { endpoint: endpoint.pk }, { headers: { "if-match": current } });
    expect([moved.status, moved.body.endpoint]).toEqual([200, endpoint.pk]);
    expect((await del(path, { headers: { "if-match": moved.headers.get("etag")! } })).status).toBe(204);
  });
});
