import { execFileSync } from "node:child_process";
import path from "node:path";
import { dirFor, freePort, startSshd } from "./sshd.ts";

/** vitest globalSetup: builds the separately loaded modules (SSH, VNC, Argon2); one sshd for every test file, always stopped. */
export default async function setup(): Promise<() => void> {
  const build = path.join(import.meta.dirname, "../../scripts/build-modules.mjs");
  execFileSync(process.execPath, [build], { stdio: "inherit" });
  // Ports the kernel picks: another test run on this machine may hold any fixed one.
  const port = await freePort();
  const silentPort = await freePort();
  process.env.RAC_SSHD_DIR = dirFor(port);
  return (await startSshd(port, silentPort)).stop;
}
