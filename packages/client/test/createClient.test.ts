import { describe, expect, it } from "vitest";
import { ApiError, createClient } from "../src/index.ts";

/** A fake server: answers from a table and records what it was sent. */
function fakeFetch(answers: Record<string, { status: number; body?: unknown }>) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    const url = new URL(request.url);
    const answer = answers[`${request.method} ${url.pathname}${url.search}`];
    if (!answer) return new Response(JSON.stringify({ detail: "Not found." }), { status: 404 });
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  };
  return { fetch, seen };
}

const page = (results: unknown[], current: number, next: number) => ({
  pagination: { next, previous: current - 1, count: 3, current, total_pages: 2, start_index: 1, end_index: 2 },
  results,
});

describe("createClient", () => {
  it("sends the bearer token and JSON, and returns parsed bodies", async () => {
    const { fetch, seen } = fakeFetch({ "PATCH /api/v3/providers/rac/5/": { status: 200, body: { pk: 5 } } });
    const client = createClient({ baseUrl: "https://rac.test/", token: "k", fetch });
    expect(await client.providers.rac.partialUpdate(5, { connection_expiry: "hours=1" })).toEqual({ pk: 5 });
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer k");
    expect(seen[0]!.headers.get("content-type")).toBe("application/json");
    expect(await seen[0]!.json()).toEqual({ connection_expiry: "hours=1" });
  });

  it("throws ApiError with status and authentik's body", async () => {
    const { fetch } = fakeFetch({ "POST /api/v3/providers/rac/": { status: 400, body: { name: ["This field is required."] } } });
    const client = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    const error = await client.providers.rac.create({ name: "", authorization_flow: "x" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).body).toEqual({ name: ["This field is required."] });
  });

  it("walks every page", async () => {
    const { fetch } = fakeFetch({
      "GET /api/v3/flows/instances/?designation=authorization&page=1": { status: 200, body: page([{ slug: "a" }, { slug: "b" }], 1, 2) },
      "GET /api/v3/flows/instances/?designation=authorization&page=2": { status: 200, body: page([{ slug: "c" }], 2, 0) },
    });
    const client = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    const slugs: string[] = [];
    for await (const flow of client.flows.all({ designation: "authorization" })) slugs.push(flow.slug);
    expect(slugs).toEqual(["a", "b", "c"]);
  });

  it("answers 204 with undefined", async () => {
    const { fetch } = fakeFetch({ "DELETE /api/v3/flows/instances/x/": { status: 204 } });
    const client = createClient({ baseUrl: "https://rac.test", token: "k", fetch });
    expect(await client.flows.destroy("x")).toBeUndefined();
  });
});
