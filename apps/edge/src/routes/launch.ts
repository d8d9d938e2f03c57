import {
  type ConnectionToken,
  errors,
  type LaunchedConnectionToken,
  LaunchedConnectionTokenSchema,
  type LaunchRequest,
  launchExpiry,
  launchRequestSchema,
  PromptSettingsSchema,
} from "@rac-edge/core";
import * as v from "valibot";
import type { Access } from "../access.ts";
import type { Caller } from "../auth.ts";
import { clock } from "../clock.ts";
import { randomKey, sha256Hex } from "../crypto.ts";
import { readObject, validate } from "../http/body.ts";
import { idempotent } from "../http/idempotency.ts";
import { created } from "../http/responses.ts";
import { type Context, carriesSecret, prefetching, type Routes } from "../http/router.ts";
import { documented } from "../openapi/operation.ts";
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
  "/api/v3/rac/endpoints/:key/launch/": {
    POST: documented(
      {
        summary: "Launch a connection to an endpoint",
        description:
          "An extension (authentik launches in its HTML flow). Needs view permission on the endpoint; there is no policy engine. Creates a connection token for the caller, checking `maximum_connections` (live tokens of the endpoint across all users; negative: unlimited) atomically with the insert. `expires` is now plus the provider's `connection_expiry` (at least one second), null when that is the literal zero (`seconds=0`). The answer includes the secret `token`, shown only here.",
        path: { key: { name: "pbm_uuid", type: "uuid", description: "The endpoint's uuid." } },
        body: {
          schema: v.object({ settings: v.optional(PromptSettingsSchema) }),
          required: false,
          description:
            "`{}`, or for an endpoint whose `auth_mode` is `prompt`, `settings` with `username` and `password` (required then, refused otherwise).",
        },
        success: {
          status: 201,
          description: "The new connection token and its secret.",
          schema: LaunchedConnectionTokenSchema,
        },
        conditional: "idempotent",
        errors: {
          400: "Invalid or missing prompt settings, or the provider's `connection_expiry` is negative.",
          404: "No such endpoint.",
          409: "`Maximum connection limit reached.`, with ` (You are already connected in another tab/window)` when the caller holds one of the live tokens. With an `Idempotency-Key` whose first request was applied but whose answer is not recorded yet, a 409 saying so.",
        },
      },
      carriesSecret(idempotent(launch)),
    ),
  },
};
