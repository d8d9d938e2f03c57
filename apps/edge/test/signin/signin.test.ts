import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ABSOLUTE_MS, IDLE_MS } from "../../src/repositories/browserSessions.ts";
import { setNow } from "../connectionFixtures.ts";
import { del, get, grant, makeUser, patch, post } from "../helpers.ts";
import { browse, cookieHeader, setCookies, setPasswordFor, signedIn, signIn } from "./signinHelpers.ts";

// Each Argon2id hash takes ~100 ms of CPU; on shared cores under the full suite a test can pass 5 s.
vi.setConfig({ testTimeout: 30_000 });

const PASSWORD = "a-long-password";

async function userWithPassword(options: { superuser?: boolean } = {}) {
  const user = await makeUser(options);
  await setPasswordFor(user.id, PASSWORD);
  return user;
}

/** An API call with the browser's cookies instead of a bearer token. */
const withCookies = (browser: { session: string; csrf: string }, headers: Record<string, string> = {}) => ({
  token: null,
  headers: { cookie: cookieHeader(browser), ...headers },
});

describe("set_password", () => {
  it("enforces the rules with DRF-shaped 400s and stores Argon2id, never the password", async () => {
    const user = await makeUser({ username: "rules-user-name" });
    const path = `/api/v3/core/users/${user.id}/set_password/`;
    expect((await post(path, { password: "short" })).body).toEqual({
      password: ["Ensure this field has at least 8 characters."],
    });
    expect((await post(path, { password: "rules-user-name" })).body).toEqual({
      password: ["The password is too similar to the username."],
    });
    expect((await post(path, {})).status).toBe(400);
    expect((await post(path, { password: PASSWORD })).status).toBe(204);
    const row = await env.DB.prepare("SELECT password FROM users WHERE id = ?1")
      .bind(user.id)
      .first<{ password: string }>();
    expect(row!.password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await post("/api/v3/core/users/999999/set_password/", { password: PASSWORD })).status).toBe(404);
  });

  it("others need change_user; a user sets their own with current_password", async () => {
    const alice = await userWithPassword();
    const bob = await makeUser();
    const path = `/api/v3/core/users/${alice.id}/set_password/`;
    expect((await post(path, { password: "another-password" }, { token: bob.token })).status).toBe(404);
    await grant(bob.id, ["authentik_core.view_user"]);
    expect((await post(path, { password: "another-password" }, { token: bob.token })).status).toBe(403);
    const own = (body: unknown) => post(path, body, { token: alice.token });
    expect((await own({ password: "another-password" })).body).toEqual({
      current_password: ["This field is required."],
    });
    expect((await own({ password: "another-password", current_password: "wrong-one" })).status).toBe(400);
    expect((await own({ password: "another-password", current_password: PASSWORD })).status).toBe(204);
    await grant(bob.id, ["authentik_core.change_user"], { model: "authentik_core.user", pk: alice.id });
    expect((await post(path, { password: "third-password" }, { token: bob.token })).status).toBe(204);
  });
});

describe("sign-in", () => {
  it("a wrong password answers the page with one generic error and no session cookie", async () => {
    const user = await userWithPassword();
    const wrong = await signIn(user.username, "not-the-password");
    expect(wrong.status).toBe(200);
    const html = await wrong.text();
    expect(html).toContain("Please enter a correct username and password.");
    expect(setCookies(wrong).rac_session).toBeUndefined();
    const unknown = await signIn("no-such-user", PASSWORD);
    expect(await unknown.text()).toContain("Please enter a correct username and password.");
  });

  it("success: 302 to next with HttpOnly SameSite=Lax session and readable csrftoken", async () => {
    const user = await userWithPassword();
    const ok = await signIn(user.username, PASSWORD, "/if/user/?x=1");
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/if/user/?x=1");
    const lines = ok.headers.getSetCookie();
    expect(lines.find((line) => line.startsWith("rac_session="))).toMatch(/; Path=\/; SameSite=Lax; HttpOnly; Secure/);
    const csrf = lines.find((line) => line.startsWith("csrftoken="))!;
    expect(csrf).not.toContain("HttpOnly");
    const stored = await env.DB.prepare("SELECT key_hash FROM browser_sessions WHERE user_id = ?1").bind(user.id).all();
    expect(stored.results).toHaveLength(1);
    expect(JSON.stringify(stored.results)).not.toContain(setCookies(ok).rac_session);
  });

  it("next must be a same-origin path; the form needs its CSRF token", async () => {
    const user = await userWithPassword();
    for (const next of ["https://evil.example/", "//evil.example/x", "/\\evil.example"]) {
      expect((await signIn(user.username, PASSWORD, next)).headers.get("location")).toBe("/if/user/");
    }
    const forged = await browse(
      "POST",
      "/if/login/",
      { csrf: "a".repeat(32) },
      { username: user.username, password: PASSWORD, csrfmiddlewaretoken: "b".repeat(32) },
    );
    expect(forged.status).toBe(403);
    expect(setCookies(forged).rac_session).toBeUndefined();
  });

  it("logout ends the session", async () => {
    const user = await userWithPassword();
    const browser = await signedIn(user.username, PASSWORD);
    expect((await get("/api/v3/core/users/me/", withCookies(browser))).status).toBe(200);
    const out = await browse("POST", "/if/logout/", browser, { csrfmiddlewaretoken: browser.csrf });
    expect(out.status).toBe(302);
    expect(setCookies(out).rac_session).toBe("");
    expect((await get("/api/v3/core/users/me/", withCookies(browser))).status).toBe(403);
  });
});

describe("the API with a session cookie", () => {
  it("users/me answers SessionUser for a cookie and for a bearer token", async () => {
    const user = await userWithPassword();
    const browser = await signedIn(user.username, PASSWORD);
    const byCookie = await get("/api/v3/core/users/me/", withCookies(browser));
    expect(byCookie.status).toBe(200);
    expect(byCookie.body.user).toMatchObject({ pk: user.id, username: user.username, is_superuser: false, groups: [] });
    const byToken = await get("/api/v3/core/users/me/", { token: user.token });
    expect(byToken.body).toEqual(byCookie.body);
  });

  it("unsafe methods need X-CSRFToken equal to the session's token", async () => {
    const user = await userWithPassword({ superuser: true });
    const browser = await signedIn(user.username, PASSWORD);
    const body = { name: "csrf-flow", slug: "csrf-flow", title: "t", designation: "authorization" };
    const missing = await post("/api/v3/flows/instances/", body, withCookies(browser));
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual({ detail: "CSRF Failed: CSRF token missing." });
    const wrong = await post("/api/v3/flows/instances/", body, withCookies(browser, { "x-csrftoken": "x".repeat(32) }));
    expect(wrong.body).toEqual({ detail: "CSRF Failed: CSRF token incorrect." });
    const ok = await post("/api/v3/flows/instances/", body, withCookies(browser, { "x-csrftoken": browser.csrf }));
    expect(ok.status).toBe(201);
    expect((await get("/api/v3/flows/instances/", withCookies(browser))).status).toBe(200);
  });

  it("sessions expire after 8 hours idle and 24 hours in all", async () => {
    const user = await userWithPassword();
    const start = Date.UTC(2031, 0, 1);
    setNow(start);
    const browser = await signedIn(user.username, PASSWORD);
    const me = () => get("/api/v3/core/users/me/", withCookies(browser));
    setNow(start + IDLE_MS - 1000);
    expect((await me()).status).toBe(200);
    setNow(start + 2 * IDLE_MS - 2000);
    expect((await me()).status).toBe(200);
    setNow(start + 3 * IDLE_MS - 1000);
    expect((await me()).status).toBe(403);
    const signedAt = start + 3 * IDLE_MS;
    setNow(signedAt);
    const second = await signedIn(user.username, PASSWORD);
    for (const hours of [7, 14, 21]) {
      setNow(signedAt + hours * 3_600_000);
      expect((await get("/api/v3/core/users/me/", withCookies(second))).status).toBe(200);
    }
    setNow(signedAt + ABSOLUTE_MS + 1000);
    expect((await get("/api/v3/core/users/me/", withCookies(second))).status).toBe(403);
  });

  it("deactivating, deleting or changing the password revokes the sessions in the same change", async () => {
    const sessions = (id: number) =>
      env.DB.prepare("SELECT count(*) AS n FROM browser_sessions WHERE user_id = ?1").bind(id).first("n");
    const a = await userWithPassword();
    await signedIn(a.username, PASSWORD);
    expect(await sessions(a.id)).toBe(1);
    expect((await patch(`/api/v3/core/users/${a.id}/`, { is_active: false })).status).toBe(200);
    expect(await sessions(a.id)).toBe(0);
    const b = await userWithPassword();
    const browser = await signedIn(b.username, PASSWORD);
    await setPasswordFor(b.id, "a-new-password");
    expect(await sessions(b.id)).toBe(0);
    expect((await get("/api/v3/core/users/me/", withCookies(browser))).status).toBe(403);
    await signedIn(b.username, "a-new-password");
    expect((await del(`/api/v3/core/users/${b.id}/`)).status).toBe(204);
    expect(await sessions(b.id)).toBe(0);
  });
});
