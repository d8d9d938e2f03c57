import { describe, expect, it } from "vitest";
import { get, grant, makeProvider, makeUser, post, unique } from "../helpers.ts";

const MODEL = "authentik_providers_rac.endpoint";

async function created(path: string, body: unknown) {
  const reply = await post(path, body);
  if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

describe("GET /rac/endpoints/{pbm_uuid}/effective_settings/", () => {
  it("answers each setting with its value (secrets masked) and the layer it comes from", async () => {
    const provider = await makeProvider({ settings: { port: 2222, username: "from-provider", "color-depth": 8 } });
    const early = await created("/api/v3/propertymappings/provider/rac/", {
      name: `a-${unique("m")}`,
      static_settings: { "color-depth": 16 },
    });
    const late = await created("/api/v3/propertymappings/provider/rac/", {
      name: `z-${unique("m")}`,
      static_settings: { "enable-audio": true },
    });
    const endpoint = await created("/api/v3/rac/endpoints/", {
      name: unique("e"),
      provider: provider.pk,
      protocol: "ssh",
      host: "10.1.2.3:22",
      auth_mode: "static",
      settings: { username: "from-endpoint", password: "hunter2", "color-depth": null },
      property_mappings: [early.pk, late.pk],
    });
    const reply = await get(`/api/v3/rac/endpoints/${endpoint.pk}/effective_settings/`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("etag")).toMatch(/^"/);
    expect(reply.body).toEqual({
      endpoint: endpoint.pk,
      protocol: "ssh",
      auth_mode: "static",
      prompt: [],
      settings: {
        hostname: { value: "10.1.2.3", source: "default" },
        port: { value: "2222", source: "provider" },
        "client-name": { value: "authentik", source: "default" },
        username: { value: "from-endpoint", source: "endpoint" },
        password: { value: "********", source: "endpoint" },
        // The endpoint's null removed the provider's value; the mappings (by name) set it again.
        "color-depth": { value: "16", source: `mapping:${early.name}` },
        "enable-audio": { value: "true", source: `mapping:${late.name}` },
      },
    });
    expect(reply.text).not.toContain("hunter2");
  });

  it("lists the prompt's keys for a prompt endpoint; 404 for callers who may not view the endpoint", async () => {
    const provider = await makeProvider();
    const endpoint = await created("/api/v3/rac/endpoints/", {
      name: unique("e"),
      provider: provider.pk,
      protocol: "rdp",
      host: "h",
      auth_mode: "prompt",
    });
    const path = `/api/v3/rac/endpoints/${endpoint.pk}/effective_settings/`;
    const reply = await get(path);
    expect([reply.body.prompt, reply.body.settings.hostname]).toEqual([
      ["username", "password"],
      { value: "h", source: "default" },
    ]);
    const user = await makeUser();
    expect((await get(path, { token: user.token })).status).toBe(404);
    await grant(user.id, [`${MODEL.split(".")[0]}.view_endpoint`], { model: MODEL, pk: endpoint.pk });
    expect((await get(path, { token: user.token })).status).toBe(200);
    expect((await get("/api/v3/rac/endpoints/00000000-0000-4000-8000-000000000000/effective_settings/")).status).toBe(
      404,
    );
    expect((await get("/api/v3/rac/endpoints/not-a-uuid/effective_settings/")).status).toBe(404);
  });
});
