import { ApiError, errors } from "@rac-edge/core";
import type { Env } from "./env.ts";

/** The limiter's window (wrangler.jsonc `ratelimits`, `simple.period`): what a 429 asks to wait. */
export const FAILURE_WINDOW_SECONDS = 60;

/**
 * Failed authentication, counted per client address (`CF-Connecting-IP`, which Cloudflare sets) by
 * the Workers rate-limiting binding, never in D1: past the limit a failure answers 429 instead of
 * 403. Only failures reach the limiter, so a successful request costs nothing more. Without the
 * binding or the header (a request that did not come through Cloudflare) nothing is counted.
 */
export async function authenticationFailed(request: Request, env: Env, error: unknown): Promise<never> {
  if (!(error instanceof ApiError) || error.status !== 403) throw error;
  throw (await failureOverLimit(request, env)) ? errors.throttled(FAILURE_WINDOW_SECONDS) : error;
}

/** Counts one failed authentication (an API key or a sign-in) for the client: true past the limit. */
export async function failureOverLimit(request: Request, env: Env): Promise<boolean> {
  const address = request.headers.get("cf-connecting-ip");
  if (!env.AUTH_FAILURES || !address) return false;
  const { success } = await env.AUTH_FAILURES.limit({ key: address });
  return !success;
}
