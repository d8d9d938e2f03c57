/** The session cookie (HttpOnly) and Django's CSRF cookie (readable by the page, echoed in X-CSRFToken). */
export const SESSION_COOKIE = "rac_session";
export const CSRF_COOKIE = "csrftoken";
export const CSRF_HEADER = "x-csrftoken";

/** One cookie's value from the request's Cookie header, or null. */
export function cookie(request: Request, name: string): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** `Secure` everywhere but plain-HTTP localhost (wrangler dev), where browsers would drop the cookie. */
const secure = (url: URL) =>
  url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) ? "" : "; Secure";

export interface CookieOptions {
  httpOnly: boolean;
  /** Seconds; 0 deletes the cookie; undefined: a browser-session cookie. */
  maxAge?: number;
}

export function setCookie(url: URL, name: string, value: string, options: CookieOptions): string {
  const age = options.maxAge === undefined ? "" : `; Max-Age=${options.maxAge}`;
  return `${name}=${value}; Path=/; SameSite=Lax${options.httpOnly ? "; HttpOnly" : ""}${secure(url)}${age}`;
}
