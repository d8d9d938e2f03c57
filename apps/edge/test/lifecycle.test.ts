import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { CONNECT, count, launched, makeEndpoint, makeOutpost, setNow, TOKENS } from "./connectionFixtures.ts";
import { del, get, grant, makeUser, post } from "./helpers.ts";

const T = Date.UTC(2033, 2, 3, 4, 5, 6);
const MINUTE = 60_000;

/** Runs the Worker's Cron Trigger handler as the runtime would. */
async function runCron() {
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: T }), env as never);
}

const exists = (uuid: string) =>
  count("SELECT count(*) AS n FROM connection_tokens WHERE uuid = ?1", uuid).then((n) => n === 1);

describe("the expiry sweep (Cron Trigger)", () => {
  it("deletes tokens whose expiry has passed, exactly at the boundary, and keeps the rest", async () => {
    const short = await makeEndpoint({}, { connection_expiry: "minutes=5" });
    const long = await makeEndpoint({}, { connection_expiry: "minutes=10" });
    const unlimited = await makeEndpoint({}, { connection_expiry: "seconds=0" });
    setNow(T);
    const a = await launched(short.pk);
    const b = await launched(long.pk);
    const c = await launched(unlimited.pk);

    setNow(T + 5 * MINUTE - 1);
    await runCron();
    expect([await exists(a.pk), await exists(b.pk), await exists(c.pk)]).toEqual([true, true, true]);

    setNow(T + 5 * MINUTE); // now == expires: expired
    await runCron();
    expect([await exists(a.pk), await exists(b.pk), await exists(c.pk)]).toEqual([false, true, true]);

    setNow(T + 365 * 24 * 60 * MINUTE);
    await runCron();
    expect([await exists(b.pk), await exists(c.pk)]).toEqual([false, true]);
    expect((await get(`${TOKENS}${c.pk}/`)).status).toBe(200);
  });

  it("is registered as the Worker's scheduled handler and touches nothing when nothing expired", async () => {
    const endpoint = await makeEndpoint();
    setNow(T);
    const token = await launched(endpoint.pk);
    const before = await count("SELECT count(*) AS n FROM connection_tokens");
    await runCron();
    expect(await count("SELECT count(*) AS n FROM connection_tokens")).toBe(before);
    expect(await exists(token.pk)).toBe(true);
  });
});

describe("revocation", () => {
  it("DELETE of a token: the next connect is 404 and the secret is dead", async () => {
    const endpoint = await makeEndpoint();
    const outpost = await makeOutpost([endpoint.provider]);
    const token = await launched(endpoint.pk);
    expect((await post(CONNECT, { token: token.token }, { token: outpost.token })).status).toBe(200);
    expect((await del(`${TOKENS}${token.pk}/`)).status).toBe(204);
    const reply = await post(CONNECT, { token: token.token }, { token: outpost.token });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ detail: "Not found." });
  });

  it("deleting the endpoint removes its tokens (and only its tokens)", async () => {
    const endpoint = await makeEndpoint();
    const sibling = await makeEndpoint({ provider: endpoint.provider });
    const gone = await launched(endpoint.pk);
    const kept = await launched(sibling.pk);
    expect((await del(`/api/v3/rac/endpoints/${endpoint.pk}/`)).status).toBe(204);
    expect(await exists(gone.pk)).toBe(false);
    expect(await exists(kept.pk)).toBe(true);
    expect((await post(CONNECT, { token: gone.token })).status).toBe(404);
    expect((await post(CONNECT, { token: kept.token })).status).toBe(200);
  });

  it("deleting the provider removes its endpoints' tokens", async () => {
    const endpoint = await makeEndpoint();
    const other = await makeEndpoint();
    const gone = await launched(endpoint.pk);
    const kept = await launched(other.pk);
    expect((await del(`/api/v3/providers/rac/${endpoint.provider}/`)).status).toBe(204);
    expect(await exists(gone.pk)).toBe(false);
    expect(await exists(kept.pk)).toBe(true);
    expect((await get(`${TOKENS}${gone.pk}/`)).status).toBe(404);
  });

  it("deleting the user removes their tokens", async () => {
    const endpoint = await makeEndpoint();
    const user = await makeUser();
    await grant(user.id, ["authentik_providers_rac.view_endpoint"]);
    const gone = await launched(endpoint.pk, {}, user.token);
    const kept = await launched(endpoint.pk);
    expect((await del(`/api/v3/core/users/${user.id}/`)).status).toBe(204);
    expect(await exists(gone.pk)).toBe(false);
    expect(await exists(kept.pk)).toBe(true);
    expect((await post(CONNECT, { token: gone.token })).status).toBe(404);
  });
});
