/** The session pages' HTML: a live token's page (an asset, endpoint filled in) and the "no longer valid" page. */

/** Where apps/web's build puts the page templates (under `/-/`, which the Worker owns: never served as they are). */
export const PAGE_TEMPLATES: Record<string, string> = { vnc: "/-/pages/vnc.html", ssh: "/-/pages/ssh.html" };

/** The token is a credential in the URL: keep it out of referrers, caches and frames. */
export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);

/** A short page in words (404 for dead links, 501 for protocols the edge does not serve yet). */
export function messagePage(status: number, title: string, message: string): Response {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/static/session.css"></head>
<body class="message"><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body></html>
`;
  return new Response(body, { status, headers: PAGE_HEADERS });
}

export const linkGone = () =>
  messagePage(
    404,
    "This link is no longer valid",
    "The session has ended, expired or was revoked. Launch the endpoint again to get a new link.",
  );

/** The session page from its template, the endpoint's name and protocol filled in by HTMLRewriter (which escapes). */
export interface PageFacts {
  endpointName: string;
  protocol: string;
  /** `read-only: "true"` in the settings: the page shows a view-only session (the edge enforces it regardless). */
  readOnly: boolean;
  /** SSH: Guacamole's `font-size` and `color-scheme` settings, for the terminal. */
  fontSize?: string;
  colorScheme?: string;
}

/**
 * xterm.js sets its theme and cell sizes in <style> elements, which a style-src without inline styles blocks (the
 * SSH e2e test sees the font size fall back): the terminal page allows inline styles, and nothing else changes.
 */
const TERMINAL_HEADERS = {
  ...PAGE_HEADERS,
  "content-security-policy": PAGE_HEADERS["content-security-policy"].replace(
    "style-src 'self'",
    "style-src 'self' 'unsafe-inline'",
  ),
};

export async function sessionPage(
  assets: Fetcher,
  base: string,
  template: string,
  facts: PageFacts,
): Promise<Response> {
  const asset = await assets.fetch(new URL(template, base));
  if (!asset.ok) throw new Error(`session page template ${template} is missing (build apps/web): ${asset.status}`);
  const page = new HTMLRewriter()
    .on("title", { element: (element) => void element.setInnerContent(`${facts.endpointName} · rac-edge`) })
    .on("body", {
      element: (element) => {
        element.setAttribute("data-endpoint", facts.endpointName);
        element.setAttribute("data-protocol", facts.protocol);
        element.setAttribute("data-read-only", String(facts.readOnly));
        if (facts.fontSize) element.setAttribute("data-font-size", facts.fontSize);
        if (facts.colorScheme) element.setAttribute("data-color-scheme", facts.colorScheme);
      },
    })
    .transform(new Response(asset.body, { headers: facts.protocol === "ssh" ? TERMINAL_HEADERS : PAGE_HEADERS }));
  return page;
}
