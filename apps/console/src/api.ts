/** The console's one API client: `@rac-edge/client` in cookie mode (no key ever lives in the page). */
import { type Client, createClient, isApiError } from "@rac-edge/client";

/** Cookie mode: the session cookie rides along, unsafe methods echo the `csrftoken` cookie in X-CSRFToken. */
export const client: Client = createClient({ baseUrl: location.origin, credentials: "same-origin" });

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
