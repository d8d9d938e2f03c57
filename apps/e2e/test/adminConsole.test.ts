/**
 * The admin console (/if/admin/) in Debian's Chromium against `wrangler dev`: creating a provider (an invalid
 * connection_expiry first), an endpoint, a user and their grant; revoking that user's live session on a real
 * Xtigervnc desktop; axe-core on every page. RAC_E2E=skip skips it.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "../src/axe.ts";
import { CHROMIUM_FLAGS } from "../src/browser.ts";
import { stopAll, waitFor } from "../src/processes.ts";
import { api, type Desktop, type Edge, scratch, startDesktop, startEdge } from "../src/servers.ts";
import { ensurePackages } from "../src/system.ts";

/** `wrangler dev`'s port, its inspector's, and the X display; RAC_E2E_CONSOLE_PORTS overrides. */
const [PORT, INSPECTOR, DISPLAY] = (process.env.RAC_E2E_CONSOLE_PORTS ?? "8837,9337,37").split(",").map(Number) as [
  number,
  number,
  number,
];
const PASSWORD = "console-pass";
const ADMIN_PASSWORD = "console-admin-password";
const ALICE_PASSWORD = "alice-console-password";
const SCREENSHOT = path.resolve(import.meta.dirname, "..", "..", "..", "docs", "admin-console.png");
const PAGES = [
  "providers",
  "endpoints",
  "property-mappings",
  "connection-tokens",
  "users",
  "permissions",
  "outposts",
  "tokens",
];

describe.skipIf(process.env.RAC_E2E === "skip")("the admin console in a real browser", () => {
  let dir: string;
  let desktop: Desktop;
  let edge: Edge;
  let browser: Browser;
  let context: BrowserContext;
  let admin: Page;

  /** Opens a console page and waits until its first answer from the API is on screen. */
  const open = async (page: Page, name: string) => {
    await page.goto("about:blank"); // a fresh load each time, not a hash change in the page already open
    await page.goto(`${edge.base}/if/admin/#/${name}`);
    await page.locator("main h1").waitFor();
    await waitFor(`the ${name} page loaded`, async () =>
      (await page.locator("main [role=status]:has-text('Loading')").count()) === 0 ? true : undefined,
    );
  };

  beforeAll(async () => {
    ensurePackages();
    dir = scratch("rac-e2e-console-");
    desktop = await startDesktop(dir, DISPLAY, PASSWORD, "#306090");
    const targets = `127.0.0.1:${desktop.port}`;
    edge = await startEdge(dir, PORT, INSPECTOR, { RAC_REVOCATION_POLL_MS: "500", RAC_TARGETS: targets });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_FLAGS });
    // bypassCSP: axe-core is injected as an inline script, which the console's CSP forbids.
    context = await browser.newContext({ viewport: { width: 1100, height: 860 }, bypassCSP: true });
    admin = await context.newPage();
    admin.on("dialog", (dialog) => dialog.accept());
    const users = await api(edge, "GET", "/core/users/?username=akadmin");
    const akadmin = (users.results as { pk: number }[])[0]!;
    await api(edge, "POST", `/core/users/${akadmin.pk}/set_password/`, { password: ADMIN_PASSWORD });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await stopAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("sends a visitor who is not signed in to the sign-in page, and back after signing in", async () => {
    await admin.goto(`${edge.base}/if/admin/`);
    await admin.waitForURL(/\/if\/login\/\?next=/);
    expect(new URL(admin.url()).searchParams.get("next")).toBe("/if/admin/");
    await admin.getByLabel("Username").fill("akadmin");
    await admin.getByLabel("Password").fill(ADMIN_PASSWORD);
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.waitForURL(`${edge.base}/if/admin/`);
    await admin.getByText("Signed in as akadmin").waitFor();
    await admin.locator("main h1", { hasText: "Providers" }).waitFor();
  });

  it("creates a provider (an inline error first), an endpoint, a user and a grant; revokes the session", async () => {
    const slug = "console-flow";
    await api(edge, "POST", "/flows/instances/", { name: slug, slug, title: slug, designation: "authorization" });

    // A provider with an invalid connection_expiry: the API's message under the field, what was typed kept.
    await open(admin, "providers");
    await admin.getByRole("button", { name: "Create provider" }).click();
    await admin.getByLabel("Name", { exact: true }).fill("Office desktops");
    await admin.getByLabel("Connection expiry").fill("for a while");
    await admin.getByRole("button", { name: "Create", exact: true }).click();
    const expiryError = admin.locator("#edit-connection_expiry-error");
    await expiryError.waitFor();
    expect(await expiryError.textContent()).toMatch(/\S/);
    expect(await admin.getByLabel("Connection expiry").getAttribute("aria-invalid")).toBe("true");
    expect(await admin.getByLabel("Name", { exact: true }).inputValue()).toBe("Office desktops");
    await admin.getByLabel("Connection expiry").fill("hours=2");
    await admin.getByRole("button", { name: "Create", exact: true }).click();
    await admin.getByRole("cell", { name: "Office desktops", exact: true }).waitFor();
    expect(await admin.getByRole("cell", { name: "hours=2" }).count()).toBe(1);

    // An endpoint on that provider, its password sent once and shown masked when edited.
    await open(admin, "endpoints");
    await admin.getByRole("button", { name: "Create endpoint" }).click();
    await admin.getByLabel("Name", { exact: true }).fill("Front desk");
    await admin.getByLabel("Provider").selectOption({ label: "Office desktops" });
    await admin.getByLabel("Host").fill(`127.0.0.1:${desktop.port}`);
    await admin.getByLabel("Settings (JSON)").fill(JSON.stringify({ password: PASSWORD }));
    await admin.getByRole("button", { name: "Create", exact: true }).click();
    await admin.getByRole("cell", { name: "Front desk", exact: true }).waitFor();
    await admin.getByRole("button", { name: "Edit Front desk" }).click();
    expect(await admin.getByLabel("Settings (JSON)").inputValue()).toContain("********");
    expect(await admin.content()).not.toContain(PASSWORD);
    await admin.getByRole("button", { name: "Save" }).click(); // the mask sent back keeps the stored password
    await admin.getByRole("status").filter({ hasText: "Saved endpoint." }).waitFor();
    // Its effective settings, opened from the keyboard: each key with its value (secrets masked) and source.
    await admin.getByRole("button", { name: "Settings preview of Front desk" }).focus();
    await admin.keyboard.press("Enter");
    const preview = admin.getByRole("table", { name: "Settings a connection to Front desk would use now" });
    await preview.waitFor();
    expect(await admin.evaluate(() => document.activeElement?.id)).toBe("preview-title");
    const passwordRow = preview.getByRole("row").filter({ has: admin.getByRole("rowheader", { name: "password" }) });
    expect((await passwordRow.getByRole("cell").allTextContents()).slice(-1)).toEqual(["endpoint"]);
    expect(await passwordRow.textContent()).not.toContain(PASSWORD);
    expect(await seriousViolations(admin)).toEqual([]);
    await admin.getByRole("button", { name: "Close preview" }).click();
    const endpoints = await api(edge, "GET", "/rac/endpoints/?search=Front");
    const endpoint = (endpoints.results as { pk: string; name: string }[])[0]!;
    expect(endpoint.name).toBe("Front desk");

    // A user, and view permission for them on that endpoint (what a launch needs).
    await open(admin, "users");
    await admin.getByRole("button", { name: "Create user" }).click();
    await admin.getByLabel("Username").fill("alice");
    await admin.getByLabel("Name", { exact: true }).fill("Alice Example");
    await admin.getByRole("button", { name: "Create", exact: true }).click();
    await admin.getByRole("cell", { name: "alice", exact: true }).waitFor();
    await open(admin, "permissions");
    await admin.getByLabel("User").selectOption({ label: "alice" });
    await admin.getByLabel("Codenames (comma-separated)").fill("authentik_providers_rac.view_endpoint");
    await admin.getByLabel("Model (for one object)").selectOption("authentik_providers_rac.endpoint");
    await admin.getByLabel("Object id (for one object)").fill(endpoint.pk);
    await admin.getByRole("button", { name: "Grant", exact: true }).click();
    await admin.getByRole("status").filter({ hasText: "Granted authentik_providers_rac.view_endpoint." }).waitFor();

    // Her password, set from the console (the field starts empty and is never filled from the API).
    await open(admin, "users");
    await admin.getByRole("button", { name: "Set password for alice" }).click();
    expect(await admin.getByLabel("New password").inputValue()).toBe("");
    await admin.getByLabel("New password").fill("short");
    await admin.getByRole("button", { name: "Set password", exact: true }).click();
    await admin.locator("#password-password-error").waitFor(); // too short: the API's message under the field
    await admin.getByLabel("New password").fill(ALICE_PASSWORD);
    await admin.getByRole("button", { name: "Set password", exact: true }).click();
    await admin.getByRole("status").filter({ hasText: "Password of alice set." }).waitFor();

    // alice launches with her own API token and opens the desktop in her own browser context.
    const users = await api(edge, "GET", "/core/users/?username=alice");
    const alice = (users.results as { pk: number }[])[0]!;
    await api(edge, "POST", "/core/tokens/", { identifier: "alice-key", user: alice.pk, intent: "api" });
    const { key } = (await api(edge, "GET", "/core/tokens/alice-key/view_key/")) as unknown as { key: string };
    const launch = await fetch(`${edge.base}/api/v3/rac/endpoints/${endpoint.pk}/launch/`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(launch.status).toBe(201);
    const { token } = (await launch.json()) as { token: string };
    const session = await browser.newContext();
    const alicePage = await session.newPage();
    try {
      await alicePage.goto(`${edge.base}/if/rac/${token}/`);
      const state = () => alicePage.locator("#state").textContent();
      await waitFor("alice's session", async () => ((await state()) === "Connected" ? true : undefined));

      // The console lists her token with where and until when, and revokes it: her page says so.
      await open(admin, "connection-tokens");
      const row = admin.getByRole("row").filter({ hasText: "alice" });
      expect(await row.textContent()).toContain(`Front desk (127.0.0.1:${desktop.port})`);
      expect(await row.textContent()).toMatch(/connected \d/); // since: the gateway's connect time
      await admin.getByRole("button", { name: "Revoke alice on Front desk" }).click();
      await admin.getByRole("status").filter({ hasText: "Revoked alice's connection to Front desk." }).waitFor();
      await waitFor("the revocation on alice's page", async () =>
        (await state()) === "Disconnected: access revoked" ? true : undefined,
      );
    } finally {
      await session.close();
    }
  });

  it("shows a user with grants what the API lets them see: alice sees her one endpoint of two", async () => {
    const other = (await api(edge, "GET", "/rac/endpoints/?search=Front")).results as { provider: number }[];
    await api(edge, "POST", "/rac/endpoints/", {
      name: "Back office",
      provider: other[0]!.provider,
      protocol: "vnc",
      host: `127.0.0.1:${desktop.port}`,
      auth_mode: "static",
    });
    const session = await browser.newContext();
    try {
      const page = await session.newPage();
      await page.goto(`${edge.base}/if/admin/`);
      await page.getByLabel("Username").fill("alice");
      await page.getByLabel("Password").fill(ALICE_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("Signed in as alice").waitFor();
      await page.goto(`${edge.base}/if/admin/#/endpoints`);
      await page.getByRole("status").filter({ hasText: "1 in all" }).waitFor();
      expect(await page.getByRole("cell", { name: "Front desk", exact: true }).count()).toBe(1);
      expect(await page.getByRole("cell", { name: "Back office", exact: true }).count()).toBe(0);
      await open(admin, "endpoints");
      await admin.getByRole("status").filter({ hasText: "2 in all" }).waitFor();

      // Deactivated from the console: her session ends, and the console sends her to sign in.
      await open(admin, "users");
      await admin.getByRole("button", { name: "Deactivate alice" }).click();
      await admin.getByRole("status").filter({ hasText: "alice is deactivated." }).waitFor();
      await page.reload();
      await page.waitForURL(/\/if\/login\//);
    } finally {
      await session.close();
    }
  });

  it("pages and searches lists with the API's pagination, and shows a new API token's key once", async () => {
    for (let i = 1; i <= 25; i++) {
      const name = `mapping-${String(i).padStart(2, "0")}`;
      await api(edge, "POST", "/propertymappings/provider/rac/", { name, static_settings: {} });
    }
    await open(admin, "property-mappings");
    await admin.getByText("Page 1 of 2").waitFor();
    expect(await admin.getByRole("cell", { name: /^mapping-/ }).count()).toBe(20);
    await admin.getByRole("button", { name: "Next page" }).click();
    await admin.getByText("Page 2 of 2").waitFor();
    await admin.getByLabel("Search property mappings").fill("mapping-07");
    await admin.getByRole("button", { name: "Search", exact: true }).click();
    await admin.getByRole("status").filter({ hasText: "1 in all" }).waitFor();
    expect(await admin.getByRole("cell", { name: "mapping-07", exact: true }).count()).toBe(1);

    await open(admin, "tokens");
    await admin.getByRole("button", { name: "Create API token" }).click();
    await admin.getByLabel("Identifier").fill("console-key");
    await admin.getByRole("button", { name: "Create", exact: true }).click();
    const key = await admin.getByLabel("Key", { exact: true }).inputValue();
    expect(key.length).toBeGreaterThan(20);
    const me = await fetch(`${edge.base}/api/v3/core/users/me/`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe("akadmin");
    // Shown once: the API refuses a second look, and the list shows only the identifier.
    await api(edge, "GET", "/core/tokens/console-key/view_key/", undefined, [410]);
    await admin.getByRole("button", { name: "Done" }).click();
    await admin.getByRole("cell", { name: "console-key", exact: true }).waitFor();
    expect(await admin.content()).not.toContain(key);
  });

  it("has no serious or critical axe-core violation on any page, with a form open where a page has one", async () => {
    const found: string[] = [];
    for (const name of PAGES) {
      await open(admin, name);
      found.push(...(await seriousViolations(admin)).map((line) => `${name}: ${line}`));
      const create = admin.locator("main button", { hasText: /^Create / });
      if ((await create.count()) > 0) {
        await create.first().click();
        found.push(...(await seriousViolations(admin)).map((line) => `${name} form: ${line}`));
      }
    }
    expect(found).toEqual([]);
    if (process.env.UPDATE_SCREENSHOTS === "1") {
      await open(admin, "endpoints");
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await admin.screenshot({ path: SCREENSHOT });
    }
  });

  it("is usable from the keyboard alone: tab to a page link, open it, reach the search box", async () => {
    await open(admin, "providers");
    await admin.keyboard.press("Tab"); // the skip button
    await admin.keyboard.press("Enter");
    expect(await admin.evaluate(() => document.activeElement?.id)).toBe("main");
    await admin.locator("nav a", { hasText: "Users" }).focus();
    await admin.keyboard.press("Enter");
    await admin.locator("main h1", { hasText: "Users" }).waitFor();
    await admin.getByRole("button", { name: "Create user" }).focus();
    await admin.keyboard.press("Enter");
    // The form moves focus to its first field after it renders; typing before that would lose keys.
    const username = admin.getByLabel("Username");
    await waitFor("focus in the new user form", async () =>
      (await username.evaluate((input) => input === document.activeElement)) ? true : undefined,
    );
    await admin.keyboard.type("bob");
    expect(await admin.getByLabel("Username").inputValue()).toBe("bob");
  });
});
