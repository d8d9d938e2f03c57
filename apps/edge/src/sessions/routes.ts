import { parseTargets, targetAllowed } from "@rac-edge/core";
import { clock } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import type { Env } from "../env.ts";
import { json } from "../http/responses.ts";
import { loadBridgeModule } from "../lazyModules.ts";
import { recordHostKey } from "../repositories/endpoints.ts";
import { type Actor, retentionDays } from "../repositories/events.ts";
import {
  connectToken,
  disconnectToken,
  type GatewayToken,
  liveToken,
  recordSessionEnd,
  recordSessionError,
  sessionState,
  sessionStatus,
} from "../repositories/gateway.ts";
import { tokenSettings } from "../tokenSettings.ts";
import { linkGone, messagePage, PAGE_TEMPLATES, sessionPage } from "./pages.ts";
import { type SessionOpener, SessionRefused } from "./protocol.ts";
import { openSshSession, sshPort } from "./sshOpener.ts";
import { vncPort } from "./vnc/port.ts";
import { openVncSession } from "./vncOpener.ts";

/** The data plane's openers by endpoint protocol; protocols without one answer 501. */
export const openers: Partial<Record<string, SessionOpener>> = { vnc: openVncSession, ssh: openSshSession };
const portOf: Partial<Record<string, (settings: Record<string, string>) => number>> = { vnc: vncPort, ssh: sshPort };

/** How often a socket checks that its token is live and its own (`RAC_REVOCATION_POLL_MS` and tests shorten it). */
const REVOCATION_POLL_MS = 30_000;
/** Tests shorten the poll here; operators with `RAC_REVOCATION_POLL_MS`. */
export const sessionTiming = { pollMs: REVOCATION_POLL_MS };

const notServed = (protocol: string) =>
  `${protocol.toUpperCase()} sessions are not served by the edge yet; only VNC and SSH endpoints open here.`;
const notFound = () => json({ detail: "Not found." }, 404);

const PATHS = /^\/(if|ws)\/rac\/([A-Za-z0-9_-]+)\/(status\/)?$/;

/** A live token of an active user, by its secret; null otherwise. */
async function findToken(env: Env, secret: string): Promise<{ token: GatewayToken; hash: string } | null> {
  const hash = await sha256Hex(secret);
  const token = await liveToken(env.DB, hash, clock.now());
  return token !== null && token.user_active === 1 ? { token, hash } : null;
}

/**
 * `/if/rac/<token>/` (the page), `/if/rac/<token>/status/` (the page's check) and `/ws/rac/<token>/`
 * (the socket). Not Bearer-authenticated: the token's secret in the path is the credential. Null for other paths.
 */
export async function sessionFetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response | null> {
  const url = new URL(request.url);
  const match = PATHS.exec(url.pathname.replace(/\/?$/, "/"));
  if (!match) return null;
  const [, kind, secret, status] = match as unknown as [string, "if" | "ws", string, string | undefined];
  // The socket opens a connection and records it, so only GET may; HEAD reads the pages.
  const allowed = kind === "ws" ? ["GET"] : ["GET", "HEAD"];
  if (!allowed.includes(request.method)) {
    return new Response(null, { status: 405, headers: { allow: allowed.join(", ") } });
  }
  if (kind === "ws") return status ? notFound() : upgrade(request, env, ctx, secret);
  if (status) {
    const found = await sessionStatus(env.DB, await sha256Hex(secret), clock.now());
    return found === null ? notFound() : json({ live: true, error: found.error });
  }
  const found = await findToken(env, secret);
  if (found === null) return linkGone();
  const { token } = found;
  const template = PAGE_TEMPLATES[token.protocol];
  if (template === undefined) return messagePage(501, token.endpoint_name, notServed(token.protocol));
  if (env.ASSETS === undefined) throw new Error("the ASSETS binding is missing (wrangler.jsonc assets, apps/web/dist)");
  const settings = await tokenSettings(secret, token);
  const facts = {
    endpointName: token.endpoint_name,
    protocol: token.protocol,
    readOnly: settings["read-only"] === "true",
    fontSize: settings["font-size"],
    colorScheme: settings["color-scheme"],
  };
  const page = await sessionPage(env.ASSETS, url.origin, template, facts);
  return request.method === "HEAD" ? new Response(null, page) : page;
}

/** The target a session would reach, checked against the operator's allowlist; a refusal otherwise. */
function allowedTarget(env: Env, protocol: string, settings: Record<string, string>): void {
  const list = parseTargets(env.RAC_TARGETS);
  if (!list.ok)
    throw new SessionRefused(`the gateway's target allowlist (RAC_TARGETS) has an invalid entry "${list.invalid}"`);
  const hostname = settings.hostname ?? "";
  const port = portOf[protocol]!(settings);
  if (!targetAllowed(list.rules, hostname, port)) {
    throw new SessionRefused(`the target ${hostname}:${port} is not allowed by this gateway (RAC_TARGETS)`, 403);
  }
}

/** A socket's events name the token's user and the browser's address (no http_request: not an API write). */
function socketActor(request: Request, env: Env, userId: number): Actor {
  const clientIp = request.headers.get("cf-connecting-ip");
  return { userId, clientIp, retentionDays: retentionDays(env.EVENTS_RETENTION_DAYS) };
}

async function upgrade(request: Request, env: Env, ctx: ExecutionContext, secret: string): Promise<Response> {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response(JSON.stringify({ detail: "This is a WebSocket endpoint: send Upgrade: websocket." }), {
      status: 426,
      headers: { upgrade: "websocket", "content-type": "application/json" },
    });
  }
  const found = await findToken(env, secret);
  if (found === null) return notFound();
  const { token, hash } = found;
  const opener = openers[token.protocol];
  if (opener === undefined) return json({ detail: notServed(token.protocol) }, 501);
  const { Bridge } = await loadBridgeModule();
  let target: Awaited<ReturnType<SessionOpener>>;
  try {
    const settings = await tokenSettings(secret, token);
    allowedTarget(env, token.protocol, settings);
    target = await opener(settings, {
      endpointName: token.endpoint_name,
      trustOnFirstUse: (keyLine) => recordHostKey(env.DB, token.endpoint_id, keyLine),
    });
  } catch (error) {
    if (!(error instanceof SessionRefused)) throw error;
    await recordSessionError(env.DB, hash, clock.now(), error.reason);
    return json({ detail: error.reason }, error.status);
  }
  const session = crypto.randomUUID();
  const actor = socketActor(request, env, token.user_id);
  const claimed = await connectToken(env.DB, hash, clock.now(), null, session, actor).catch(async (error: unknown) => {
    await target.close();
    throw error;
  });
  if (claimed === null) {
    await target.close(); // revoked while the target was being opened
    return notFound();
  }
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  // Binary frames arrive as Blob unless this is set before accept().
  server.binaryType = "arraybuffer";
  server.accept();
  const pollMs = Number(env.RAC_REVOCATION_POLL_MS) > 0 ? Number(env.RAC_REVOCATION_POLL_MS) : sessionTiming.pollMs;
  const bridge = new Bridge(
    env.DB,
    server,
    target,
    {
      uuid: claimed.uuid,
      hash,
      expires: claimed.expires,
      session,
      endpoint: { pk: claimed.endpoint_id, name: claimed.endpoint_name },
      actor,
    },
    pollMs,
    { now: () => clock.now(), sessionState, disconnectToken, recordSessionEnd },
  );
  bridge.start();
  ctx.waitUntil(bridge.done);
  const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((name) => name.trim());
  const headers: Record<string, string> = offered.includes("binary") ? { "sec-websocket-protocol": "binary" } : {};
  return new Response(null, { status: 101, webSocket: client, headers });
}
