import { clock } from "../clock.ts";
import { randomKey, sha256Hex } from "../crypto.ts";
import type { Env } from "../env.ts";
import { activeUserByUsername, deleteSession, recordLogin, rehashPassword } from "../repositories/browserSessions.ts";
import { FAILURE_WINDOW_SECONDS, failureOverLimit } from "../throttle.ts";
import { CSRF_COOKIE, cookie, SESSION_COOKIE, setCookie } from "./cookies.ts";
import { sameToken } from "./csrf.ts";
import { loginPage, page, redirect } from "./html.ts";
import { launchPage } from "./launch.ts";
import { libraryPage } from "./library.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { clearedCookies, pageCaller, safeNext, startSession } from "./session.ts";

export const LOGIN_FAILED = "Please enter a correct username and password.";
const MAX_FORM_BYTES = 16 * 1024;

/** A hash verified when the username is unknown, so a wrong username costs as long as a wrong password. */
let decoy: Promise<string> | undefined;

/** A urlencoded form of bounded size; null when it is anything else. */
export async function readForm(request: Request): Promise<URLSearchParams | null> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) return null;
  const bytes = await request.arrayBuffer();
  return bytes.byteLength > MAX_FORM_BYTES ? null : new URLSearchParams(new TextDecoder().decode(bytes));
}

const methodNotAllowed = (allowed: string) =>
  new Response("Method not allowed.", { status: 405, headers: { allow: allowed, "content-type": "text/plain" } });

export const csrfRefused = () =>
  page(403, "Forbidden", "<h1>Forbidden</h1><p>CSRF verification failed: reload the page and try again.</p>");

/**
 * Browsers mark every request with Sec-Fetch-Site: a form posted from another site (or subdomain) is refused even
 * when its token matches. (Not Origin against the URL: wrangler dev rewrites the host the Worker sees.)
 */
export const crossOrigin = (request: Request, _url?: URL) => {
  const site = request.headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin" && site !== "none";
};

async function loginGet(request: Request, url: URL): Promise<Response> {
  const existing = cookie(request, CSRF_COOKIE);
  const csrf = existing && /^[A-Za-z0-9]{32,64}$/.test(existing) ? existing : randomKey(32);
  const response = loginPage(csrf, safeNext(url.searchParams.get("next"), url), "", null);
  if (csrf !== existing) response.headers.append("set-cookie", setCookie(url, CSRF_COOKIE, csrf, { httpOnly: false }));
  return response;
}

/**
 * The form's token must equal the `csrftoken` cookie (Django's login CSRF); a wrong username or password
 * answers the same page with one message and no session, and counts toward the client's failure limit.
 */
async function loginPost(request: Request, env: Env, url: URL): Promise<Response> {
  const form = await readForm(request);
  const csrf = cookie(request, CSRF_COOKIE);
  const sent = form?.get("csrfmiddlewaretoken") ?? "";
  if (form === null || !csrf || !sameToken(sent, csrf) || crossOrigin(request, url)) return csrfRefused();
  const username = form.get("username") ?? "";
  const password = form.get("password") ?? "";
  const next = safeNext(form.get("next"), url);
  const user = username === "" || password === "" ? null : await activeUserByUsername(env.DB, username);
  decoy ??= hashPassword(randomKey(16));
  const verdict = await verifyPassword(password, user?.password ?? (await decoy));
  if (user === null || verdict === "wrong" || verdict === "reset") {
    if (await failureOverLimit(request, env)) {
      const wait = `Too many failed sign-ins. Try again in ${FAILURE_WINDOW_SECONDS} seconds.`;
      const response = loginPage(csrf, next, username, wait, 429);
      response.headers.set("retry-after", String(FAILURE_WINDOW_SECONDS));
      return response;
    }
    const reset =
      verdict === "reset" ? " If your account was imported, ask an administrator to set a new password." : "";
    return loginPage(csrf, next, username, LOGIN_FAILED + reset);
  }
  if (verdict === "rehash") await rehashPassword(env.DB, user.id, await hashPassword(password));
  await recordLogin(env.DB, user.id, clock.now());
  return redirect(next, await startSession(env, url, user.id));
}

/** Ends the session (its row, then the cookies); the form carries the session's CSRF token. */
async function logoutPost(request: Request, env: Env, url: URL): Promise<Response> {
  const caller = await pageCaller(request, env);
  if (caller !== null) {
    const form = await readForm(request);
    if (!sameToken(form?.get("csrfmiddlewaretoken") ?? "", caller.session!.csrf) || crossOrigin(request, url)) {
      return csrfRefused();
    }
    await deleteSession(env.DB, caller.session!.keyHash);
  } else {
    const key = cookie(request, SESSION_COOKIE);
    // An expired session's row goes too (it is useless, and sign-out should leave nothing behind).
    if (key) await deleteSession(env.DB, await sha256Hex(key));
  }
  return redirect("/if/login/", clearedCookies(url));
}

const LAUNCH = /^\/application\/rac\/([^/]+)\/([^/]+)\/$/;

/** `/if/login/`, `/if/logout/`, `/if/user/` and `/application/rac/<slug>/<pk>/`; null for other paths. */
export async function signinFetch(request: Request, env: Env): Promise<Response | null> {
  const url = new URL(request.url);
  const path = url.pathname.replace(/\/?$/, "/");
  const { method } = request;
  if (path === "/if/login/") {
    if (method === "GET" || method === "HEAD") return loginGet(request, url);
    return method === "POST" ? loginPost(request, env, url) : methodNotAllowed("GET, HEAD, POST");
  }
  if (path === "/if/logout/") return method === "POST" ? logoutPost(request, env, url) : methodNotAllowed("POST");
  if (path === "/if/user/") {
    return method === "GET" || method === "HEAD" ? libraryPage(request, env, url) : methodNotAllowed("GET, HEAD");
  }
  const launch = LAUNCH.exec(path);
  if (launch) {
    if (!["GET", "HEAD", "POST"].includes(method)) return methodNotAllowed("GET, HEAD, POST");
    return launchPage(request, env, url, decodeURIComponent(launch[1]!), decodeURIComponent(launch[2]!));
  }
  return null;
}
