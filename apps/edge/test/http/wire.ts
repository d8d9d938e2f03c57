import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, BASE, call, get, makeFlow, makeUser, post } from "../helpers.ts";

const LIST = "/api/v3/providers/rac/";

describe("authentication (reference cases 60-61, spec section 2)", () => {
  it("60: no header", async () => {
    expect(await get(LIST, { token: null })).toMatchObject({
      status: 403,
      body: { detail: "Authentication credentials were not provided." },
    });
  });

  it("61: unknown key, other scheme, empty bearer", async () => {
    expect(await get(LIST, { token: "wrong" })).toMatchObject({
      status: 403,
      body: { detail: "Token invalid/expired" },
    });
    expect(await get(LIST, { headers: { authorization: "Basic abc" } })).toMatchObject({
      status: 403,
      body: { detail: "Unsupported authentication type" },
    });
    expect(await get(LIST, { headers: { authorization: "Bearer" } })).toMatchObject({
      status: 403,
      body: { detail: "Authentication credentials were not provided." },
    });
    expect(await get(LIST, { headers: { authorization: "bearer   " } })).toMatchObject({
      status: 403,
      body: { detail: "Authentication credentials were not provided." },
    });
  });

  it("the scheme is case-insensitive", async () => {
    expect((await get(LIST, { headers: { authorization: `bEaReR ${ADMIN}` } })).status).toBe(200);
  });

  it("inactive users and expired tokens are refused", async () => {
    const inactive = await makeUser({ active: false });
    expect(await get(LIST, { token: inactive.token })).toMatchObject({
      status: 403,
      body: { detail: "Token invalid/expired" },
    });
    const user = await makeUser({ superuser: true });
    await env.DB.prepare("UPDATE tokens SET expiring = 1, expires = ?1 WHERE user_id = ?2")
      .bind(Date.now() - 1000, user.id)
      .run();
    expect(await get(LIST, { token: user.token })).toMatchObject({
      status: 403,
      body: { detail: "Token invalid/expired" },
    });
  });

  it("bootstraps akadmin as a superuser with the configured key, idempotently", async () => {
    const users = await env.DB.prepare(
      "SELECT username, is_superuser, email FROM users WHERE username = 'akadmin'",
    ).all();
    expect(users.results).toEqual([{ username: "akadmin", is_superuser: 1, email: "admin@test" }]);
    const tokens = await env.DB.prepare(
      "SELECT identifier, key_hash FROM tokens WHERE identifier = 'authentik-bootstrap-token'",
    ).all<{ key_hash: string }>();
    expect(tokens.results).toHaveLength(1);
    expect(tokens.results[0]!.key_hash).not.toContain(ADMIN); // stored hashed
    expect(tokens.results[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("wire conventions (spec section 1)", () => {
  it("serves paths with and without the final slash, and folds repeated slashes", async () => {
    expect((await get("/api/v3/providers/rac")).status).toBe(200);
    expect((await get("/api/v3//providers///rac/")).status).toBe(200);
    expect((await get("/api/v3/providers/rac/?page_size=1")).body.pagination).toBeDefined();
  });

  it("unknown paths are 404 before authentication", async () => {
    expect(await get("/api/v3/nothing/here/", { token: null })).toMatchObject({
      status: 404,
      body: { detail: "Not found." },
    });
    expect(await get("/", { token: null })).toMatchObject({ status: 404, body: { detail: "Not found." } });
  });

  it("wrong methods are 405 with DRF's text", async () => {
    const reply = await call("DELETE", LIST);
    expect(reply).toMatchObject({ status: 405, body: { detail: 'Method "DELETE" not allowed.' } });
  });

  it("66: another content type is 415", async () => {
    const reply = await post(LIST, "name=x", { raw: true, headers: { "content-type": "text/plain" } });
    expect(reply).toMatchObject({ status: 415, body: { detail: 'Unsupported media type "text/plain" in request.' } });
  });

  it("malformed JSON is 400 with a JSON parse error", async () => {
    const reply = await post(LIST, "{not json", { raw: true });
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toMatch(/^JSON parse error - /);
  });

  it("a JSON body that is not an object is a non-field error", async () => {
    expect(await post(LIST, [1, 2])).toMatchObject({
      status: 400,
      body: { non_field_errors: ["Invalid data. Expected a dictionary, but got list."] },
    });
    expect(await post(LIST, "text")).toMatchObject({
      status: 400,
      body: { non_field_errors: ["Invalid data. Expected a dictionary, but got str."] },
    });
  });

  it("bodies over 1 MiB are 413", async () => {
    const reply = await post(LIST, { name: "x".repeat(1024 * 1024 + 10) });
    expect(reply.status).toBe(413);
    expect(typeof reply.body.detail).toBe("string");
  });

  it("an empty body validates as {}", async () => {
    const reply = await call("POST", LIST);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ name: ["This field is required."], authorization_flow: ["This field is required."] });
  });

  it("an unexpected fault is a generic 500 that leaks nothing", async () => {
    const broken = {
      ...env,
      DB: {
        prepare() {
          throw new Error("secret internals");
        },
        batch() {
          throw new Error("secret internals");
        },
      },
    };
    const request = new Request(`${BASE}${LIST}`, { headers: { authorization: "Bearer whatever" } });
    const worker = (await import("../../src/index.ts")).default;
    const response = await worker.fetch(request, broken as never, {} as never);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ detail: "A server error occurred." });
  });

  it("HEAD and OPTIONS are answered", async () => {
    const head = await call("HEAD", LIST);
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    const options = await call("OPTIONS", LIST);
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toContain("POST");
  });

  it("responses are JSON", async () => {
    const flow = await makeFlow();
    const response = await exports.default.fetch(
      new Request(`${BASE}/api/v3/flows/instances/${flow.slug}/`, { headers: { authorization: `Bearer ${ADMIN}` } }),
    );
    expect(response.headers.get("content-type")).toBe("application/json");
  });
});

describe("flows", () => {
  it("are keyed by slug and refuse duplicate slugs", async () => {
    const flow = await makeFlow("my-flow");
    expect((await get("/api/v3/flows/instances/my-flow/")).body).toEqual({
      pk: flow.pk,
      policybindingmodel_ptr_id: flow.pk,
      name: "my-flow",
      slug: "my-flow",
      title: "my-flow",
      designation: "authorization",
      // Read-only fields authentik's client requires, with authentik's values for a flow without them.
      background: "/static/dist/assets/images/flow_background.jpg",
      stages: [],
      policies: [],
      cache_count: 0,
      export_url: "/api/v3/flows/instances/my-flow/export/",
    });
    const again = await post("/api/v3/flows/instances/", {
      name: "x",
      slug: "my-flow",
      title: "x",
      designation: "authorization",
    });
    expect(again).toMatchObject({ status: 400, body: { slug: ["Flow with this slug already exists."] } });
    const bad = await post("/api/v3/flows/instances/", { name: "x", slug: "a b", title: "x", designation: "nope" });
    expect(bad.body).toEqual({
      slug: ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."],
      designation: ['"nope" is not a valid choice.'],
    });
  });

  it("cannot be deleted while a provider uses it as authorization flow; authentication flow is unset", async () => {
    const authz = await makeFlow();
    const authn = await makeFlow();
    const provider = await post(LIST, {
      name: "uses-flows",
      authorization_flow: authz.pk,
      authentication_flow: authn.pk,
    });
    const refused = await call("DELETE", `/api/v3/flows/instances/${authz.slug}/`);
    expect(refused.status).toBe(400);
    expect(refused.body.non_field_errors[0]).toContain("uses-flows");
    expect((await get(`/api/v3/flows/instances/${authz.slug}/`)).status).toBe(200);
    expect((await call("DELETE", `/api/v3/flows/instances/${authn.slug}/`)).status).toBe(204);
    expect((await get(`${LIST}${provider.body.pk}/`)).body.authentication_flow).toBeNull();
  });
});
