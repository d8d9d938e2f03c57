import {
  type ConnectionToken,
  errors,
  type LaunchedConnectionToken,
  type LaunchRequest,
  launchExpiry,
  launchRequestSchema,
  operationPath,
  RESOURCES,
} from "@rac-edge/core";
import type { Access } from "../access.ts";
import type { Caller } from "../auth.ts";
import { clock } from "../clock.ts";
import { randomKey, sha256Hex } from "../crypto.ts";
import { readObject, validate } from "../http/body.ts";
import { idempotent } from "../http/idempotency.ts";
import { created } from "../http/responses.ts";
import { type Context, carriesSecret, prefetching, type Routes } from "../http/router.ts";
import { insertConnection, type LaunchTarget, launched, launchTargetByKey } from "../repositories/launch.ts";
import { sealSettings } from "../sealedSettings.ts";
import { presentedToken } from "../secretSettings.ts";

/**
 * `POST /rac/endpoints/{pk}/launch/`: view permission on the endpoint, prompt settings when its
 * auth_mode is prompt, then the atomic limit check + insert. The secret is shown only here.
 */
const launch = prefetching(
  ({ db, params }) => launchTargetByKey(db, params.key!),
  async ({ db, request, caller, access, writing }, found) => {
    const body = await readObject(request);
    const { token, secret } = await launchConnection(db, caller, access, found(), body, writing);
    return created({ ...(await presentedToken(access, token)), token: secret } satisfies LaunchedConnectionToken);
  },
);

/**
 * A launch for the caller (the API's and the launch_url's): view permission, prompt settings, expiry,
 * then the atomic limit check + insert. Refusals throw ApiErrors or outcomes (limitReached: 409).
 */
export async function launchConnection(
  db: D1Database,
  caller: Caller,
  access: Access,
  target: LaunchTarget | null,
  body: Record<string, unknown>,
  writing?: Context["writing"],
): Promise<{ token: ConnectionToken; secret: string }> {
  if (target === null) throw errors.notFound();
  await access.require("authentik_providers_rac.endpoint", "view", target.uuid);
  const input = validate(launchRequestSchema(target.auth_mode), body) as LaunchRequest;
  const now = clock.now();
  const expiry = launchExpiry({ name: target.provider_name, connection_expiry: target.connection_expiry }, now);
  if ("refused" in expiry) throw errors.badRequest(expiry.refused);
  const { expires } = expiry;
  const secret = randomKey();
  const uuid = crypto.randomUUID();
  // An Idempotency-Key is recorded only if the insert was not refused by the limit.
  const written = writing?.(launched(uuid)) ?? db;
  const token = await insertConnection(written, {
    uuid,
    endpoint: target.uuid,
    userId: caller.userId,
    tokenHash: await sha256Hex(secret),
    settings: await sealSettings(secret, input.settings),
    now,
    expires,
  });
  return { token, secret };
}

export const launchRoutes: Routes = {
  [operationPath(RESOURCES.endpoints, "launch")]: {
    POST: carriesSecret(idempotent(launch)),
  },
};
