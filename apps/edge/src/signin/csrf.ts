import { ApiError } from "@rac-edge/core";
import { clock } from "../clock.ts";
import type { Env } from "../env.ts";
import { TOUCH_MS, touchSession } from "../repositories/browserSessions.ts";
import { CSRF_HEADER } from "./cookies.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

const csrfFailed = (reason: string) => new ApiError(403, { detail: `CSRF Failed: ${reason}` });

/** Constant-time string comparison for tokens of a known length. */
export function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * A cookie-authenticated request: unsafe methods must echo the session's CSRF token in X-CSRFToken
 * (Django's double submit, bound to the session so a planted cookie cannot stand in); the session's
 * idle timer restarts, written at most once a minute.
 */
export async function sessionChecks(
  request: Request,
  env: Env,
  session: { keyHash: string; csrf: string; lastSeen: number },
): Promise<void> {
  if (!SAFE.has(request.method)) {
    const header = request.headers.get(CSRF_HEADER);
    if (!header) throw csrfFailed("CSRF token missing.");
    if (!sameToken(header, session.csrf)) throw csrfFailed("CSRF token incorrect.");
  }
  if (request.method === "HEAD" || request.method === "OPTIONS") return;
  const now = clock.now();
  if (now - session.lastSeen >= TOUCH_MS) await touchSession(env.DB, session.keyHash, now);
}
