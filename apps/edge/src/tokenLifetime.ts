import {
  ApiError,
  DEFAULT_TOKEN_LIFETIME_MS,
  type FieldErrors,
  outlivesKey,
  type PatchedTokenRequest,
  type Token,
} from "@rac-edge/core";
import type { Caller } from "./auth.ts";
import { clock } from "./clock.ts";

export const toMs = (value: string | null) => (value === null ? null : Date.parse(value));

/** authentik's default lifetime, cut to the expiry of the request's key when that comes sooner. */
export const defaultExpiry = (caller: Caller, now: number) =>
  Math.min(now + DEFAULT_TOKEN_LIFETIME_MS, caller.keyExpires ?? Number.POSITIVE_INFINITY);

/** The expiry fields a write would leave the token with; undefined `expires` on create is the default. */
function lifetimeAfter(input: PatchedTokenRequest, current: Token | null, defaultExpires: number) {
  const expiring = input.expiring ?? current?.expiring ?? true;
  if (input.expires !== undefined) return { expiring, expires: toMs(input.expires) };
  return { expiring, expires: current === null ? defaultExpires : toMs(current.expires) };
}

const EXPIRED_RENEWAL = "This token has expired: only a superuser or another user with change_token may renew it.";

/**
 * A key may not set a token that outlives it (core's outlivesKey: 400 under `expiring` or
 * `expires`), and an expired token's owner may not switch it back on: that takes a superuser or
 * another user holding change_token (403).
 */
export function lifetimeProblems(
  caller: Caller,
  input: PatchedTokenRequest,
  current: Token | null,
  fields: FieldErrors,
): void {
  const now = clock.now();
  const after = lifetimeAfter(input, current, defaultExpiry(caller, now));
  if (current !== null && after.expiring === current.expiring && after.expires === toMs(current.expires)) return;
  const expired = current?.expiring === true && current.expires !== null && Date.parse(current.expires) <= now;
  if (expired && current!.user === caller.userId && !caller.superuser)
    throw new ApiError(403, { detail: EXPIRED_RENEWAL });
  if (!outlivesKey(after, caller.keyExpires)) return;
  const limit = new Date(caller.keyExpires!).toISOString();
  if (!after.expiring)
    fields.expiring = [`The key of this request expires (${limit}): tokens it sets must expire too.`];
  else fields.expires = [`The key of this request expires at ${limit}: a token it sets must not expire later.`];
}
