/** Writes keep related rows consistent, including when another request deletes a referenced row mid-way. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { launched, makeEndpoint, TOKENS } from "./connectionFixtures.ts";
import { ADMIN, BASE, call, get, makeFlow, makeProvider, patch, post, unique } from "./helpers.ts";

const countRows = async (table: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

describe("moving an endpoint to another provider", () => {
  it("revokes the tokens issued under the old provider, in the same batch", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: -1 });
    const body = await launched(endpoint.pk);
    const other = await makeProvider();
    const moved = await patch(`/api/v3/rac/endpoints/${endpoint.pk}/`, { provider: other.pk });
    expect(moved.status).toBe(200);
    expect(moved.body.provider).toBe(other.pk);
    expect((await get(`${TOKENS}${body.pk}/`)).status).toBe(404);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM connection_tokens WHERE endpoint_id = ?1")
        .bind(endpoint.pk)
        .first("n"),
    ).toBe(0);
  });

  it("keeps tokens when the provider does not change", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: -1 });
    const body = await launched(endpoint.pk);
    const same = await patch(`/api/v3/rac/endpoints/${endpoint.pk}/`, { provider: endpoint.provider, name: "renamed" });
    expect(same.status).toBe(200);
    expect((await get(`${TOKENS}${body.pk}/`)).status).toBe(200);
  });
});

describe("a referenced row deleted between the check and the write", () => {
  it("answers 400 and writes nothing", async () => {
    const flow = await makeFlow();
    const mapping = await post("/api/v3/propertymappings/provider/rac/", { name: unique("m"), static_settings: {} });
    expect(mapping.status).toBe(201);
    // A D1 binding that lets another writer delete the mapping after the reference check (the
    // first batch) and right before the write (the second).
    let batches = 0;
    // The router reads through D1 sessions of the binding: they race alike.
    const race = <D extends object>(inner: D): D =>
      new Proxy(inner, {
        get(target, property) {
          const value = Reflect.get(target, property, target) as (...args: unknown[]) => any;
          if (property === "withSession") return (constraint?: string) => race(value.call(target, constraint));
          if (property === "batch") {
            return async (statements: D1PreparedStatement[]) => {
              if (++batches === 2)
                await env.DB.prepare("DELETE FROM property_mappings WHERE uuid = ?1").bind(mapping.body.pk).run();
              return value.call(target, statements);
            };
          }
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    const racing = race(env.DB);
    const providers = await countRows("providers");
    const request = new Request(`${BASE}/api/v3/providers/rac/`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: unique("p"), authorization_flow: flow.pk, property_mappings: [mapping.body.pk] }),
    });
    const response = await worker.fetch(request, { ...env, DB: racing } as never, {} as never);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      non_field_errors: ["A referenced object was deleted while this request was handled; nothing was changed."],
    });
    expect(await countRows("providers")).toBe(providers);
  });
});

describe("an outpost's managed API token", () => {
  it("cannot be renamed, moved or deleted through /core/tokens/", async () => {
    const provider = await makeProvider();
    const outpost = await post("/api/v3/outposts/instances/", {
      name: unique("outpost"),
      type: "rac",
      providers: [provider.pk],
    });
    expect(outpost.status).toBe(201);
    const path = `/api/v3/core/tokens/${outpost.body.token_identifier}/`;
    const before = await get(path);
    expect(before.body.managed).not.toBeNull();
    const message = {
      non_field_errors: [
        "This token is managed by rac-edge (an outpost's token); change or delete its outpost instead.",
      ],
    };
    expect(await patch(path, { identifier: "renamed" })).toMatchObject({ status: 400, body: message });
    expect(await call("DELETE", path)).toMatchObject({ status: 400, body: message });
    expect((await get(path)).body).toEqual(before.body);
    expect((await call("DELETE", `/api/v3/outposts/instances/${outpost.body.pk}/`)).status).toBe(204);
    expect((await get(path)).status).toBe(404);
  });
});
