import { execFileSync } from "node:child_process";
import path from "node:path";
import { dirFor, freePort, startSshd } from "./sshd.ts";

/** vitest globalSetup: builds the separately loaded SSH module; one sshd for every test file, always stopped. */
export default async function setup(): Promise<() => void> {
  execFileSync(process.execPath, [path.join(import.meta.dirname, "../../scripts/build-ssh.mjs")], { stdio: "inherit" });
  // Ports the kernel picks: another test run on this machine may hold any fixed one.
  const port = await freePort();
  const silentPort = await freePort();
  process.env.RAC_SSHD_DIR = dirFor(port);
  return (await startSshd(port, silentPort)).stop;
}
