import { describe, expect, it } from "vitest";
import { ApiError, createClient, csrfCookie } from "../src/index.ts";

/** A fake server: answers from a table and records what it was sent. */
function fakeFetch(answers: Record<string, { status: number; body?: unknown; text?: string }> = {}) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    const url = new URL(request.url);
    const answer = answers[`${request.method} ${url.pathname}${url.search}`] ?? { status: 200, body: { ok: true } };
    const text = answer.text ?? (answer.body === undefined ? null : JSON.stringify(answer.body));
    return new Response(text, { status: answer.status });
  };
  return { fetch, seen };
}

const page = (results: unknown[], current: number, next: number) => ({
  pagination: { next, previous: current - 1, count: 3, current, total_pages: 2, start_index: 1, end_index: 2 },
  results,
});

describe("createClient", () => {
  it("sends the bearer token and JSON below /api/v3/, and returns parsed bodies", async () => {
    const { fetch, seen } = fakeFetch({ "PATCH /api/v3/providers/rac/5/": { status: 200, body: { pk: 5 } } });
    const client = createClient({ baseUrl: "https://rac.test//", token: "k", fetch });
    expect(await client.providers.rac.partialUpdate(5, { connection_expiry: "hours=1" })).toEqual({ pk: 5 });
    expect(seen[0]!.url).toBe("https://rac.test/api/v3/providers/rac/5/");
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer k");
    expect(seen[0]!.headers.get("accept")).toBe("application/json");
    expect(seen[0]!.headers.get("content-type")).toBe("application/json");
    expect(await seen[0]!.json()).toEqual({ connection_expiry: "hours=1" });
  });

  it("accepts an authentik-style baseUrl ending in /api/v3, with or without slashes", async () => {
    for (const baseUrl of [
      "https://rac.test/api/v3",
      "https://rac.test/api/v3/",
      "https://rac.test/API/V3//",
      "https://rac.test/prefix/api/v3",
    ]) {
      const { fetch, seen } = fakeFetch({
        "GET /api/v3/providers/rac/5/": { status: 200, body: { pk: 5 } },
        "GET /prefix/api/v3/providers/rac/5/": { status: 200, body: { pk: 5 } },
      });
      const client = createClient({ baseUrl, token: "k", fetch });
      expect(await client.providers.rac.retrieve(5), baseUrl).toEqual({ pk: 5 });
      const expected = baseUrl.includes("prefix")
        ? "https://rac.test/prefix/api/v3/providers/rac/5/"
        : "https://rac.test/api/v3/providers/rac/5/";
      expect(seen[0]!.url, baseUrl).toBe(expected);
    }
  });

  it("throws ApiError with the status and authentik's body", async () => {
    const { fetch } = fakeFetch({
      "POST /api/v3/providers/rac/": { status: 400, body: { name: ["This field is required."] } },
    });
    const client = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    const error = await client.providers.rac
      .create({ name: "", authorization_flow: "x" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).body).toEqual({ name: ["This field is required."] });
  });

  it("turns an error body that is not JSON into a detail", async () => {
    const { fetch } = fakeFetch({ "GET /api/v3/flows/instances/x/": { status: 502, text: "Bad Gateway" } });
    const client = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    const error = (await client.flows.instances.retrieve("x").catch((caught: unknown) => caught)) as ApiError;
    expect([error.status, error.body, error.message]).toEqual([502, { detail: "Bad Gateway" }, "Bad Gateway"]);
  });

  it("walks every page, keeping the filters", async () => {
    const { fetch, seen } = fakeFetch({
      "GET /api/v3/flows/instances/?designation=authorization&page=1": {
        status: 200,
        body: page([{ slug: "a" }, { slug: "b" }], 1, 2),
      },
      "GET /api/v3/flows/instances/?designation=authorization&page=2": {
        status: 200,
        body: page([{ slug: "c" }], 2, 0),
      },
    });
    const client = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    const slugs: string[] = [];
    for await (const flow of client.flows.instances.all({ designation: "authorization" })) slugs.push(flow.slug);
    expect(slugs).toEqual(["a", "b", "c"]);
    expect(seen).toHaveLength(2);
  });

  it("repeats list values and leaves out undefined ones", async () => {
    const { fetch, seen } = fakeFetch();
    const client = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    await client.outposts.instances.list({ providers_by_pk: [1, 2], name__icontains: undefined, page_size: 5 });
    expect(new URL(seen[0]!.url).search).toBe("?providers_by_pk=1&providers_by_pk=2&page_size=5");
  });

  it("answers 204 with undefined", async () => {
    const { fetch } = fakeFetch({ "DELETE /api/v3/flows/instances/x/": { status: 204 } });
    const client = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    expect(await client.flows.instances.destroy("x")).toBeUndefined();
  });

  it("has one method per operation, each with its method and path", async () => {
    const { fetch, seen } = fakeFetch();
    const c = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    const uuid = "0b5d6a4e-6a60-4bb2-9b6c-5f6f2f0b8a11";
    const calls: [() => Promise<unknown>, string][] = [
      [() => c.providers.rac.list(), "GET /api/v3/providers/rac/"],
      [() => c.providers.rac.create({ name: "p", authorization_flow: uuid }), "POST /api/v3/providers/rac/"],
      [() => c.providers.rac.retrieve(1), "GET /api/v3/providers/rac/1/"],
      [() => c.providers.rac.update(1, { name: "p", authorization_flow: uuid }), "PUT /api/v3/providers/rac/1/"],
      [() => c.providers.rac.destroy(1), "DELETE /api/v3/providers/rac/1/"],
      [() => c.providers.rac.usedBy(1), "GET /api/v3/providers/rac/1/used_by/"],
      [() => c.rac.endpoints.launch(uuid), `POST /api/v3/rac/endpoints/${uuid}/launch/`],
      [() => c.rac.endpoints.usedBy(uuid), `GET /api/v3/rac/endpoints/${uuid}/used_by/`],
      [() => c.rac.connectionTokens.list({ session__user: 3 }), "GET /api/v3/rac/connection_tokens/?session__user=3"],
      [
        () => c.rac.connectionTokens.partialUpdate(uuid, { endpoint: uuid }),
        `PATCH /api/v3/rac/connection_tokens/${uuid}/`,
      ],
      [() => c.rac.gateway.connect("secret"), "POST /api/v3/rac/gateway/connect/"],
      [() => c.rac.gateway.disconnect("secret"), "POST /api/v3/rac/gateway/disconnect/"],
      [() => c.propertyMappings.rac.retrieve(uuid), `GET /api/v3/propertymappings/provider/rac/${uuid}/`],
      [() => c.core.users.partialUpdate(2, { name: "n" }), "PATCH /api/v3/core/users/2/"],
      [() => c.core.tokens.viewKey("my token"), "GET /api/v3/core/tokens/my%20token/view_key/"],
      [() => c.core.applications.retrieve("app"), "GET /api/v3/core/applications/app/"],
      [() => c.outposts.instances.usedBy(uuid), `GET /api/v3/outposts/instances/${uuid}/used_by/`],
      [
        () => c.rbac.assign(2, { permissions: ["authentik_flows.view_flow"] }),
        "POST /api/v3/rbac/permissions/assigned_by_users/2/assign/",
      ],
      [
        () => c.rbac.unassign(2, { permissions: ["authentik_flows.view_flow"] }),
        "PATCH /api/v3/rbac/permissions/assigned_by_users/2/unassign/",
      ],
      [() => c.schema(), "GET /api/v3/schema/"],
    ];
    for (const [run] of calls) await run();
    expect(
      seen.map((request) => `${request.method} ${new URL(request.url).pathname}${new URL(request.url).search}`),
    ).toEqual(calls.map(([, want]) => want));
    expect(await seen[6]!.json()).toEqual({});
    expect(await seen[10]!.json()).toEqual({ token: "secret" });
    expect("create" in c.rac.connectionTokens).toBe(false);
  });

  const cookieMode =
    "cookie mode: credentials, no Authorization, X-CSRFToken from the csrftoken cookie on unsafe methods only";
  it(cookieMode, async () => {
    const { fetch, seen } = fakeFetch({ "GET /api/v3/core/users/me/": { status: 200, body: { user: { pk: 1 } } } });
    let cookies = "theme=dark; csrftoken=abc123; other=1";
    const client = createClient({
      baseUrl: "https://rac.test",
      credentials: "include",
      fetch,
      csrfToken: () => csrfCookie(cookies),
    });
    expect(await client.core.users.me()).toEqual({ user: { pk: 1 } });
    await client.core.users.setPassword(7, { password: "long-enough" });
    cookies = "";
    await client.flows.instances.destroy("x");
    expect(seen.map((request) => request.credentials)).toEqual(["include", "include", "include"]);
    expect(seen.map((request) => request.headers.get("authorization"))).toEqual([null, null, null]);
    expect(seen.map((request) => request.headers.get("x-csrftoken"))).toEqual([null, "abc123", null]);
    expect(seen[1]!.url).toBe("https://rac.test/api/v3/core/users/7/set_password/");
    expect(await seen[1]!.json()).toEqual({ password: "long-enough" });
  });

  it("cookie mode reads document.cookie by default, and a client needs a token or credentials", () => {
    expect(csrfCookie("a=1; csrftoken=t%3D1")).toBe("t=1");
    expect(csrfCookie(undefined)).toBeNull();
    expect(() => createClient({ baseUrl: "https://rac.test" })).toThrow(TypeError);
  });

  it("sends If-Match and Idempotency-Key when asked, reads ETags, and carries the latest D1 bookmark", async () => {
    const seen: Request[] = [];
    const bookmarks = ["00000000-00000002-00000000-0", "00000000-00000009-00000000-0", "00000000-00000003-00000000-0"];
    const fetch = async (request: Request) => {
      seen.push(request);
      const headers = { etag: '"abc"', "x-d1-bookmark": bookmarks[seen.length - 1] ?? bookmarks[0]! };
      return new Response(JSON.stringify({ pk: 1 }), { status: 200, headers });
    };
    const c = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    expect(c.bookmark()).toBeNull();
    expect(await c.providers.rac.retrieveWithEtag(1)).toEqual({ object: { pk: 1 }, etag: '"abc"' });
    await c.providers.rac.partialUpdate(1, { name: "n" }, { ifMatch: '"abc"' });
    await c.rac.endpoints.launch("e", {}, { idempotencyKey: "key-1" });
    await c.providers.rac.destroy(1, { ifMatch: "*" });
    expect(seen.map((request) => request.headers.get("if-match"))).toEqual([null, '"abc"', null, "*"]);
    expect(seen.map((request) => request.headers.get("idempotency-key"))).toEqual([null, null, "key-1", null]);
    // The first call has no bookmark; later ones the latest answered (an older answer does not win).
    expect(seen.map((request) => request.headers.get("x-d1-bookmark"))).toEqual([
      null,
      bookmarks[0],
      bookmarks[1],
      bookmarks[1],
    ]);
    expect(c.bookmark()).toBe(bookmarks[1]);
    const off = createClient({ baseUrl: "https://rac.test", token: "k", fetch, bookmarks: false });
    await off.schema();
    await off.schema();
    expect(seen.at(-1)!.headers.get("x-d1-bookmark")).toBeNull();
    expect(off.bookmark()).toBeNull();
  });
});
