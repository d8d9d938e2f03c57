/**
 * A real SSH session through the Worker: Debian's sshd (test/node/sshd.ts of apps/edge), `wrangler dev`, and
 * Debian's Chromium driven by playwright-core opening /if/rac/<token>/. RAC_E2E=skip skips it.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSshd } from "../../edge/test/node/sshd.ts";
import type { SshFixture } from "../../edge/test/ssh/fixture.ts";
import { stopAll, waitFor } from "../src/processes.ts";
import { api, type Edge, racEndpoint, scratch, startEdge } from "../src/servers.ts";
import { ensurePackages } from "../src/system.ts";

/** `wrangler dev`'s port, its inspector's, sshd's and the silent server's; RAC_E2E_SSH_PORTS overrides. */
const [PORT, INSPECTOR, SSHD_PORT, SILENT_PORT] = (process.env.RAC_E2E_SSH_PORTS ?? "8841,9341,2242,2243")
  .split(",")
  .map(Number) as [number, number, number, number];
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
const SCREENSHOT = path.resolve(import.meta.dirname, "..", "..", "..", "docs", "ssh-session.png");

const state = (page: Page) => page.locator("#state").textContent();

/**
 * Holds the page's WebSocket back for `ms` before it really connects (an init script wrapping the constructor),
 * so the test can type while the page still says "Connecting…" however fast the session opens.
 */
function delaySockets(page: Page, ms: number) {
  return page.addInitScript((delay) => {
    const Real = window.WebSocket;
    class Delayed extends EventTarget {
      static readonly OPEN = Real.OPEN;
      binaryType: BinaryType = "blob";
      private real: WebSocket | null = null;
      constructor(url: string | URL, protocols?: string | string[]) {
        super();
        setTimeout(() => {
          const real = new Real(url, protocols);
          real.binaryType = this.binaryType;
          this.real = real;
          real.addEventListener("open", () => this.dispatchEvent(new Event("open")));
          real.addEventListener("message", (event) =>
            this.dispatchEvent(new MessageEvent("message", { data: event.data })),
          );
          real.addEventListener("close", (event) => this.dispatchEvent(new CloseEvent("close", event)));
        }, delay);
      }
      get readyState() {
        return this.real?.readyState ?? Real.CONNECTING;
      }
      send(data: string | ArrayBuffer | Blob | ArrayBufferView<ArrayBuffer>) {
        this.real!.send(data);
      }
      close(code?: number, reason?: string) {
        this.real?.close(code, reason);
      }
    }
    (window as unknown as { WebSocket: unknown }).WebSocket = Delayed;
  }, ms);
}
/** The terminal's text as drawn (xterm's DOM renderer rows, one line each). */
// biome-ignore lint/performance/useDomNodeTextContent: the rows are divs; innerText keeps their line breaks.
const screenText = (page: Page) => page.locator("#terminal .xterm-rows").innerText();

/** A flow, a provider and an SSH endpoint on the test's sshd, through the API. */
const sshEndpoint = (edge: Edge, name: string, settings: Record<string, string>) =>
  racEndpoint(edge, "ssh", name, `127.0.0.1:${SSHD_PORT}`, settings);

describe.skipIf(process.env.RAC_E2E === "skip")("an SSH session in a real browser", () => {
  let dir: string;
  let sshd: { fixture: SshFixture; stop: () => void };
  let edge: Edge;
  let context: BrowserContext;

  beforeAll(async () => {
    ensurePackages();
    dir = scratch("rac-e2e-ssh-");
    sshd = await startSshd(SSHD_PORT, SILENT_PORT);
    edge = await startEdge(dir, PORT, INSPECTOR, {
      RAC_REVOCATION_POLL_MS: "500",
      RAC_TARGETS: `127.0.0.1:${SSHD_PORT}`,
    });
    context = await chromium.launchPersistentContext(path.join(dir, "chromium"), {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: FLAGS,
      viewport: { width: 1000, height: 700 },
    });
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await stopAll();
    sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs a typed command, keeps what was typed while connecting, and reports the revocation", async () => {
    const key = sshd.fixture.keys.ed25519 as string;
    const endpoint = await sshEndpoint(edge, "Build box", { username: sshd.fixture.user, "private-key": key });
    const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
    const page = await context.newPage();
    await delaySockets(page, 1500);
    await page.goto(`${edge.base}/if/rac/${launched.token}/`);
    expect(await page.title()).toBe("Build box · rac-edge");
    // The terminal has the focus on load; typed at once, the command waits for the shell and then runs.
    expect(await page.evaluate(() => document.activeElement?.classList.contains("xterm-helper-textarea"))).toBe(true);
    const typedWhile = await state(page);
    await page.keyboard.type("echo typed-$((6*7)); stty size\n");
    // Both lines of output (the size comes a moment after typed-42 on a busy machine).
    await waitFor("the command's output", async () =>
      /typed-42[\s\S]*\d+ \d+/.test(await screenText(page)) ? true : undefined,
    );
    expect(await state(page)).toBe("Connected");
    // The socket was held back, so the typing above happened while the page was connecting.
    expect(typedWhile).toBe("Connecting…");
    // The PTY has the window's size (sent as a resize frame), not the 80x24 it was opened with.
    const size = /(\d+) (\d+)/.exec((await screenText(page)).split("typed-42")[1] ?? "");
    expect(size).not.toBeNull();
    expect(size?.[0]).not.toBe("24 80");
    // Screen-reader mode: the output is in the accessibility tree too, and the key never reaches the page.
    const tree = page.locator("#terminal .xterm-accessibility-tree");
    await waitFor("the output in the accessibility tree", async () =>
      ((await tree.textContent()) ?? "").includes("typed-42") ? true : undefined,
    );
    expect(await page.content()).not.toContain(key.split("\n")[1]);

    if (process.env.UPDATE_SCREENSHOTS === "1") {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    }

    await api(edge, "DELETE", `/rac/connection_tokens/${launched.pk}/`);
    await waitFor("the revocation on the page", async () =>
      (await state(page)) === "Disconnected: access revoked" ? true : undefined,
    );
  });

  it("says why when the server's host key does not match the pin", async () => {
    const pin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrBkz6Qn3ELBD5V2OFBydXNaiE0crMY2Kbi3L3yrQ6Y";
    const settings = { username: sshd.fixture.user, password: sshd.fixture.password, "host-key": pin };
    const endpoint = await sshEndpoint(edge, "Pinned", settings);
    const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
    const page = await context.newPage();
    await page.goto(`${edge.base}/if/rac/${launched.token}/`);
    await waitFor("the refusal on the page", async () => {
      const text = (await state(page)) ?? "";
      return /^Could not connect: the server's host key SHA256:\S+ does not match the endpoint's host-key$/.test(text)
        ? true
        : undefined;
    });
  });

  it("pastes, applies font-size and color-scheme, and reports the shell's exit status", async () => {
    const settings = {
      username: sshd.fixture.user,
      password: sshd.fixture.password,
      "font-size": "18",
      "color-scheme": "green-black",
    };
    const endpoint = await sshEndpoint(edge, "Exit", settings);
    const launched = await api(edge, "POST", `/rac/endpoints/${endpoint.pk}/launch/`, {});
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: edge.base });
    const page = await context.newPage();
    await page.goto(`${edge.base}/if/rac/${launched.token}/`);
    await waitFor("the connection", async () => ((await state(page)) === "Connected" ? true : undefined));
    const rows = page.locator("#terminal .xterm-rows");
    expect(await rows.evaluate((element) => getComputedStyle(element).fontSize)).toBe("18px");
    expect(await rows.evaluate((element) => getComputedStyle(element).color)).toBe("rgb(0, 255, 0)");
    // The Paste button sends the clipboard's text as typed input.
    await page.evaluate(() => navigator.clipboard.writeText("echo pasted-$((2*21))\n"));
    await page.locator("#paste").click();
    await waitFor("the pasted command's output", async () =>
      (await screenText(page)).includes("pasted-42") ? true : undefined,
    );
    await page.keyboard.type("exit 7\n");
    await waitFor("the exit on the page", async () =>
      (await state(page)) === "Disconnected: the remote command exited with status 7" ? true : undefined,
    );
  });
});
