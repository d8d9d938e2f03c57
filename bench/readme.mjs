#!/usr/bin/env node
// Copies the summary of bench/RESULTS.md into README.md, between `<!-- bench:start -->` and
// `<!-- bench:end -->`; nothing else in README.md changes. Run by run.mjs, or alone after editing RESULTS.md.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const here = import.meta.dirname;
const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

/** The text between two markers, or null when either is missing. */
function between(text, start, end) {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  return from < 0 || to < 0 ? null : { from: from + start.length, to };
}

/** Returns false (and leaves README.md alone) when README.md has no markers. */
export function updateReadme(results = path.join(here, "RESULTS.md"), readme = path.join(here, "../README.md")) {
  const report = readFileSync(results, "utf8");
  const found = between(report, "<!-- summary:start -->", "<!-- summary:end -->");
  if (found === null) throw new Error(`${results} has no summary markers: regenerate it with pnpm bench`);
  const summary = report.slice(found.from, found.to).trim();
  const text = readFileSync(readme, "utf8");
  const slot = between(text, START, END);
  if (slot === null) return false;
  const details = "Details and method: [bench/RESULTS.md](bench/RESULTS.md).";
  const updated = `${text.slice(0, slot.from)}\n${summary}\n\n${details}\n${text.slice(slot.to)}`;
  if (updated !== text) writeFileSync(readme, updated);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  if (!updateReadme()) {
    console.error(`README.md needs the markers ${START} and ${END}`);
    process.exit(1);
  }
}
