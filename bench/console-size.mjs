#!/usr/bin/env node
// The admin console's JavaScript as browsers download it: builds apps/console, gzips console.js (level 9, as a
// CDN would at best; Cloudflare's default compression is close) and writes the "Admin console size" section of
// RESULTS.md between its markers. The budget is 60 KiB gzipped; the console's own build fails above it.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";

const here = import.meta.dirname;
const consoleDir = path.resolve(here, "..", "apps", "console");
execFileSync(process.execPath, [path.join(consoleDir, "scripts", "build.mjs")], { cwd: consoleDir, stdio: "inherit" });
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const rows = ["console.js", "console.css", "index.html"].map((file) => {
  const data = readFileSync(path.join(consoleDir, "dist", file));
  const gzip = gzipSync(data, { level: 9 }).length;
  const brotli = brotliCompressSync(data).length;
  return `| ${file} | ${kib(data.length)} | ${kib(gzip)} | ${kib(brotli)} |`;
});
const section = `<!-- console-size:start -->
## Admin console size

Measured by \`node bench/console-size.mjs\` on ${new Date().toISOString().slice(0, 10)}: the files of \`/if/admin/\`
(apps/console: Preact and \`@rac-edge/client\`, bundled and minified by esbuild). Budget: JavaScript under 60 KiB
gzipped.

| file | minified | gzip -9 | brotli |
| --- | --- | --- | --- |
${rows.join("\n")}
<!-- console-size:end -->`;
const results = path.join(here, "RESULTS.md");
const text = existsSync(results) ? readFileSync(results, "utf8") : "# Benchmark results\n";
const marked = /<!-- console-size:start -->[\s\S]*<!-- console-size:end -->/;
writeFileSync(results, marked.test(text) ? text.replace(marked, section) : `${text.trimEnd()}\n\n${section}\n`);
console.log(section);
