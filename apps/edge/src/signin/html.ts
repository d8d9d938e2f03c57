import { PAGE_HEADERS } from "../sessions/pages.ts";

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);

/** A page of the signed-in area: same headers as the session pages (no framing, no caching, strict CSP). */
export function page(status: number, title: string, main: string, headers: [string, string][] = []): Response {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · rac-edge</title><link rel="stylesheet" href="/static/signin.css"></head>
<body class="signin"><main>${main}</main></body></html>
`;
  const response = new Response(body, { status, headers: PAGE_HEADERS });
  for (const [name, value] of headers) response.headers.append(name, value);
  return response;
}

export const redirect = (location: string, headers: [string, string][] = []): Response => {
  const response = new Response(null, { status: 302, headers: { location, "cache-control": "no-store" } });
  for (const [name, value] of headers) response.headers.append(name, value);
  return response;
};

/** The login form; `error` is the one generic message of a failed attempt. */
export function loginPage(csrf: string, next: string, username: string, error: string | null, status = 200) {
  const alert = error === null ? "" : `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>`;
  const described = error === null ? "" : ' aria-describedby="login-error"';
  return page(
    status,
    "Sign in",
    `<h1>Sign in to rac-edge</h1>${alert}
<form method="post" action="/if/login/">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(csrf)}">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<p><label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(username)}"${described}></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}></p>
<p><button type="submit">Sign in</button></p>
</form>`,
  );
}

/** The sign-out button every signed-in page carries (a POST with the session's CSRF token). */
export const logoutForm = (csrf: string) => `<form method="post" action="/if/logout/" class="logout">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(csrf)}">
<button type="submit">Sign out</button></form>`;
