import { endpointLaunchUrl } from "@rac-edge/core";
import { Access } from "../access.ts";
import type { Env } from "../env.ts";
import { libraryRows } from "../repositories/library.ts";
import { escapeHtml, logoutForm, page, redirect } from "./html.ts";
import { loginRedirect, pageCaller } from "./session.ts";

/** `GET /if/user/`: the endpoints the signed-in user may launch, grouped by application, each its launch_url. */
export async function libraryPage(request: Request, env: Env, url: URL): Promise<Response> {
  const caller = await pageCaller(request, env);
  if (caller === null) return redirect(loginRedirect(url));
  const access = new Access(env.DB, caller);
  const rows = await libraryRows(env.DB, await access.visible("authentik_providers_rac.endpoint"));
  const groups = new Map<string, typeof rows>();
  for (const row of rows) groups.set(row.app_slug, [...(groups.get(row.app_slug) ?? []), row]);
  const sections = [...groups.values()].map((endpoints) => {
    const items = endpoints
      .map((row) => {
        const href = endpointLaunchUrl(row.app_slug, row.endpoint_uuid)!;
        const protocol = `<span class="protocol">${escapeHtml(row.protocol.toUpperCase())}</span>`;
        const label = `${escapeHtml(row.endpoint_name)} ${protocol}`;
        return `<li><a href="${escapeHtml(href)}" data-endpoint="${escapeHtml(row.endpoint_uuid)}">${label}</a></li>`;
      })
      .join("\n");
    return `<section aria-labelledby="app-${escapeHtml(endpoints[0]!.app_slug)}">
<h2 id="app-${escapeHtml(endpoints[0]!.app_slug)}">${escapeHtml(endpoints[0]!.app_name)}</h2>
<ul>${items}</ul></section>`;
  });
  const body = sections.length > 0 ? sections.join("\n") : "<p>No remote desktops are available to you yet.</p>";
  const header = `<header><h1>Your applications</h1><p>Signed in as ${escapeHtml(caller.username)}</p>
${logoutForm(caller.session!.csrf)}</header>`;
  const response = page(200, "Your applications", `${header}\n${body}`);
  return request.method === "HEAD" ? new Response(null, response) : response;
}
