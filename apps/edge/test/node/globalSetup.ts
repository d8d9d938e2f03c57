import { execFileSync } from "node:child_process";
import path from "node:path";
import { startSshd } from "./sshd.ts";

/** vitest globalSetup: the separately loaded SSH module, and one sshd for every test file, stopped whatever the outcome. */
export default async function setup(): Promise<() => void> {
  execFileSync(process.execPath, [path.join(import.meta.dirname, "../../scripts/build-ssh.mjs")], { stdio: "inherit" });
  return (await startSshd()).stop;
}
