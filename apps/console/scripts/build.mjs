#!/usr/bin/env node
// Builds the admin console into dist/ (served at /if/admin/: apps/web's build copies it under its own dist):
// index.html, the stylesheet and one minified module bundling Preact and @rac-edge/client. Prints the module's
// size gzipped, and fails over the 60 KiB budget.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");
const src = path.join(root, "src");
const BUDGET = 60 * 1024;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
cpSync(path.join(src, "index.html"), path.join(dist, "index.html"));
cpSync(path.join(src, "console.css"), path.join(dist, "console.css"));
await build({
  entryPoints: [path.join(src, "main.tsx")],
  outfile: path.join(dist, "console.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
});
const js = readFileSync(path.join(dist, "console.js"));
const gzipped = gzipSync(js, { level: 9 }).length;
const size = { file: "console.js", bytes: js.length, gzipBytes: gzipped, budgetBytes: BUDGET };
writeFileSync(path.join(dist, "size.json"), `${JSON.stringify(size)}\n`);
console.log(`built console: console.js ${js.length} B, ${(gzipped / 1024).toFixed(1)} KiB gzipped (budget 60 KiB)`);
if (gzipped > BUDGET) {
  console.error("the console's JavaScript is over its 60 KiB gzipped budget");
  process.exit(1);
}
