import { execFileSync } from "node:child_process";
import path from "node:path";
import { dirFor, freePort, startSshd } from "./sshd.ts";

/**
 * vitest globalSetup: builds the separately loaded modules (SSH, VNC, Argon2, the bridge) and the document's module
 * (from the checked-in openapi.json, which test/openapi.test.ts compares with the descriptors); one sshd for every
 * test file, always stopped.
 */
export default async function setup(): Promise<() => void> {
  const scripts = path.join(import.meta.dirname, "../../scripts");
  execFileSync(process.execPath, [path.join(scripts, "build-modules.mjs")], { stdio: "inherit" });
  execFileSync(process.execPath, [path.join(scripts, "build-openapi.mjs"), "--module-only"], { stdio: "inherit" });
  // Ports the kernel picks: another test run on this machine may hold any fixed one.
  const port = await freePort();
  const silentPort = await freePort();
  process.env.RAC_SSHD_DIR = dirFor(port);
  return (await startSshd(port, silentPort)).stop;
}
