import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sweepExpiredEvents } from "../src/sweep.ts";
import { launched, makeEndpoint, setNow } from "./connectionFixtures.ts";
import { del, get, grant, makeProvider, makeUser, patch, post, unique } from "./helpers.ts";
import { dumpTables } from "./invariants.ts";

const EVENTS = "/api/v3/events/events/";
const ENDPOINTS = "/api/v3/rac/endpoints/";
const hex = (uuid: string) => uuid.replaceAll("-", "");

/** The events about one object, newest first, through the API. */
async function eventsOf(pk: string | number, query = "") {
  const reply = await get(`${EVENTS}?context_model_pk=${pk}${query}`);
  expect(reply.status).toBe(200);
  return reply.body.results as any[];
}

const eventCount = async () => (await env.DB.prepare("SELECT count(*) AS n FROM events").first<number>("n")) ?? 0;

describe("events: written with the change", () => {
  it("endpoint create, update and delete each record authentik's model event, with user, ip and model", async () => {
    const provider = await makeProvider();
    const headers = { "cf-connecting-ip": "203.0.113.7" };
    const body = { name: unique("e"), provider: provider.pk, protocol: "ssh", host: "h", auth_mode: "static" };
    const created = await post(ENDPOINTS, body, { headers });
    expect(created.status).toBe(201);
    const pk = created.body.pk as string;
    expect((await patch(`${ENDPOINTS}${pk}/`, { name: "renamed" }, { headers })).status).toBe(200);
    expect((await del(`${ENDPOINTS}${pk}/`, { headers })).status).toBe(204);
    const events = await eventsOf(pk);
    expect(events.map((event) => event.action)).toEqual(["model_deleted", "model_updated", "model_created"]);
    const [deleted, updated, first] = events;
    expect(first.context.model).toEqual({
      app: "authentik_providers_rac",
      model_name: "endpoint",
      pk: hex(pk),
      name: `RAC Endpoint ${body.name}`,
    });
    expect(updated.context.model.name).toBe("RAC Endpoint renamed");
    expect(deleted.context.model.name).toBe("RAC Endpoint renamed");
    expect(first.user).toMatchObject({ username: "akadmin" });
    expect(typeof first.user.pk).toBe("number");
    expect(first.client_ip).toBe("203.0.113.7");
    expect(first.brand).toBeNull();
    expect(first.app).toBe("authentik.events.middleware");
    expect(first.context.http_request).toMatchObject({ method: "POST", path: ENDPOINTS });
    const days = (Date.parse(first.expires) - Date.parse(first.created)) / 86_400_000;
    expect(days).toBe(90);
    // The detail route answers the same event.
    const one = await get(`${EVENTS}${first.pk}/`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(first);
  });

  it("integer pks (providers, users) are numbers, found by the generated id", async () => {
    const provider = await makeProvider();
    const [event] = await eventsOf(provider.pk, "&context_model_name=racprovider");
    expect(event.context.model).toEqual({
      app: "authentik_providers_rac",
      model_name: "racprovider",
      pk: provider.pk,
      name: provider.name,
    });
    const user = await post("/api/v3/core/users/", { username: unique("u"), name: "U" });
    const [userEvent] = await eventsOf(user.body.pk, "&context_model_name=user");
    expect(userEvent.context.model).toMatchObject({ model_name: "user", pk: user.body.pk, name: user.body.username });
  });

  it("a failed write leaves no event: a 400 from the database (unique name) and a 404 write", async () => {
    const provider = await makeProvider();
    const before = await dumpTables();
    const duplicate = await post("/api/v3/providers/rac/", {
      name: provider.name,
      authorization_flow: provider.authorization_flow,
    });
    expect(duplicate.status).toBe(400);
    expect(await dumpTables()).toBe(before);
  });

  it("the fuzz suite's 4xx-changes-nothing dump covers the events table", async () => {
    const tables = (JSON.parse(await dumpTables()) as [string, unknown[]][]).map(([table]) => table);
    expect(tables).toContain("events");
  });

  it("an update of an object deleted meanwhile writes no event (the event reads the row it describes)", async () => {
    const endpoint = await makeEndpoint();
    const { updateEndpoint } = await import("../src/repositories/endpoints.ts");
    const { errorResponse } = await import("../src/http/responses.ts");
    await env.DB.prepare("DELETE FROM endpoints WHERE uuid = ?1").bind(endpoint.pk).run();
    const before = await eventCount();
    // The repository's outcome, as the API answers it.
    const thrown = await updateEndpoint(env.DB, endpoint.pk, { name: "gone" }).then(
      () => null,
      (error) => error,
    );
    expect(errorResponse(thrown).status).toBe(404);
    expect(await eventCount()).toBe(before);
  });

  it("a launch records authorize_application with the application and the endpoint", async () => {
    const endpoint = await makeEndpoint();
    const slug = unique("app");
    const app = await post("/api/v3/core/applications/", { name: slug, slug, provider: endpoint.provider });
    expect(app.status).toBe(201);
    const token = await launched(endpoint.pk, {}, undefined);
    const reply = await get(`${EVENTS}?action=authorize_application&context_authorized_app=${app.body.pk}`);
    expect(reply.body.results).toHaveLength(1);
    const [event] = reply.body.results;
    expect(event.context).toMatchObject({
      authorized_application: { app: "authentik_core", model_name: "application", pk: hex(app.body.pk), name: slug },
      endpoint: endpoint.name,
      connection_token: token.pk,
    });
    expect(event.app).toBe("authentik.providers.rac.views");
    expect(JSON.stringify(event)).not.toContain(token.token);
  });

  it("a refused launch (connection limit) records nothing", async () => {
    const endpoint = await makeEndpoint({ maximum_connections: 0 });
    const before = await eventCount();
    expect((await post(`${ENDPOINTS}${endpoint.pk}/launch/`, {})).status).toBe(409);
    expect(await eventCount()).toBe(before);
  });

  it("permission assignments record permission_assigned/unassigned once per grant that changed", async () => {
    const user = await makeUser();
    const codename = "authentik_providers_rac.view_endpoint";
    await grant(user.id, [codename]);
    await grant(user.id, [codename]); // already held: nothing changes, nothing recorded
    const path = `/api/v3/rbac/permissions/assigned_by_users/${user.id}/unassign/`;
    expect((await patch(path, { permissions: [codename] })).status).toBe(204);
    expect((await patch(path, { permissions: [codename] })).status).toBe(204);
    const rows = await env.DB.prepare(
      "SELECT action, context FROM events " +
        "WHERE json_extract(context, '$.target_user.pk') = ?1 ORDER BY created, action",
    )
      .bind(user.id)
      .all<{ action: string; context: string }>();
    expect(rows.results.map((row) => row.action)).toEqual(["permission_assigned", "permission_unassigned"]);
    expect(JSON.parse(rows.results[0]!.context)).toMatchObject({
      permission: codename,
      object_pk: null,
      target_user: { username: user.username },
    });
  });

  it("secrets never reach an event's context", async () => {
    const provider = await makeProvider({ settings: { password: "hunter2-provider" } });
    await patch(`/api/v3/providers/rac/${provider.pk}/`, { settings: { "vnc-password": "hunter2-patch" } });
    const all = await env.DB.prepare("SELECT context FROM events").all<{ context: string }>();
    const text = all.results.map((row) => row.context).join("\n");
    expect(text).not.toContain("hunter2");
  });
});

describe("events: the API", () => {
  it("filters by action, username and model, searches, orders; pagination is authentik's", async () => {
    const user = await makeUser({ superuser: true });
    const name = unique("flow");
    const flow = await post(
      "/api/v3/flows/instances/",
      { name, slug: name, title: name, designation: "authorization" },
      { token: user.token },
    );
    expect(flow.status).toBe(201);
    const mine = await get(`${EVENTS}?username=${user.username}`);
    expect(mine.body.pagination).toMatchObject({ count: 1, current: 1 });
    expect(mine.body.results).toHaveLength(1);
    expect(mine.body.results[0].context.model).toMatchObject({
      app: "authentik_flows",
      model_name: "flow",
      name: `Flow ${name} (${name})`,
    });
    expect((await get(`${EVENTS}?username=${user.username}&action=model_deleted`)).body.results).toEqual([]);
    const searched = await get(`${EVENTS}?search=${name}&context_model_app=authentik_flows`);
    expect(searched.body.results.map((event: any) => event.pk)).toEqual([mine.body.results[0].pk]);
    const oldest = await get(`${EVENTS}?ordering=created&page_size=1`);
    const newest = await get(`${EVENTS}?ordering=-created&page_size=1`);
    expect(Date.parse(oldest.body.results[0].created)).toBeLessThanOrEqual(Date.parse(newest.body.results[0].created));
    expect(newest.body.pagination.count).toBe(await eventCount());
  });

  it("only superusers and view_event holders see events; others get an empty page and 404s", async () => {
    const [event] = (await get(`${EVENTS}?page_size=1`)).body.results;
    const user = await makeUser();
    const list = await get(EVENTS, { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.results).toEqual([]);
    expect((await get(`${EVENTS}${event.pk}/`, { token: user.token })).status).toBe(404);
    await grant(user.id, ["authentik_events.view_event"]);
    expect((await get(`${EVENTS}${event.pk}/`, { token: user.token })).status).toBe(200);
    expect((await get(EVENTS, { token: user.token })).body.pagination.count).toBe(await eventCount());
    expect((await get(`${EVENTS}not-a-uuid/`)).status).toBe(404);
    expect((await get(EVENTS, { token: null })).status).toBe(403);
  });

  it("the events are read only: writes answer 405", async () => {
    expect((await post(EVENTS, {})).status).toBe(405);
    const [event] = (await get(`${EVENTS}?page_size=1`)).body.results;
    expect((await del(`${EVENTS}${event.pk}/`)).status).toBe(405);
  });
});

describe("events: retention", () => {
  it("events expire after EVENTS_RETENTION_DAYS; the sweep removes expired ones, bounded per run", async () => {
    // Long ago: these are the oldest events, so the sweeps below reach only them.
    const T = Date.UTC(2020, 0, 1);
    setNow(T);
    await makeProvider();
    await makeProvider();
    await makeProvider();
    const written = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE created = ?1")
      .bind(T)
      .first<number>("n");
    expect(written).toBeGreaterThanOrEqual(3);
    // Nothing has expired a moment before 90 days.
    expect(await sweepExpiredEvents(env.DB, T + 90 * 86_400_000 - 1)).toBe(0);
    const total = await eventCount();
    // Bounded: one step of one event per run.
    expect(await sweepExpiredEvents(env.DB, T + 90 * 86_400_000, { batch: 1, steps: 1 })).toBe(1);
    expect(await eventCount()).toBe(total - 1);
    expect(await sweepExpiredEvents(env.DB, T + 90 * 86_400_000)).toBe(written! - 1);
    expect(await eventCount()).toBe(total - written!);
    const left = await env.DB.prepare("SELECT action, created, expires FROM events WHERE created = ?1").bind(T).all();
    expect(left.results).toEqual([]);
    // The list's count (a counter row) follows the sweep.
    expect((await get(EVENTS)).body.pagination.count).toBe(await eventCount());
  });
});
