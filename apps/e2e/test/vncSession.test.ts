/**
 * A real remote desktop through the Worker: Xtigervnc (VNC Authentication) with an xterm, `wrangler dev`,
 * and Debian's Chromium driven by playwright-core opening /if/rac/<token>/. RAC_E2E=skip skips it.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, pixel, sameColour as same } from "../src/browser.ts";
import { stopAll, waitFor } from "../src/processes.ts";
import { api, type Desktop, type Edge, scratch, startDesktop, startEdge, vncEndpoint } from "../src/servers.ts";
import { ensurePackages } from "../src/system.ts";

/** `wrangler dev`'s port, its inspector's, and the X display (VNC on 5900 + display); RAC_E2E_PORTS overrides. */
const [PORT, INSPECTOR, DISPLAY] = (process.env.RAC_E2E_PORTS ?? "8831,9331,32").split(",").map(Number) as [
  number,
  number,
  number,
];
const PASSWORD = "e2e-pass";
/** The root colours: the first set before the session, the second typed into the xterm through the session. */
const BLUE = { hex: "#204080", rgb: [0x20, 0x40, 0x80] };
const GREEN = { hex: "#40a060", rgb: [0x40, 0xa0, 0x60] };
const RED = { hex: "#a04020", rgb: [0xa0, 0x40, 0x20] };
const SCREENSHOT = path.resolve(import.meta.dirname, "..", "..", "..", "docs", "vnc-session.png");

const state = (page: Page) => page.locator("#state").textContent();

describe.skipIf(process.env.RAC_E2E === "skip")("a VNC session in a real browser", () => {
  let dir: string;
  let desktop: Desktop;
  let edge: Edge;
  let context: BrowserContext;

  beforeAll(async () => {
    ensurePackages();
    dir = scratch("rac-e2e-vnc-");
    desktop = await startDesktop(dir, DISPLAY, PASSWORD, BLUE.hex);
    const targets = `127.0.0.1:${desktop.port}`;
    edge = await startEdge(dir, PORT, INSPECTOR, { RAC_REVOCATION_POLL_MS: "500", RAC_TARGETS: targets });
    context = await launchChromium(dir);
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await stopAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows the desktop, takes typing and both clipboard directions, and reports the revocation", async () => {
    const endpoint = await vncEndpoint(edge, "Office desk", `127.0.0.1:${desktop.port}`, { password: PASSWORD });
    const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
    const page = await context.newPage();
    await page.goto(`${edge.base}/if/rac/${launched.token}/`);
    expect(await page.title()).toBe("Office desk · rac-edge");

    // The remote root colour, far from the xterm, arrives on the canvas.
    await waitFor("the remote colour on the canvas", async () =>
      same(await pixel(page, 1000, 740), BLUE.rgb) ? true : undefined,
    );
    expect(await state(page)).toBe("Connected");
    // The password never reaches the page.
    expect(await page.content()).not.toContain(PASSWORD);

    // Typing into the xterm (focus follows the pointer in a bare X server) changes the screen.
    const canvas = page.locator("#screen canvas");
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.05);
    await page.keyboard.type(`xsetroot -solid '${GREEN.hex}'`, { delay: 10 });
    await page.keyboard.press("Enter");
    await waitFor("the typed command's colour", async () =>
      same(await pixel(page, 1000, 740), GREEN.rgb) ? true : undefined,
    );

    // The remote's clipboard reaches the page: text selected in the xterm (X's PRIMARY) lands in the panel.
    await page.waitForTimeout(300); // the prompt after xsetroot, so the screenshot reads cleanly
    await page.keyboard.type("echo clipboardcheck", { delay: 10 });
    await page.keyboard.press("Enter");
    await page.waitForTimeout(300);
    const scale = box.width / 1024;
    const line = 3; // the xterm's third line: the echo's output, in its 6x13 font
    await page.mouse.dblclick(box.x + 20 * scale, box.y + (2 + (line - 1) * 13 + 6) * scale);
    await waitFor("the remote clipboard in the page", async () =>
      (await page.locator("#clipboard-text").inputValue()) === "clipboardcheck" ? true : undefined,
    );

    // The page's clipboard reaches the remote: sent from the panel, pasted into the xterm with a middle click.
    await page.locator("#clipboard-toggle").click();
    await page.locator("#clipboard-text").fill(`xsetroot -solid '${RED.hex}'`);
    await page.locator("#clipboard-send").click();
    const moved = (await canvas.boundingBox())!; // the open panel pushed the screen down
    await page.mouse.click(moved.x + moved.width * 0.1, moved.y + moved.height * 0.2, { button: "middle" });
    // xterm inserts the paste when the selection arrives, which may be after a key typed at once: press Enter until
    // the pasted command has run (an early Enter only prints an empty prompt).
    await waitFor("the pasted command's colour", async () => {
      if (same(await pixel(page, 1000, 740), RED.rgb)) return true;
      await page.keyboard.press("Enter");
      await page.waitForTimeout(500);
      return undefined;
    });

    if (process.env.UPDATE_SCREENSHOTS === "1") {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    }

    // Deleting the token through the API closes the session within the (shortened) revocation poll.
    await api(edge, "DELETE", `/rac/connection_tokens/${launched.pk}/`);
    await waitFor("the revocation on the page", async () =>
      (await state(page)) === "Disconnected: access revoked" ? true : undefined,
    );
    await page.reload();
    expect(await page.locator("h1").textContent()).toBe("This link is no longer valid");
  });

  it("reconnects once after a dropped connection while the token still exists", async () => {
    const endpoint = await vncEndpoint(edge, "Flaky network", `127.0.0.1:${desktop.port}`, { password: PASSWORD });
    const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
    const page = await context.newPage();
    await page.goto(`${edge.base}/if/rac/${launched.token}/`);
    await waitFor("the first connect", async () => ((await state(page)) === "Connected" ? true : undefined));
    expect(await page.locator("body").getAttribute("data-attempts")).toBe("1");
    await edge.restart(); // the page's socket drops with the Worker; the token lives on in D1
    await waitFor("the reconnect", async () => ((await state(page)) === "Connected" ? true : undefined), 60_000);
    expect(await page.locator("body").getAttribute("data-attempts")).toBe("2");
    await waitFor("the desktop after the reconnect", async () =>
      (await pixel(page, 1000, 740)) !== undefined ? true : undefined,
    );
  });

  it("says so when the VNC server refuses the stored password, without showing any password", async () => {
    const endpoint = await vncEndpoint(edge, "Wrong password", `127.0.0.1:${desktop.port}`, { password: "not-it" });
    const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
    const page = await context.newPage();
    await page.goto(`${edge.base}/if/rac/${launched.token}/`);
    await waitFor("the refusal on the page", async () => {
      const text = await state(page);
      return text === "Could not connect: the VNC server refused the stored password" ? true : undefined;
    });
    expect(await page.content()).not.toContain("not-it");
  });

  it("refuses a target outside RAC_TARGETS before connecting, and the page says why", async () => {
    const elsewhere = `127.0.0.1:${desktop.port + 1}`; // never contacted: refused before any connect
    const endpoint = await vncEndpoint(edge, "Not allowed", elsewhere, { password: PASSWORD });
    const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
    const page = await context.newPage();
    await page.goto(`${edge.base}/if/rac/${launched.token}/`);
    const expected = `Could not connect: the target ${elsewhere} is not allowed by this gateway (RAC_TARGETS)`;
    await waitFor("the allowlist refusal", async () => ((await state(page)) === expected ? true : undefined));
  });
});
