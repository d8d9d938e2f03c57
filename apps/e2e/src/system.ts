/** The Debian packages the end-to-end tests need: installed when missing (root with apt), else named in the failure. */
import { existsSync } from "node:fs";
import { run } from "./processes.ts";

export const PACKAGES: Record<string, string> = {
  "/usr/bin/Xtigervnc": "tigervnc-standalone-server",
  "/usr/bin/vncpasswd": "tigervnc-tools",
  "/usr/bin/xterm": "xterm",
  "/usr/bin/xsetroot": "x11-xserver-utils",
  "/usr/bin/chromium": "chromium",
};

export function ensurePackages(): void {
  const missing = Object.entries(PACKAGES)
    .filter(([binary]) => !existsSync(binary))
    .map(([, name]) => name);
  if (missing.length === 0) return;
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canInstall) {
    throw new Error(
      `The end-to-end tests need these Debian packages: ${missing.join(" ")}. ` +
        "Install them (apt-get install -y ...), or set RAC_E2E=skip to skip these tests.",
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update"], { env });
  run("apt-get", ["install", "-y", ...missing], { env });
}
