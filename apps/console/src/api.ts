/** The console's one API client: `@rac-edge/client` riding the browser's session cookie. */
import { type Client, createClient, isApiError } from "@rac-edge/client";

/** Django's double-submit token: the `csrftoken` cookie, echoed in `X-CSRFToken` on unsafe methods. */
function csrfToken(): string {
  const match = /(?:^|;\s*)csrftoken=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : "";
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Same-origin requests with the cookie; the bearer header the client adds is dropped (no key lives in the page). */
function sessionFetch(request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.delete("authorization");
  if (!SAFE.has(request.method)) headers.set("x-csrftoken", csrfToken());
  return fetch(new Request(request, { headers, credentials: "same-origin" }));
}

export const client: Client = createClient({ baseUrl: location.origin, token: "", fetch: sessionFetch });

/** Not signed in (no session, or it expired): off to the sign-in page, back here afterwards. */
export function toSignIn(): void {
  location.assign(`/if/login/?next=${encodeURIComponent(location.pathname + location.hash)}`);
}

/** authentik answers 403 "Authentication credentials were not provided." to a caller without credentials. */
export function signedOut(error: unknown): boolean {
  if (!isApiError(error)) return false;
  const detail = error.body.detail;
  return (
    error.status === 401 || (error.status === 403 && /credentials were not provided|session/i.test(String(detail)))
  );
}

/** A DRF error body as text: `detail`, else every field's messages. */
export function errorText(error: unknown): string {
  if (!isApiError(error)) return error instanceof Error ? error.message : String(error);
  if (typeof error.body.detail === "string") return error.body.detail;
  return Object.entries(error.body)
    .map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.join(" ") : JSON.stringify(messages)}`)
    .join("; ");
}
