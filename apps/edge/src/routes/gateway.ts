import {
  ApiError,
  errors,
  type GatewayConnection,
  type GatewayDisconnection,
  GatewayTokenRequestSchema,
  operationPath,
  RESOURCES,
} from "@rac-edge/core";
import type { Caller } from "../auth.ts";
import { clock, iso } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import { readBody } from "../http/body.ts";
import { json } from "../http/responses.ts";
import { carriesSecret, type Handler, type Routes } from "../http/router.ts";
import { connectToken, disconnectToken, type GatewayToken } from "../repositories/gateway.ts";
import { tokenSettings } from "../tokenSettings.ts";

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

export const gatewayRoutes: Routes = {
  [operationPath(RESOURCES.gateway, "connect")]: {
    POST: carriesSecret(connect),
  },
  [operationPath(RESOURCES.gateway, "disconnect")]: {
    POST: disconnect,
  },
};
