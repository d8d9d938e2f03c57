import { cors } from "itty-router";

/** Request headers a browser client may send: the token, JSON bodies and the extensions' preconditions. */
export const CORS_ALLOWED_HEADERS = [
  "Authorization",
  "Content-Type",
  "Idempotency-Key",
  "If-Match",
  "If-None-Match",
  "x-d1-bookmark",
];
/** Answer headers a browser client may read: preconditions, replays and the D1 bookmark. */
export const CORS_EXPOSED_HEADERS = ["ETag", "Idempotent-Replayed", "x-d1-bookmark"];
export const CORS_ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

type Cors = ReturnType<typeof cors>;
let cached: { origins: string; cors: Cors | null } | undefined;

/**
 * itty-router's CORS pair for the origins listed in `CORS_ORIGINS` (comma-separated), or null when
 * the variable is unset or empty: CORS is off by default. Built once per isolate and value.
 */
export function corsFor(origins: string | undefined): Cors | null {
  const value = origins ?? "";
  if (cached?.origins === value) return cached.cors;
  const list = value
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin !== "");
  const pair =
    list.length === 0
      ? null
      : cors({
          origin: list,
          allowMethods: CORS_ALLOWED_METHODS,
          allowHeaders: CORS_ALLOWED_HEADERS,
          exposeHeaders: CORS_EXPOSED_HEADERS,
          maxAge: 600,
        });
  const withVary: Cors | null =
    pair === null
      ? null
      : {
          // The answer depends on the Origin header whether or not it is allowed.
          corsify: (response, request) => vary(pair.corsify(response, request)),
          preflight: (request) => {
            const answer = pair.preflight(request);
            return answer === undefined ? undefined : vary(answer);
          },
        };
  cached = { origins: value, cors: withVary };
  return withVary;
}

function vary(response: Response): Response {
  response.headers.append("vary", "Origin");
  return response;
}

/**
 * A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. Any other OPTIONS is an
 * API request (DRF's: authenticated, answering `Allow`); itty's own preflight would take them all.
 */
export const isPreflight = (request: Request): boolean =>
  request.method === "OPTIONS" && request.headers.has("origin") && request.headers.has("access-control-request-method");
