import { errors } from "@rac-edge/core";
import { type IRequest, Router } from "itty-router";
import { Access } from "../access.ts";
import { authenticate, authentication, bootstrapRefusal, type Caller, callerFrom } from "../auth.ts";
import type { Env } from "../env.ts";
import { failedPlan, type ReadPlan } from "../repositories/d1.ts";
import { actAs, requestActor } from "../repositories/events.ts";
import { type Condition, NO_CALLER } from "../repositories/lists.ts";
import { metered, serverTiming } from "../repositories/meter.ts";
import { sessionChecks } from "../signin/csrf.ts";
import { authenticationFailed } from "../throttle.ts";
import { corsFor, isPreflight } from "./cors.ts";
import { errorResponse } from "./responses.ts";
import { BOOKMARK_HEADER, requestSessions } from "./sessions.ts";

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

/** An SQL condition (its one parameter `?6`) saying whether a write happened, for its Idempotency-Key record. */
export interface WriteCondition {
  sql: string;
  param: unknown;
}

export interface Context extends RequestContext {
  caller: Caller;
  access: Access;
  /**
   * The binding a POST's one write goes through: with an Idempotency-Key (src/http/idempotency.ts),
   * its batch also records the key, if `onlyIf` holds after the write; absent: `db` itself.
   */
  writing?: (onlyIf?: WriteCondition) => D1Database;
  /** The results of the statements the handler's `prefetch` planned, read with the authentication. */
  prefetchedResults?: D1Result[];
}

/**
 * `head`, on a GET with side effects, answers HEAD the same without them (HEAD otherwise runs the GET).
 * A handler with `anonymous` answers without authentication (the schema, health checks).
 */
export type Handler = ((context: Context) => Promise<Response>) & {
  prefetch?: (context: RequestContext) => ReadPlan<unknown>;
  head?: Handler;
  anonymous?: (context: RequestContext) => Promise<Response>;
};
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
/** A route module: paths (with a trailing slash) and the handler of each method. */
export type Routes = Record<string, Partial<Record<Method, Handler>>>;

/**
 * A handler whose first reads do not depend on who calls: they run in the authentication's batch,
 * one D1 round trip fewer, and reach the handler only once the caller is known. The handler then
 * decides what the caller may see of them (or reads again with the caller's visibility). A plan
 * that throws (something wrong in the request) becomes a `failedPlan`: it surfaces after the 403s.
 */
export function prefetching<P>(
  plan: (context: RequestContext) => ReadPlan<P>,
  handler: (context: Context, prefetched: () => P) => Promise<Response>,
): Handler {
  // Each request's plan, found again by its Request (wrappers pass the same one) once the caller is known.
  const plans = new WeakMap<Request, ReadPlan<P>>();
  const prefetch = (context: RequestContext): ReadPlan<P> => {
    let reads: ReadPlan<P>;
    try {
      reads = plan(context);
    } catch (error) {
      reads = failedPlan(error);
    }
    plans.set(context.request, reads);
    return reads;
  };
  const run = (context: Context) => {
    const reads = plans.get(context.request);
    const results = context.prefetchedResults;
    if (reads === undefined || results === undefined) throw new Error("prefetching: the router did not prefetch");
    return handler(context, () => reads.read(results));
  };
  return Object.assign(run, { prefetch });
}

/** A handler that answers anyone, without reading a token (authentik serves these publicly). */
export function anonymous(handler: (context: RequestContext) => Promise<Response>): Handler {
  return Object.assign((context: Context) => handler(context), { anonymous: handler });
}

/** The same handler, its answer marked `Cache-Control: no-store`: it carries a secret. */
export function carriesSecret(handler: Handler): Handler {
  const wrapped = async (context: Context) => {
    const response = await handler(context);
    const marked = new Response(response.body, response);
    marked.headers.set("cache-control", "no-store");
    return marked;
  };
  return Object.assign(wrapped, {
    prefetch: handler.prefetch,
    head: handler.head && carriesSecret(handler.head),
  });
}

/**
 * DRF's order: an unknown path is 404, then authentication (403), then the method (405).
 * HEAD is GET without a body and without its side effects; OPTIONS answers the allowed methods
 * (HEAD only where GET exists).
 */
function dispatch(methods: Partial<Record<Method, Handler>>) {
  const allowed = [...Object.keys(methods), ...(methods.GET ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const open = Object.values(methods).every((handler) => handler.anonymous !== undefined);
  const withoutBody = (request: IRequest, response: Response) =>
    request.method === "HEAD" ? new Response(null, response) : response;
  return async (request: IRequest, env: Env): Promise<Response> => {
    const handler = request.method === "HEAD" ? (methods.GET?.head ?? methods.GET) : methods[request.method as Method];
    const url = new URL(request.url);
    if (handler?.anonymous) {
      const context = {
        request,
        url,
        params: request.params,
        env,
        db: env.DB,
        knownKey: NO_CALLER,
      };
      return withoutBody(request, await handler.anonymous(context));
    }
    // Public paths answer their other methods without a token too, as DRF's AllowAny views do.
    if (open && request.method === "OPTIONS") return new Response(null, { status: 204, headers: { allow: allowed } });
    if (open) throw errors.methodNotAllowed(request.method);
    // Authentication, permissions and the prefetch read the primary (src/repositories/sessions.ts).
    const primary = { ...env, DB: env.DB_PRIMARY ?? env.DB };
    const refuse = (error: unknown) => authenticationFailed(request, primary, error);
    const { query, knownKey, sessionHash } = await authentication(request, primary).catch(refuse);
    const base: RequestContext = { request, url, params: request.params, env, db: primary.DB, knownKey };
    const reads = request.method === "OPTIONS" ? undefined : handler?.prefetch?.(base);
    const [authenticated, results] = await authenticate(primary, query, reads?.statements);
    let caller: Caller;
    try {
      caller = callerFrom(authenticated, sessionHash);
    } catch (error) {
      return await refuse(error);
    }
    if (caller.session !== undefined) await sessionChecks(request, env, caller.session);
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: { allow: allowed } });
    if (handler === undefined) throw errors.methodNotAllowed(request.method);
    // The request's own binding carries who writes: every repository write records its event with it.
    actAs(env.DB, requestActor(request, caller.userId, env.EVENTS_RETENTION_DAYS));
    const context: Context = { ...base, db: env.DB, caller, access: new Access(primary.DB, caller) };
    if (reads !== undefined) context.prefetchedResults = results;
    return withoutBody(request, await handler(context));
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

/**
 * Headers of every answer: answers depend on the token, so shared caches must not serve them to
 * another caller (`Vary`), and clients revalidate; answers carrying a secret already say `no-store`.
 */
function finish(response: Response): Response {
  if (response.status === 101) return response;
  const finished = new Response(response.body, response);
  if (!finished.headers.has("cache-control")) finished.headers.set("cache-control", "private, no-cache");
  finished.headers.append("vary", "Authorization, Cookie");
  return finished;
}

export function createApi(...modules: Routes[]) {
  const router = Router<IRequest, [Env, ExecutionContext]>({ catch: errorResponse });
  for (const routes of modules) {
    for (const [path, methods] of Object.entries(routes)) router.all(path, dispatch(methods));
  }
  const answer = async (request: Request, env: Env, ctx: ExecutionContext): Promise<Response> => {
    const cors = corsFor(env.CORS_ORIGINS);
    // A preflight carries no credentials: it is answered before authentication.
    if (cors !== null && isPreflight(request)) return finish(cors.preflight(request)!);
    let response: Response;
    try {
      const refused = bootstrapRefusal(env);
      if (refused !== null) throw refused;
      response = (await router.fetch(normalize(request), env, ctx)) ?? errorResponse(errors.notFound());
    } catch (error) {
      response = errorResponse(error);
    }
    return cors === null ? finish(response) : cors.corsify(finish(response), request);
  };
  // Every D1 call of the request goes through one metered binding (both sessions); its sum is the Server-Timing.
  return async (request: Request, env: Env, ctx: ExecutionContext): Promise<Response> => {
    const { db, cost } = metered(env.DB);
    const sessions = requestSessions(db, request);
    const response = await answer(request, { ...env, DB: sessions.reads, DB_PRIMARY: sessions.primary }, ctx);
    if (response.status === 101) return response;
    const finished = new Response(response.body, response);
    const bookmark = sessions.bookmark();
    if (bookmark !== null) finished.headers.set(BOOKMARK_HEADER, bookmark);
    if (env.SERVER_TIMING === "true") finished.headers.append("server-timing", serverTiming(cost));
    return finished;
  };
}
