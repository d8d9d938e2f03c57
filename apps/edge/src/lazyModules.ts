/**
 * Loads the SSH client module on first use. The specifier is not a literal on purpose: wrangler's bundler
 * inlines literal `import()`s, while this one stays a separate module (`find_additional_modules` and the
 * ESModule rule in wrangler.jsonc), so API requests never load or parse it. It sits at src/ so that the
 * path resolves the same in the deployed bundle (relative to the entry module) and under vitest.
 */

import type * as SshModule from "./sessions/ssh/module.ts";

const SSH_MODULE: string = "./generated/ssh.js";

let loading: Promise<typeof SshModule> | undefined;

export function loadSshModule(): Promise<typeof SshModule> {
  loading ??= import(/* @vite-ignore */ SSH_MODULE) as Promise<typeof SshModule>;
  return loading;
}
