import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { makeEndpoint } from "../connectionFixtures.ts";
import { grant, makeUser, post, unique } from "../helpers.ts";
import { type Browser, browse, setPasswordFor, signedIn } from "./signinHelpers.ts";

// Each Argon2id hash takes ~100 ms of CPU; on shared cores under the full suite a test can pass 5 s.
vi.setConfig({ testTimeout: 30_000 });

const PASSWORD = "library-password";

async function appEndpoint(overrides: Record<string, unknown> = {}) {
  const endpoint = await makeEndpoint({ protocol: "vnc", host: "10.0.0.9:5900", ...overrides });
  const slug = unique("app");
  const reply = await post("/api/v3/core/applications/", { name: `App ${slug}`, slug, provider: endpoint.provider });
  if (reply.status !== 201) throw new Error(`application: ${reply.status} ${reply.text}`);
  return { ...endpoint, slug, url: `/application/rac/${slug}/${endpoint.pk}/` };
}

async function person(): Promise<{ id: number; browser: Browser }> {
  const user = await makeUser();
  await setPasswordFor(user.id, PASSWORD);
  return { id: user.id, browser: await signedIn(user.username, PASSWORD) };
}

const viewEndpoint = (userId: number, pk: string) =>
  grant(userId, ["authentik_providers_rac.view_endpoint"], { model: "authentik_providers_rac.endpoint", pk });

const tokensOf = (userId: number) =>
  env.DB.prepare("SELECT count(*) AS n FROM connection_tokens WHERE user_id = ?1").bind(userId).first<number>("n");

describe("the library", () => {
  it("not signed in: 302 to the sign-in page with next", async () => {
    const response = await browse("GET", "/if/user/", {});
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/if/login/?next=%2Fif%2Fuser%2F");
  });

  it("lists exactly the endpoints the user may launch, each with its launch_url", async () => {
    const mine = await appEndpoint();
    const other = await appEndpoint();
    const { id, browser } = await person();
    await viewEndpoint(id, mine.pk);
    const response = await browse("GET", "/if/user/", browser);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`href="${mine.url}"`);
    expect(html).toContain(mine.name);
    expect(html).not.toContain(other.pk);
    expect(html).toContain('action="/if/logout/"');
  });
});

describe("launch_url", () => {
  it("not signed in: 302 to sign-in; HEAD never launches; GET launches and redirects to the session page", async () => {
    const endpoint = await appEndpoint();
    const anonymous = await browse("GET", endpoint.url, {});
    expect(anonymous.headers.get("location")).toBe(`/if/login/?next=${encodeURIComponent(endpoint.url)}`);
    const { id, browser } = await person();
    await viewEndpoint(id, endpoint.pk);
    expect((await browse("HEAD", endpoint.url, browser)).status).toBe(200);
    expect(await tokensOf(id)).toBe(0);
    const launched = await browse("GET", endpoint.url, browser, undefined, { "sec-fetch-site": "same-origin" });
    expect(launched.status).toBe(302);
    expect(launched.headers.get("location")).toMatch(/^\/if\/rac\/[A-Za-z0-9]{64}\/$/);
    expect(await tokensOf(id)).toBe(1);
  });

  it("cross-site: a confirmation page whose button POSTs with the session's CSRF token", async () => {
    const endpoint = await appEndpoint();
    const { id, browser } = await person();
    await viewEndpoint(id, endpoint.pk);
    const confirm = await browse("GET", endpoint.url, browser, undefined, { "sec-fetch-site": "cross-site" });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain(`<form method="post" action="${endpoint.url}">`);
    expect(await tokensOf(id)).toBe(0);
    const forged = await browse("POST", endpoint.url, browser, { csrfmiddlewaretoken: "x".repeat(32) });
    expect(forged.status).toBe(403);
    expect(await tokensOf(id)).toBe(0);
    const posted = await browse("POST", endpoint.url, browser, { csrfmiddlewaretoken: browser.csrf });
    expect(posted.status).toBe(302);
    expect(await tokensOf(id)).toBe(1);
  });

  it("refusals are pages in words: no permission, the connection limit, a wrong slug", async () => {
    const endpoint = await appEndpoint({ maximum_connections: 1 });
    const { id, browser } = await person();
    const denied = await browse("GET", endpoint.url, browser);
    expect(denied.status).toBe(404);
    await viewEndpoint(id, endpoint.pk);
    expect((await browse("GET", endpoint.url, browser)).status).toBe(302);
    const full = await browse("GET", endpoint.url, browser);
    expect(full.status).toBe(409);
    expect(await full.text()).toContain(
      "Maximum connection limit reached. (You are already connected in another tab/window)",
    );
    const wrongSlug = await browse("GET", `/application/rac/not-the-app/${endpoint.pk}/`, browser);
    expect(wrongSlug.status).toBe(404);
  });

  it("prompt endpoints ask for the credentials in a small form, then launch with them", async () => {
    const endpoint = await appEndpoint({ auth_mode: "prompt" });
    const { id, browser } = await person();
    await viewEndpoint(id, endpoint.pk);
    const form = await browse("GET", endpoint.url, browser);
    const html = await form.text();
    expect(html).toContain('<label for="prompt-username">');
    expect(html).toContain('<label for="prompt-password">');
    expect(await tokensOf(id)).toBe(0);
    const missing = await browse("POST", endpoint.url, browser, {
      csrfmiddlewaretoken: browser.csrf,
      username: "",
      password: "",
    });
    expect(missing.status).toBe(400);
    const ok = { csrfmiddlewaretoken: browser.csrf, username: "remote", password: "secret" };
    expect((await browse("POST", endpoint.url, browser, ok)).status).toBe(302);
    expect(await tokensOf(id)).toBe(1);
  });
});
