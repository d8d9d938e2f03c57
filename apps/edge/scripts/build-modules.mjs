#!/usr/bin/env node
// Bundles the SSH client into src/generated/ssh.js, the separate module that only SSH sessions load
// (wrangler uploads it next to the entry module through find_additional_modules; see src/sshModule.ts).
import path from "node:path";
import { build } from "esbuild";

const edge = path.resolve(import.meta.dirname, "..");
await build({
  entryPoints: [path.join(edge, "src/sessions/ssh/module.ts")],
  outfile: path.join(edge, "src/generated/ssh.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  minify: true,
  external: ["cloudflare:*"],
  legalComments: "none",
  logLevel: "warning",
});
