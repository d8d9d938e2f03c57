import { ApiError, bootstrapTokenProblem, errors } from "@rac-edge/core";
import { clock } from "./clock.ts";
import { sha256Hex } from "./crypto.ts";
import type { Env } from "./env.ts";
import { bootstrapCurrent, ensureBootstrap } from "./repositories/bootstrap.ts";
import { knownSession, type SessionCallerRow, selectSessionCaller } from "./repositories/browserSessions.ts";
import { runAlong } from "./repositories/d1.ts";
import type { Condition } from "./repositories/lists.ts";
import { type Grants, grantsFromColumn } from "./repositories/permissions.ts";
import { type CallerRow, knownKey, selectCallerWithGrants } from "./repositories/tokens.ts";
import { cookie, SESSION_COOKIE } from "./signin/cookies.ts";

export interface Caller {
  userId: number;
  username: string;
  superuser: boolean;
  /** The identifier of the API token the request came with. */
  tokenIdentifier: string;
  /** Unix ms when the request's key expires, null when it never does: tokens it sets may not outlive it. */
  keyExpires: number | null;
  /** Set when the token is an outpost's: the gateway routes accept those. */
  outpostId: string | null;
  /** The grants, read with the token (not for superusers): Access needs no query of its own. */
  grants?: Grants;
  /** Set when the request came with a browser session cookie instead of a bearer token. */
  session?: { keyHash: string; csrf: string; lastSeen: number };
}

function callerOf(row: CallerRow & { grants: string | null } & Partial<SessionCallerRow>, keyHash?: string): Caller {
  const caller: Caller = {
    userId: row.user_id,
    username: row.username,
    superuser: row.is_superuser === 1,
    tokenIdentifier: row.identifier,
    outpostId: row.outpost_id,
    keyExpires: row.key_expires,
  };
  const grants = grantsFromColumn(row.grants);
  if (grants !== null) caller.grants = grants;
  if (keyHash !== undefined) caller.session = { keyHash, csrf: row.csrf!, lastSeen: row.last_seen! };
  return caller;
}

/** The BOOTSTRAP_TOKEN this isolate has found current in D1 (or written): later requests do not check it. */
let bootstrapped: string | undefined;
/** The configuration last logged about (once per isolate and value, not once per request). */
let logged: string | undefined;

/**
 * A BOOTSTRAP_TOKEN that is too short or has surrounding whitespace is refused: every request then
 * answers 503 until the operator fixes it. An unset one means no bootstrap superuser; both are logged once.
 */
export function bootstrapRefusal(env: Env): ApiError | null {
  const key = env.BOOTSTRAP_TOKEN ?? "";
  const problem = key === "" ? null : bootstrapTokenProblem(key);
  if (logged !== key) {
    logged = key;
    if (key === "") console.warn("rac-edge: BOOTSTRAP_TOKEN is not set, so no bootstrap superuser (akadmin) exists.");
    else if (problem !== null) console.error(`rac-edge: ${problem}; every request answers 503 until it is fixed.`);
  }
  if (problem === null) return null;
  const detail = `rac-edge is misconfigured: ${problem}. The operator must set a valid BOOTSTRAP_TOKEN or remove it.`;
  return new ApiError(503, { detail });
}

/**
 * `Authorization: Bearer <key>` against the hashed API tokens, with authentik's 403 texts. Answers
 * the query that finds the caller (with their grants), to run alone or first in a batch (`callerFrom`
 * reads its result), and the guard of reads made before it answers (`knownKey`); a missing or
 * malformed header is refused here. `authenticate` runs it.
 */
export async function authentication(
  request: Request,
  env: Env,
): Promise<{ query: D1PreparedStatement; knownKey: Condition; sessionHash?: string }> {
  const header = request.headers.get("authorization")?.trim() ?? "";
  // Without an Authorization header, a browser's session cookie (Django's SessionAuthentication).
  const session = header === "" ? cookie(request, SESSION_COOKIE) : null;
  if (session) {
    const sessionHash = await sha256Hex(session);
    return {
      query: selectSessionCaller(env.DB, sessionHash, clock.now()),
      knownKey: knownSession(sessionHash),
      sessionHash,
    };
  }
  const space = header.indexOf(" ");
  if (space < 0) throw errors.notAuthenticated();
  if (header.slice(0, space).toLowerCase() !== "bearer") throw errors.unsupportedAuth();
  const key = header.slice(space + 1).trim();
  if (key === "") throw errors.notAuthenticated();
  const keyHash = await sha256Hex(key);
  return { query: selectCallerWithGrants(env.DB, keyHash, clock.now()), knownKey: knownKey(keyHash) };
}

/**
 * Runs the authentication query and the reads batched with it. On an isolate's first request the batch
 * also reads whether the bootstrap token is current: only a missing or changed one is written (no request
 * writes once it exists), and the batch then runs again so that request may already use the key.
 */
export async function authenticate(
  env: Env,
  query: D1PreparedStatement,
  others?: D1PreparedStatement[],
): Promise<[D1Result, D1Result[]]> {
  const key = env.BOOTSTRAP_TOKEN;
  if (!key || bootstrapped === key) return runAlong(env.DB, query, others);
  const check = bootstrapCurrent(env.DB, await sha256Hex(key));
  const [authenticated, results] = await runAlong(env.DB, query, [...(others ?? []), check]);
  const current = results.pop()!.results.length > 0;
  if (!current) await ensureBootstrap(env.DB, key, env.BOOTSTRAP_EMAIL ?? "");
  bootstrapped = key;
  return current ? [authenticated, results] : runAlong(env.DB, query, others);
}

/** The caller found by the authentication query; unknown, expired and inactive answer 403. */
export function callerFrom(result: D1Result, sessionHash?: string): Caller {
  const row = result.results[0] as (CallerRow & { grants: string | null } & Partial<SessionCallerRow>) | undefined;
  if (row === undefined) throw sessionHash === undefined ? errors.tokenInvalid() : errors.notAuthenticated();
  return callerOf(row, sessionHash);
}
