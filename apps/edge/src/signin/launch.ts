import { ApiError } from "@rac-edge/core";
import { Access } from "../access.ts";
import type { Env } from "../env.ts";
import { apiErrorOf } from "../http/outcomes.ts";
import { runPlan } from "../repositories/d1.ts";
import { launchTargetByKey } from "../repositories/launch.ts";
import { endpointApplicationSlug } from "../repositories/library.ts";
import { launchConnection } from "../routes/launch.ts";
import { sameToken } from "./csrf.ts";
import { escapeHtml, page, redirect } from "./html.ts";
import { crossOrigin, csrfRefused, readForm } from "./routes.ts";
import { loginRedirect, pageCaller } from "./session.ts";

/** An ApiError's body in words: `detail`, or each field's messages. */
function reason(error: ApiError): string {
  const body = error.body as Record<string, unknown>;
  if (typeof body.detail === "string") return body.detail;
  return Object.entries(body)
    .map(([field, messages]) => `${field === "non_field_errors" ? "" : `${field}: `}${[messages].flat().join(" ")}`)
    .join(" ");
}

const refused = (error: ApiError) =>
  page(
    error.status,
    "Cannot launch",
    `<h1>This connection cannot be opened</h1><p role="alert">${escapeHtml(reason(error))}</p>
<p><a href="/if/user/">Back to your applications</a></p>`,
  );

/** The confirmation (and, for `auth_mode: prompt`, the credentials) form: a POST back to the same URL. */
function confirmPage(url: URL, csrf: string, prompt: boolean, crossSite: boolean): Response {
  const fields = prompt
    ? `<p><label for="prompt-username">Username on the remote machine</label>
<input id="prompt-username" name="username" autocomplete="off" required></p>
<p><label for="prompt-password">Password on the remote machine</label>
<input id="prompt-password" name="password" type="password" autocomplete="off" required></p>`
    : "";
  const why = crossSite ? "<p>Another site sent you here. Open the connection only if you meant to.</p>" : "";
  return page(
    200,
    "Open connection",
    `<h1>Open this connection?</h1>${why}
<form method="post" action="${escapeHtml(url.pathname)}">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(csrf)}">${fields}
<p><button type="submit">Open the connection</button> <a href="/if/user/">Cancel</a></p></form>`,
  );
}

/**
 * `/application/rac/<slug>/<pk>/`: GET launches as `POST .../launch/` does and redirects to the session page,
 * except that a cross-site request or a prompting endpoint gets a form that POSTs (with the session's CSRF
 * token); HEAD never launches.
 */
export async function launchPage(request: Request, env: Env, url: URL, slug: string, pk: string): Promise<Response> {
  const caller = await pageCaller(request, env);
  if (caller === null) return redirect(loginRedirect(url));
  const access = new Access(env.DB, caller);
  const target = await runPlan(env.DB, launchTargetByKey(env.DB, pk));
  try {
    if (target === null || (await endpointApplicationSlug(env.DB, target.uuid)) !== slug) {
      throw new ApiError(404, { detail: "No such application or endpoint." });
    }
    await access.requireVisible("authentik_providers_rac.endpoint", target.uuid);
    const prompt = target.auth_mode === "prompt";
    const crossSite = request.headers.get("sec-fetch-site") === "cross-site";
    if (request.method === "HEAD") return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
    if (request.method === "GET" && (prompt || crossSite))
      return confirmPage(url, caller.session!.csrf, prompt, crossSite);
    let body: Record<string, unknown> = {};
    if (request.method === "POST") {
      const form = await readForm(request);
      if (form === null || !sameToken(form.get("csrfmiddlewaretoken") ?? "", caller.session!.csrf))
        return csrfRefused();
      if (crossOrigin(request, url)) return csrfRefused();
      if (prompt) body = { settings: { username: form.get("username") ?? "", password: form.get("password") ?? "" } };
    }
    const { secret } = await launchConnection(env.DB, caller, access, target, body);
    return redirect(`/if/rac/${secret}/`, [["referrer-policy", "no-referrer"]]);
  } catch (thrown) {
    const error = apiErrorOf(thrown);
    if (error instanceof ApiError) return refused(error);
    throw error;
  }
}
