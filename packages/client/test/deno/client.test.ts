// The built @rac-edge/core and @rac-edge/client (dist/, as published) under Deno, against a real
// Worker (`wrangler dev` with a fresh local D1, started by run.mjs). Deno's own fetch, no Node APIs.
import assert from "node:assert/strict";
import { ApiError, createClient } from "@rac-edge/client";
import { formatDuration, parseDuration, RacProviderRequestSchema, toFieldErrors } from "@rac-edge/core";
import * as v from "valibot";

const baseUrl = Deno.env.get("RAC_EDGE_URL")!;
const client = createClient({ baseUrl, token: Deno.env.get("RAC_EDGE_TOKEN")! });
const suffix = crypto.randomUUID().slice(0, 8);

async function refused(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ApiError, `expected an ApiError, got ${error}`);
  return error;
}

Deno.test("core's validation messages are the Worker's", async () => {
  const body = { name: " ", authorization_flow: "not-a-uuid", connection_expiry: "fortnights=1" };
  const local = v.safeParse(RacProviderRequestSchema, body, { abortPipeEarly: true });
  assert.equal(local.success, false);
  const error = await refused(client.providers.rac.create(body as never));
  assert.equal(error.status, 400);
  assert.deepEqual(error.body, toFieldErrors(local.issues!));
});

Deno.test("a provider, an endpoint, a launch and the gateway, end to end", async () => {
  const flow = await client.flows.instances.create({
    name: `Authorize ${suffix}`,
    slug: `authorize-${suffix}`,
    title: "Authorize",
    designation: "authorization",
  });
  const expiry = formatDuration(90 * 60 * 1000);
  const provider = await client.providers.rac.create({
    name: `office-${suffix}`,
    authorization_flow: flow.pk,
    connection_expiry: expiry,
    delete_token_on_disconnect: true,
  });
  assert.equal(parseDuration(provider.connection_expiry), 5_400_000);
  const endpoint = await client.rac.endpoints.create({
    name: `desk-${suffix}`,
    provider: provider.pk,
    protocol: "rdp",
    host: "10.0.0.9:3389",
    auth_mode: "static",
  });
  assert.deepEqual(await client.rac.endpoints.retrieve(endpoint.pk), endpoint);

  const launched = await client.rac.endpoints.launch(endpoint.pk);
  assert.equal(launched.endpoint, endpoint.pk);
  const expires = Date.parse(launched.expires!) - Date.now();
  assert.ok(expires > 5_300_000 && expires <= 5_400_000, `expires in ${expires} ms`);
  const limited = await refused(client.rac.endpoints.launch(endpoint.pk));
  assert.deepEqual(
    [limited.status, limited.body],
    [409, { detail: "Maximum connection limit reached. (You are already connected in another tab/window)" }],
  );

  const connection = await client.rac.gateway.connect(launched.token);
  assert.deepEqual(connection.settings, { hostname: "10.0.0.9", port: "3389", "client-name": "authentik" });
  assert.deepEqual(await client.rac.gateway.disconnect(launched.token), {
    connection_token: launched.pk,
    deleted: true,
  });
  assert.equal((await refused(client.rac.connectionTokens.retrieve(launched.pk))).status, 404);

  await client.providers.rac.destroy(provider.pk);
  assert.equal((await refused(client.rac.endpoints.retrieve(endpoint.pk))).status, 404);
  await client.flows.instances.destroy(flow.slug);
});

Deno.test("every page, through the async iterator", async () => {
  const prefix = `page-${suffix}`;
  for (let index = 0; index < 5; index++) {
    await client.propertyMappings.rac.create({ name: `${prefix}-${index}`, static_settings: { index } });
  }
  const names: string[] = [];
  for await (const mapping of client.propertyMappings.rac.all({ search: prefix, page_size: 2, ordering: "-name" }))
    names.push(mapping.name);
  assert.deepEqual(
    names,
    [4, 3, 2, 1, 0].map((index) => `${prefix}-${index}`),
  );
  const document = await client.schema();
  assert.equal(document.openapi, "3.1.0");
});
