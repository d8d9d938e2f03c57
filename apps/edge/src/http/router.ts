import { errors } from "@rac-edge/core";
import { type IRequest, Router } from "itty-router";
import { Access } from "../access.ts";
import { authenticate, type Caller } from "../auth.ts";
import type { Env } from "../env.ts";
import type { OperationDoc } from "../openapi/operation.ts";
import { errorResponse } from "./responses.ts";

export interface Context {
  request: Request;
  url: URL;
  params: Record<string, string>;
  env: Env;
  db: D1Database;
  caller: Caller;
  access: Access;
}

/** `doc` is what the OpenAPI document says about the operation (src/openapi/ reads it). */
export type Handler = ((context: Context) => Promise<Response>) & { doc?: OperationDoc };
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
/** A route module: paths (with a trailing slash) and the handler of each method. */
export type Routes = Record<string, Partial<Record<Method, Handler>>>;

/**
 * DRF's order: an unknown path is 404, then authentication (403), then the method (405).
 * HEAD is GET without a body; OPTIONS answers the allowed methods.
 */
function dispatch(methods: Partial<Record<Method, Handler>>) {
  const allowed = Object.keys(methods);
  return async (request: IRequest, env: Env): Promise<Response> => {
    const handler = methods[(request.method === "HEAD" ? "GET" : request.method) as Method];
    const caller = await authenticate(request, env);
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: { allow: [...allowed, "HEAD", "OPTIONS"].join(", ") } });
    }
    if (handler === undefined) throw errors.methodNotAllowed(request.method);
    const response = await handler({
      request,
      url: new URL(request.url),
      params: request.params,
      env,
      db: env.DB,
      caller,
      access: new Access(env.DB, caller),
    });
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
  return async (request: Request, env: Env, ctx: ExecutionContext): Promise<Response> => {
    try {
      const response: Response | undefined = await router.fetch(normalize(request), env, ctx);
      return response ?? errorResponse(errors.notFound());
    } catch (error) {
      return errorResponse(error);
    }
  };
}
