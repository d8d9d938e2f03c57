import { execFileSync } from "node:child_process";
import path from "node:path";
import { startSshd } from "./sshd.ts";

/** vitest globalSetup: builds the separately loaded SSH module; one sshd for every test file, always stopped. */
export default async function setup(): Promise<() => void> {
  execFileSync(process.execPath, [path.join(import.meta.dirname, "../../scripts/build-ssh.mjs")], { stdio: "inherit" });
  return (await startSshd()).stop;
}
