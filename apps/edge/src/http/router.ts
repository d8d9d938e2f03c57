import { errors } from "@rac-edge/core";
import { type IRequest, Router } from "itty-router";
import { Access } from "../access.ts";
import { authentication, type Caller, callerFrom } from "../auth.ts";
import type { Env } from "../env.ts";
import type { Condition } from "../lists.ts";
import type { OperationDoc } from "../openapi/operation.ts";
import type { Reads } from "../repositories/d1.ts";
import { metered, serverTiming } from "../repositories/meter.ts";
import { errorResponse } from "./responses.ts";

/** What a handler knows before the caller is authenticated. */
export interface RequestContext {
  request: Request;
  url: URL;
  params: Record<string, string>;
  env: Env;
  db: D1Database;
  /** Finds a row only for a key some API token has: prefetched reads that could scan join it first. */
  knownKey: Condition;
}

export interface Context extends RequestContext {
  caller: Caller;
  access: Access;
  /** The results of the handler's `prefetch`, read on call (see `prefetching`). */
  prefetched?: () => unknown;
}

/** `doc` is what the OpenAPI document says about the operation (src/openapi/ reads it). */
export type Handler = ((context: Context) => Promise<Response>) & { doc?: OperationDoc; prefetch?: (context: RequestContext) => Reads<unknown> };
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
/** A route module: paths (with a trailing slash) and the handler of each method. */
export type Routes = Record<string, Partial<Record<Method, Handler>>>;

/**
 * A handler whose first reads do not depend on who calls: they run in the authentication's batch,
 * one D1 round trip fewer, and reach the handler only once the caller is known. The handler then
 * decides what the caller may see of them (or reads again with the caller's visibility). A plan
 * does not throw: what it finds wrong in the request surfaces when it is read, after the 403s.
 */
export function prefetching<P>(
  prefetch: (context: RequestContext) => Reads<P>,
  handler: (context: Context, prefetched: () => P) => Promise<Response>,
): Handler {
  return Object.assign((context: Context) => handler(context, context.prefetched as () => P), { prefetch });
}

/**
 * DRF's order: an unknown path is 404, then authentication (403), then the method (405).
 * HEAD is GET without a body; OPTIONS answers the allowed methods.
 */
function dispatch(methods: Partial<Record<Method, Handler>>) {
  const allowed = Object.keys(methods);
  return async (request: IRequest, env: Env): Promise<Response> => {
    const handler = methods[(request.method === "HEAD" ? "GET" : request.method) as Method];
    const { query, knownKey } = await authentication(request, env);
    const base: RequestContext = { request, url: new URL(request.url), params: request.params, env, db: env.DB, knownKey };
    const reads = request.method === "OPTIONS" ? undefined : handler?.prefetch?.(base);
    const [authenticated, ...results] = reads ? await env.DB.batch([query, ...reads.statements]) : [await query.all()];
    const caller = callerFrom(authenticated!);
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: { allow: [...allowed, "HEAD", "OPTIONS"].join(", ") } });
    }
    if (handler === undefined) throw errors.methodNotAllowed(request.method);
    const context: Context = { ...base, caller, access: new Access(env.DB, caller) };
    if (reads !== undefined) context.prefetched = () => reads.read(results);
    const response = await handler(context);
    return request.method === "HEAD" ? new Response(null, response) : response;
  };
}

/** Repeated slashes fold into one and the final slash is optional. */
function normalize(request: Request): Request {
  const url = new URL(request.url);
  let path = url.pathname.replace(/\/{2,}/g, "/");
  if (!path.endsWith("/")) path += "/";
  if (path === url.pathname) return request;
  url.pathname = path;
  return new Request(url, request);
}

export function createApi(...modules: Routes[]) {
  const router = Router<IRequest, [Env, ExecutionContext]>({ catch: errorResponse });
  for (const routes of modules) {
    for (const [path, methods] of Object.entries(routes)) router.all(path, dispatch(methods));
  }
  const answer = async (request: Request, env: Env, ctx: ExecutionContext): Promise<Response> => {
    try {
      const response: Response | undefined = await router.fetch(normalize(request), env, ctx);
      return response ?? errorResponse(errors.notFound());
    } catch (error) {
      return errorResponse(error);
    }
  };
  // Every D1 call of the request goes through one metered binding; its sum is the Server-Timing.
  return async (request: Request, env: Env, ctx: ExecutionContext): Promise<Response> => {
    const { db, cost } = metered(env.DB);
    const response = await answer(request, { ...env, DB: db }, ctx);
    if (env.SERVER_TIMING !== "true") return response;
    const timed = new Response(response.body, response);
    timed.headers.append("server-timing", serverTiming(cost));
    return timed;
  };
}
