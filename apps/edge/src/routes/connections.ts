import {
  ApiError,
  type ConnectionLifetime,
  type ConnectionToken,
  connectionLifetime,
  errors,
  type GatewayConnection,
  type GatewayDisconnection,
  GatewayTokenRequestSchema,
  type LaunchedConnectionToken,
  type LaunchRequest,
  launchRequestSchema,
} from "@rac-edge/core";
import type { Access } from "../access.ts";
import type { Caller } from "../auth.ts";
import { clock, iso } from "../clock.ts";
import { randomKey, sha256Hex } from "../crypto.ts";
import { readBody, readObject, validate } from "../http/body.ts";
import { idempotent } from "../http/idempotency.ts";
import { created, json } from "../http/responses.ts";
import { type Context, carriesSecret, type Handler, prefetching, type Routes } from "../http/router.ts";
import {
  connectToken,
  disconnectToken,
  type GatewayToken,
  insertConnection,
  type LaunchTarget,
  launchTargetByKey,
} from "../repositories/connections.ts";
import { sealSettings } from "../sealedSettings.ts";
import { presentedToken } from "../secretSettings.ts";
import { tokenSettings } from "../tokenSettings.ts";

const LIMIT_REACHED = "Maximum connection limit reached.";
const ALREADY_CONNECTED = " (You are already connected in another tab/window)";

/** The new token's expiry: now + connection_expiry (at least a second), null for the literal 0, a 400 for negative. */
function launchExpiry(target: LaunchTarget, now: number): number | null {
  let lifetime: ConnectionLifetime;
  try {
    lifetime = connectionLifetime(target.connection_expiry);
  } catch {
    throw errors.badRequest(
      `Connections cannot be launched: the connection_expiry "${target.connection_expiry}" of provider "${target.provider_name}" is not a valid duration.`,
    );
  }
  if (lifetime.kind === "negative") {
    throw errors.badRequest(
      `Connections cannot be launched: provider "${target.provider_name}" has a negative connection_expiry ("${target.connection_expiry}"), so every connection would expire before it starts. Set a positive duration, or 0 for no time limit.`,
    );
  }
  return lifetime.kind === "expires" ? now + lifetime.milliseconds : null;
}

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
 * then the atomic limit check + insert. Refusals throw ApiErrors with authentik's texts.
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
  const expires = launchExpiry(target, now);
  const secret = randomKey();
  const uuid = crypto.randomUUID();
  // An Idempotency-Key is recorded only if the insert was not refused by the limit.
  const written = writing?.({ sql: "EXISTS (SELECT 1 FROM connection_tokens WHERE uuid = ?6)", param: uuid }) ?? db;
  const result = await insertConnection(written, {
    uuid,
    endpoint: target.uuid,
    userId: caller.userId,
    tokenHash: await sha256Hex(secret),
    settings: await sealSettings(secret, input.settings),
    now,
    expires,
  });
  if ("refused" in result) throw errors.conflict(LIMIT_REACHED + (result.callerHoldsOne ? ALREADY_CONNECTED : ""));
  return { token: result.token, secret };
}

/** The gateway routes take an outpost's API token (limited to its providers) or a superuser's. */
function gatewayOutpost(caller: Caller): string | null {
  if (caller.outpostId === null && !caller.superuser) throw errors.forbidden();
  return caller.outpostId;
}

const outpostRefused = () =>
  new ApiError(403, { detail: "This outpost does not serve the provider of this connection token." });

function usable(token: GatewayToken | null): GatewayToken {
  if (token === null) throw errors.notFound();
  if (token.allowed !== 1) throw outpostRefused();
  return token;
}

/**
 * `POST /rac/gateway/connect/` `{"token"}`: the settings the gateway opens the connection with,
 * computed fresh from the current rows. They include the prompted password: the gateway needs it,
 * and this answer (to an outpost or superuser only) is the one place it ever appears.
 */
const connect: Handler = async ({ db, request, caller }) => {
  const outpost = gatewayOutpost(caller);
  const { token: secret } = await readBody(request, GatewayTokenRequestSchema);
  const token = usable(await connectToken(db, await sha256Hex(secret), clock.now(), outpost));
  const settings = await tokenSettings(secret, token);
  return json({
    connection_token: token.uuid,
    provider: token.provider_id,
    endpoint: token.endpoint_id,
    user: token.user_id,
    protocol: token.protocol,
    settings,
    expires: iso(token.expires),
  } satisfies GatewayConnection);
};

/** `POST /rac/gateway/disconnect/` `{"token"}`: 200 `{"connection_token", "deleted"}`. */
const disconnect: Handler = async ({ db, request, caller }) => {
  const outpost = gatewayOutpost(caller);
  const { token: secret } = await readBody(request, GatewayTokenRequestSchema);
  const result = await disconnectToken(db, await sha256Hex(secret), clock.now(), outpost);
  const token = usable(result?.token ?? null);
  return json({ connection_token: token.uuid, deleted: result!.deleted } satisfies GatewayDisconnection);
};

export const connectionRoutes: Routes = {
  "/api/v3/rac/endpoints/:key/launch/": {
    POST: carriesSecret(idempotent(launch)),
  },
  "/api/v3/rac/gateway/connect/": {
    POST: carriesSecret(connect),
  },
  "/api/v3/rac/gateway/disconnect/": {
    POST: disconnect,
  },
};
