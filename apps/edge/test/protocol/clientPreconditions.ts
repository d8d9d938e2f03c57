/** @rac-edge/client's preconditions, retries, bookmarks and effective settings, end to end through the Worker. */

import { ApiError, type Client, createClient } from "@rac-edge/client";
import { describe, expect, it } from "vitest";
import { ADMIN, BASE, checkedFetch, unique } from "../helpers.ts";

const client = (): Client => createClient({ baseUrl: `${BASE}/`, token: ADMIN, fetch: checkedFetch });

describe("@rac-edge/client: ifMatch, idempotencyKey, bookmarks, effectiveSettings", () => {
  it("updates with ifMatch, and a stale ETag is a 412 ApiError", async () => {
    const c = client();
    const slug = unique("flow");
    const flow = await c.flows.instances.create({ name: slug, slug, title: "t", designation: "authorization" });
    const provider = await c.providers.rac.create(
      { name: unique("p"), authorization_flow: flow.pk },
      { idempotencyKey: crypto.randomUUID() },
    );
    const { object, etag } = await c.providers.rac.retrieveWithEtag(provider.pk);
    expect([object, etag]).toEqual([provider, expect.stringMatching(/^"/)]);
    const renamed = await c.providers.rac.partialUpdate(provider.pk, { name: unique("r") }, { ifMatch: etag! });
    const stale = await c.providers.rac
      .partialUpdate(provider.pk, { name: unique("s") }, { ifMatch: etag! })
      .catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(ApiError);
    expect((stale as ApiError).status).toBe(412);
    expect((await c.providers.rac.retrieve(provider.pk)).name).toBe(renamed.name);
    expect(c.bookmark()).toMatch(/^[0-9a-f]{8}-/);
    await c.providers.rac.destroy(provider.pk, {
      ifMatch: (await c.providers.rac.retrieveWithEtag(provider.pk)).etag!,
    });
  });

  it("a launch retried with its idempotencyKey: the same token; effectiveSettings explains the endpoint", async () => {
    const c = client();
    const slug = unique("flow");
    const flow = await c.flows.instances.create({ name: slug, slug, title: "t", designation: "authorization" });
    const provider = await c.providers.rac.create({
      name: unique("p"),
      authorization_flow: flow.pk,
      settings: { port: 5901 },
    });
    const endpoint = await c.rac.endpoints.create({
      name: unique("e"),
      provider: provider.pk,
      protocol: "vnc",
      host: "10.0.0.9",
      auth_mode: "static",
    });
    const key = crypto.randomUUID();
    const first = await c.rac.endpoints.launch(endpoint.pk, {}, { idempotencyKey: key });
    const again = await c.rac.endpoints.launch(endpoint.pk, {}, { idempotencyKey: key });
    expect([again.pk, again.token]).toEqual([first.pk, first.token]);
    const explained = await c.rac.endpoints.effectiveSettings(endpoint.pk);
    expect(explained.settings.port).toEqual({ value: "5901", source: "provider" });
    expect(explained.settings.hostname).toEqual({ value: "10.0.0.9", source: "default" });
  });
});
