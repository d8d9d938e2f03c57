import { type Caller, callerFrom } from "../auth.ts";
import { clock } from "../clock.ts";
import { randomKey, sha256Hex } from "../crypto.ts";
import type { Env } from "../env.ts";
import { ABSOLUTE_MS, insertSession, sessionCaller } from "../repositories/browserSessions.ts";
import { CSRF_COOKIE, cookie, SESSION_COOKIE, setCookie } from "./cookies.ts";
import { sessionChecks } from "./csrf.ts";

/** The signed-in caller of a page request (session cookie), or null; the session's idle timer restarts. */
export async function pageCaller(request: Request, env: Env): Promise<Caller | null> {
  const key = cookie(request, SESSION_COOKIE);
  if (!key) return null;
  const hash = await sha256Hex(key);
  const result = await sessionCaller(env.DB, hash, clock.now());
  if (result.results.length === 0) return null;
  const caller = callerFrom(result, hash);
  const { method } = request;
  // Pages check their own form tokens: only the idle timer matters here.
  await sessionChecks(new Request(request.url, { method: method === "POST" ? "GET" : method }), env, caller.session!);
  return caller;
}

/** A new session for the user: its cookie and a fresh CSRF cookie (rotated at sign-in, as Django does). */
export async function startSession(env: Env, url: URL, userId: number): Promise<[string, string][]> {
  const key = randomKey(64);
  const csrf = randomKey(32);
  await insertSession(env.DB, await sha256Hex(key), userId, csrf, clock.now());
  const maxAge = ABSOLUTE_MS / 1000;
  return [
    ["set-cookie", setCookie(url, SESSION_COOKIE, key, { httpOnly: true, maxAge })],
    ["set-cookie", setCookie(url, CSRF_COOKIE, csrf, { httpOnly: false, maxAge })],
  ];
}

export const clearedCookies = (url: URL): [string, string][] => [
  ["set-cookie", setCookie(url, SESSION_COOKIE, "", { httpOnly: true, maxAge: 0 })],
  ["set-cookie", setCookie(url, CSRF_COOKIE, "", { httpOnly: false, maxAge: 0 })],
];

/** Where a sign-in may send the browser: a path on this origin, else the library. */
export function safeNext(next: string | null, url: URL): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/if/user/";
  try {
    const target = new URL(next, url.origin);
    return target.origin === url.origin ? target.pathname + target.search : "/if/user/";
  } catch {
    return "/if/user/";
  }
}

/** `/if/login/?next=<this page>` for a page that needs a session. */
export const loginRedirect = (url: URL) => `/if/login/?next=${encodeURIComponent(url.pathname + url.search)}`;
