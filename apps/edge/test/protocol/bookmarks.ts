import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { ADMIN, BASE, get, makeProvider, patch } from "../helpers.ts";

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/** A GET through the Worker with a binding that records the constraint of every session opened. */
async function getWatchingSessions(path: string, headers: Record<string, string>) {
  const constraints: (string | undefined)[] = [];
  const db = new Proxy(env.DB, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as (...args: unknown[]) => unknown;
      if (property !== "withSession") return typeof value === "function" ? value.bind(target) : value;
      return (constraint?: string) => {
        constraints.push(constraint);
        return value.call(target, constraint);
      };
    },
  });
  const request = new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${ADMIN}`, ...headers } });
  const response = await worker.fetch(
    request,
    { ...env, DB: db } as never,
    { waitUntil() {}, passThroughOnException() {} } as never,
  );
  return { status: response.status, bookmark: response.headers.get("x-d1-bookmark"), constraints };
}

describe("x-d1-bookmark (D1 Sessions)", () => {
  it("every API answer carries D1's bookmark, and a write's is at least as late as the one sent", async () => {
    const provider = await makeProvider();
    const read = await get(`/api/v3/providers/rac/${provider.pk}/`);
    const before = read.headers.get("x-d1-bookmark")!;
    expect(before).toMatch(BOOKMARK);
    const write = await patch(
      `/api/v3/providers/rac/${provider.pk}/`,
      { name: `b-${crypto.randomUUID()}` },
      { headers: { "x-d1-bookmark": before } },
    );
    const after = write.headers.get("x-d1-bookmark")!;
    expect(after).toMatch(BOOKMARK);
    expect(after > before).toBe(true);
    // The bookmark sent back: the next read sees the write, and answers a bookmark no older.
    const next = await get(`/api/v3/providers/rac/${provider.pk}/`, { headers: { "x-d1-bookmark": after } });
    expect(next.body.name).toBe(write.body.name);
    expect(next.headers.get("x-d1-bookmark")! >= after).toBe(true);
  });

  it("authentication reads the primary; the handler's reads use the client's bookmark (bad ones ignored)", async () => {
    const provider = await makeProvider();
    const path = `/api/v3/providers/rac/${provider.pk}/used_by/`;
    const bookmark = (await get(path)).headers.get("x-d1-bookmark")!;
    const sent = await getWatchingSessions(path, { "x-d1-bookmark": bookmark });
    expect([sent.status, sent.constraints]).toEqual([200, ["first-primary", bookmark]]);
    expect(sent.bookmark! >= bookmark).toBe(true);
    const malformed = await getWatchingSessions(path, { "x-d1-bookmark": "garbage'; --" });
    expect([malformed.status, malformed.constraints]).toEqual([200, ["first-primary"]]);
    const none = await getWatchingSessions(path, {});
    expect(none.constraints).toEqual(["first-primary"]);
  });
});
