/**
 * Sign-in, the library and a launch in a real browser: Xtigervnc, `wrangler dev` and Debian's Chromium
 * (playwright-core). axe-core checks the sign-in and library pages. RAC_E2E=skip skips it.
 */
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, pixel, sameColour } from "../src/browser.ts";
import { stopAll, waitFor } from "../src/processes.ts";
import { api, type Desktop, type Edge, scratch, startDesktop, startEdge, vncEndpoint } from "../src/servers.ts";
import { ensurePackages } from "../src/system.ts";

/** `wrangler dev`'s port, its inspector's, and the X display; RAC_E2E_SIGNIN_PORTS overrides. */
const [PORT, INSPECTOR, DISPLAY] = (process.env.RAC_E2E_SIGNIN_PORTS ?? "8861,9361,61").split(",").map(Number) as [
  number,
  number,
  number,
];
const VNC_PASSWORD = "e2e-pass";
const PASSWORD = "ada-lovelace-1815";
const BLUE = [0x20, 0x60, 0xa0] as const;
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const DOCS = path.resolve(import.meta.dirname, "..", "..", "..", "docs");

/** Serious and critical axe-core violations of the page, as "rule: target" lines (none expected). */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the pages' CSP (script-src 'self') does not block.
  await page.evaluate(AXE);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations as { id: string; impact: string; nodes: { target: string[] }[] }[];
  });
  return results
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

/** An application for the endpoint's provider, so the endpoint has a launch_url. */
async function withApplication(edge: Edge, endpoint: { pk: string; provider?: unknown }, name: string) {
  const slug = `app-${crypto.randomUUID().slice(0, 8)}`;
  await api(edge, "POST", "/core/applications/", { name, slug, provider: endpoint.provider });
  return `/application/rac/${slug}/${endpoint.pk}/`;
}

const screenshot = async (page: Page, name: string) => {
  if (process.env.UPDATE_SCREENSHOTS === "1") await page.screenshot({ path: path.join(DOCS, name) });
};

describe.skipIf(process.env.RAC_E2E === "skip")("sign-in and the library in a real browser", () => {
  let dir: string;
  let desktop: Desktop;
  let edge: Edge;
  let context: BrowserContext;

  beforeAll(async () => {
    ensurePackages();
    dir = scratch("rac-e2e-signin-");
    desktop = await startDesktop(dir, DISPLAY, VNC_PASSWORD, "#2060a0");
    edge = await startEdge(dir, PORT, INSPECTOR, { RAC_TARGETS: `127.0.0.1:${desktop.port}` });
    context = await launchChromium(dir);
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await stopAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("signs in (wrong, then right password), lists exactly the allowed endpoints, opens one, signs out", async () => {
    const host = `127.0.0.1:${desktop.port}`;
    const office = await vncEndpoint(edge, "Office desk", host, { password: VNC_PASSWORD });
    const officeUrl = await withApplication(edge, office, "Office");
    const hidden = await vncEndpoint(edge, "Server room", host, { password: VNC_PASSWORD });
    await withApplication(edge, hidden, "Servers");
    const ada = await api(edge, "POST", "/core/users/", { username: "ada", name: "Ada" });
    await api(edge, "POST", `/core/users/${ada.pk}/set_password/`, { password: PASSWORD });
    await api(edge, "POST", `/rbac/permissions/assigned_by_users/${ada.pk}/assign/`, {
      permissions: ["authentik_providers_rac.view_endpoint"],
      model: "authentik_providers_rac.endpoint",
      object_pk: office.pk,
    });

    const page = await context.newPage();
    await page.goto(`${edge.base}/if/user/`);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/if/login/?next=%2Fif%2Fuser%2F");
    expect(await axeViolations(page)).toEqual([]);

    // A wrong password: the page again with one generic error, and no session cookie.
    await page.getByLabel("Username").fill("ada");
    await page.getByLabel("Password").fill("not-her-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("Please enter a correct username and password.");
    expect((await context.cookies()).some((cookie) => cookie.name === "rac_session")).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    // The right one, by keyboard only: the username was kept, Tab to the password, Enter submits.
    await page.getByLabel("Username").focus();
    expect(await page.getByLabel("Username").inputValue()).toBe("ada");
    await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${edge.base}/if/user/`);
    const session = (await context.cookies()).find((cookie) => cookie.name === "rac_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });

    // The library: exactly the endpoint Ada may launch.
    const links = page.locator("main li a");
    expect(await links.allTextContents()).toEqual(["Office desk VNC"]);
    expect(await links.first().getAttribute("href")).toBe(officeUrl);
    expect(await page.getByRole("heading", { level: 2 }).allTextContents()).toEqual(["Office"]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "library.png");

    // Clicking it launches and opens the desktop: the remote root colour on the canvas.
    await links.first().click();
    await page.waitForURL(/\/if\/rac\/[A-Za-z0-9]{64}\/$/);
    expect(await page.title()).toBe("Office desk · rac-edge");
    await waitFor("the remote colour on the canvas", async () =>
      sameColour(await pixel(page, 1000, 740), BLUE) ? true : undefined,
    );
    await screenshot(page, "library-session.png");

    // Sign out: the library then sends the browser to the sign-in page.
    await page.goto(`${edge.base}/if/user/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${edge.base}/if/login/`);
    await page.goto(`${edge.base}/if/user/`);
    expect(page.url()).toBe(`${edge.base}/if/login/?next=%2Fif%2Fuser%2F`);
  });
});
