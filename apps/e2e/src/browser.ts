/** Debian's Chromium under playwright-core, and reading noVNC's canvas. */
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A fresh Chromium profile in `dir` (closing the context ends the browser). */
export function launchChromium(dir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(path.join(dir, "chromium"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1100, height: 860 },
  });
}

/** The framebuffer pixel at (x, y) of noVNC's canvas as [r, g, b]; undefined until a canvas with pixels exists. */
export async function pixel(page: Page, x: number, y: number): Promise<number[] | undefined> {
  return page.evaluate(
    ([px, py]) => {
      const canvas = document.querySelector<HTMLCanvasElement>("#screen canvas");
      if (!canvas || canvas.width < 100) return undefined;
      const data = canvas.getContext("2d")!.getImageData(px!, py!, 1, 1).data;
      return [data[0]!, data[1]!, data[2]!];
    },
    [x, y],
  );
}

/** Whether a pixel is the colour, give or take rounding. */
export const sameColour = (actual: number[] | undefined, expected: readonly number[]) =>
  actual?.every((value, i) => Math.abs(value - expected[i]!) <= 2) === true;
