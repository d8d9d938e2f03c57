/** Sign-in helpers: a browser's cookie jar reduced to the two cookies rac-edge sets. */
import { exports } from "cloudflare:workers";
import { BASE, post } from "../helpers.ts";

export interface Browser {
  session: string;
  csrf: string;
}

/** The cookies a response sets, by name (deleted ones as ""). */
export function setCookies(response: Response): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    jar[pair!.slice(0, eq)] = pair!.slice(eq + 1);
  }
  return jar;
}

export const cookieHeader = (browser: Partial<Browser>) =>
  [browser.session && `rac_session=${browser.session}`, browser.csrf && `csrftoken=${browser.csrf}`]
    .filter(Boolean)
    .join("; ");

/** A page request as a browser sends it (cookies, optional form). */
export async function browse(
  method: string,
  path: string,
  browser: Partial<Browser>,
  form?: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = { method, headers: { cookie: cookieHeader(browser), ...headers }, redirect: "manual" };
  if (form) {
    init.body = new URLSearchParams(form).toString();
    (init.headers as Record<string, string>)["content-type"] = "application/x-www-form-urlencoded";
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

/** GET the login page for its CSRF cookie, then POST the form. */
export async function signIn(username: string, password: string, next = "/if/user/") {
  const page = await browse("GET", "/if/login/", {});
  const csrf = setCookies(page).csrftoken!;
  await page.text();
  return browse("POST", "/if/login/", { csrf }, { csrfmiddlewaretoken: csrf, username, password, next });
}

/** A signed-in browser (asserts the sign-in worked). */
export async function signedIn(username: string, password: string): Promise<Browser> {
  const response = await signIn(username, password);
  if (response.status !== 302) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  const jar = setCookies(response);
  return { session: jar.rac_session!, csrf: jar.csrftoken! };
}

/** Sets a password as the bootstrap admin, through the API. */
export async function setPasswordFor(userId: number, password: string) {
  const reply = await post(`/api/v3/core/users/${userId}/set_password/`, { password });
  if (reply.status !== 204) throw new Error(`set_password: ${reply.status} ${reply.text}`);
}
