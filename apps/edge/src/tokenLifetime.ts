import {
  ApiError,
  defaultTokenExpiry,
  type FieldErrors,
  type PatchedTokenRequest,
  type Token,
  tokenLifetimeProblem,
} from "@rac-edge/core";
import type { Caller } from "./auth.ts";
import { clock } from "./clock.ts";

export const toMs = (value: string | null) => (value === null ? null : Date.parse(value));

/** authentik's default lifetime, cut to the expiry of the request's key when that comes sooner (core's rule). */
export const defaultExpiry = (caller: Caller, now: number) => defaultTokenExpiry(now, caller.keyExpires);

/** Core's lifetime rules for this write: a 403 thrown, field problems added to `fields`. */
export function lifetimeProblems(
  caller: Caller,
  input: PatchedTokenRequest,
  current: Token | null,
  fields: FieldErrors,
): void {
  const asked = { expiring: input.expiring, expires: input.expires === undefined ? undefined : toMs(input.expires) };
  const stored = current && { user: current.user, expiring: current.expiring, expires: toMs(current.expires) };
  const problem = tokenLifetimeProblem(caller, asked, stored, clock.now());
  if (problem?.kind === "forbidden") throw new ApiError(403, { detail: problem.detail });
  if (problem?.kind === "fields") Object.assign(fields, problem.fields);
}
