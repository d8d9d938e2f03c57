import { startSshd } from "./sshd.ts";

/** vitest globalSetup: one sshd for every test file, stopped whatever the outcome. */
export default async function setup(): Promise<() => void> {
  return startSshd();
}
