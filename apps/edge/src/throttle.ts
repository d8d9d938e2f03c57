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
  const address = request.headers.get("cf-connecting-ip");
  if (!(error instanceof ApiError) || error.status !== 403 || !env.AUTH_FAILURES || !address) throw error;
  const { success } = await env.AUTH_FAILURES.limit({ key: address });
  throw success ? error : errors.throttled(FAILURE_WINDOW_SECONDS);
}
