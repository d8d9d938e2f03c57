#!/usr/bin/env node
// Lines a person can read: every tracked source, config and prose line is at most 120 columns.
// Biome formats code to that width but leaves long strings and comments alone; this catches those.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const LIMIT = 120;
const root = path.resolve(import.meta.dirname, "..");
const CHECKED = /\.(ts|tsx|js|mjs|json|jsonc|sql|md|css|html|yaml|yml)$/;
/** Generated or vendored files: their lines are not written by hand. */
const GENERATED = [
  /^pnpm-lock\.yaml$/,
  /CHANGELOG\.md$/,
  /(^|\/)generated\//,
  /^apps\/edge\/openapi\.json$/,
  /^bench\/[A-Z-]*RESULTS\.md$/,
];

const files = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((file) => CHECKED.test(file) && !GENERATED.some((pattern) => pattern.test(file)));
const long = [];
for (const file of files) {
  const lines = readFileSync(path.join(root, file), "utf8").split("\n");
  lines.forEach((line, index) => {
    // Columns as a reader counts them: code points, not UTF-16 units.
    const width = [...line].length;
    // A Markdown table row cannot wrap.
    if (file.endsWith(".md") && line.startsWith("|")) return;
    if (width > LIMIT) long.push(`${file}:${index + 1}: ${width} columns`);
  });
}
for (const line of long) console.error(line);
if (long.length > 0) console.error(`${long.length} lines over ${LIMIT} columns`);
process.exit(long.length === 0 ? 0 : 1);
