/** `/if/admin/`: the admin console's static files (apps/console, in the assets), for signed-in browsers only. */
import type { Env } from "./env.ts";
import { redirect } from "./signin/html.ts";
import { loginRedirect, pageCaller } from "./signin/session.ts";

const PREFIX = "/if/admin/";

/** What the console's files may do: its own scripts and styles, API calls to this origin, no framing. */
const HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "content-security-policy":
    "default-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; " +
    "form-action 'self'; frame-ancestors 'none'",
};

/**
 * The console's paths; null for others. Not signed in: 302 to the sign-in page, back here afterwards. What a
 * signed-in user may see and change is the API's decision on each call, not this page's.
 */
export async function consoleFetch(request: Request, env: Env): Promise<Response | null> {
  const url = new URL(request.url);
  if (url.pathname === "/if/admin") return redirect(PREFIX);
  if (!url.pathname.startsWith(PREFIX)) return null;
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("Method not allowed.", {
      status: 405,
      headers: { allow: "GET, HEAD", "content-type": "text/plain" },
    });
  }
  if ((await pageCaller(request, env)) === null) return redirect(loginRedirect(new URL(PREFIX, url)));
  if (env.ASSETS === undefined) throw new Error("the ASSETS binding is missing (wrangler.jsonc assets, apps/web/dist)");
  const asset = await env.ASSETS.fetch(new Request(url, { method: request.method }));
  const response = new Response(asset.body, asset);
  for (const [name, value] of Object.entries(HEADERS)) response.headers.set(name, value);
  return response;
}
